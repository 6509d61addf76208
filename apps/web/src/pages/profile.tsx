import { useState } from "preact/hooks";
import type { FriendRequest, Profile } from "../api";
import { ApiError, api, type Direction, errorMessage } from "../api";
import { Avatar } from "../components/avatar";
import { PagedList, PersonPlaceholders } from "../components/paged-list";
import { PersonRow } from "../components/person";
import { PostList } from "../components/post-list";
import { RichText } from "../components/rich-text";
import { SafetyActions } from "../components/safety";
import { Suspension } from "../components/suspension";
import { Confirm, ErrorNote, PageTitle, useAsync, usePageTitle } from "../components/ui";
import { count } from "../format";
import { usePaged } from "../paged";
import { Link, paths } from "../router";
import { session } from "../session";
import { useStore } from "../store";
import { notify } from "../toasts";

type Tab = "posts" | "followers" | "following" | "friends";

/** The pending request between the viewer and `handle`, looked up in the viewer's own list. */
async function findRequest(direction: Direction, handle: string): Promise<FriendRequest | null> {
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page = await api.friendRequests(direction, { cursor, limit: 100 });
    const found = page.items.find(
      (request) => (direction === "incoming" ? request.from : request.to).handle === handle,
    );
    if (found) return found;
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return null;
}

function Relationship({ profile, onChange }: { profile: Profile; onChange: (p: Profile) => void }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const viewer = profile.viewer;
  if (!viewer) return null;
  const handle = profile.handle;

  async function act(work: () => Promise<Profile | null>, done?: string) {
    setBusy(true);
    try {
      onChange((await work()) ?? (await api.profile(handle)));
      if (done) notify(done);
    } catch (error) {
      notify(errorMessage(error), "error");
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  async function answer(accept: boolean) {
    const request = await findRequest("incoming", handle);
    if (!request) throw new ApiError(404, "That friend request is no longer pending.");
    await (accept ? api.acceptFriendRequest(request.id) : api.declineFriendRequest(request.id));
    return null;
  }

  const friend = {
    none: (
      <button
        type="button"
        class="button secondary"
        disabled={busy}
        onClick={() =>
          act(async () => {
            const request = await api.sendFriendRequest(handle);
            notify(
              request.status === "accepted"
                ? `You and ${profile.displayName} are now friends.`
                : "Friend request sent.",
            );
            return null;
          })
        }
      >
        Add friend
      </button>
    ),
    outgoing: (
      <button
        type="button"
        class="button secondary"
        disabled={busy}
        onClick={() =>
          act(async () => {
            const request = await findRequest("outgoing", handle);
            if (request) await api.cancelFriendRequest(request.id);
            return null;
          }, "Friend request canceled.")
        }
      >
        Cancel friend request
      </button>
    ),
    incoming: (
      <>
        <button
          type="button"
          class="button"
          disabled={busy}
          onClick={() => act(() => answer(true), `You and ${profile.displayName} are now friends.`)}
        >
          Accept friend request
        </button>
        <button
          type="button"
          class="button secondary"
          disabled={busy}
          onClick={() => act(() => answer(false), "Friend request declined.")}
        >
          Decline
        </button>
      </>
    ),
    friends: (
      <button
        type="button"
        class="button secondary"
        disabled={busy}
        onClick={() => setConfirming(true)}
      >
        Friends · Unfriend
      </button>
    ),
  }[viewer.friendship];

  return (
    <div class="relationship">
      <button
        type="button"
        class={viewer.following ? "button secondary" : "button"}
        aria-pressed={viewer.following}
        disabled={busy}
        onClick={() => act(() => (viewer.following ? api.unfollow(handle) : api.follow(handle)))}
      >
        {viewer.following ? "Following" : "Follow"}
      </button>
      {friend}
      {viewer.followedBy && <span class="chip">Follows you</span>}
      {viewer.friendship === "outgoing" && <span class="chip">Request sent</span>}
      {viewer.friendship === "incoming" && <span class="chip">Wants to be friends</span>}
      {confirming && (
        <Confirm
          question={`Stop being friends with ${profile.displayName}?`}
          confirmLabel="Unfriend"
          busy={busy}
          onConfirm={() => act(() => api.unfriend(handle), "You are no longer friends.")}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}

function People({ handle, list }: { handle: string; list: Exclude<Tab, "posts"> }) {
  const paged = usePaged((q) => api.people(handle, list, q), `${handle}:${list}`);
  const label = { followers: "Followers", following: "Following", friends: "Friends" }[list];
  const empty = {
    followers: "No followers yet.",
    following: "Not following anyone yet.",
    friends: "No friends yet.",
  }[list];
  return (
    <PagedList
      paged={paged}
      label={label}
      empty={empty}
      placeholder={<PersonPlaceholders />}
      more="Load more people"
      class="people"
    >
      {(person) => <PersonRow person={person} />}
    </PagedList>
  );
}

function Posts({ handle }: { handle: string }) {
  const paged = usePaged((q) => api.userPosts(handle, q), `posts:${handle}`);
  return <PostList paged={paged} label="Posts" empty="No posts yet." />;
}

export function ProfilePage({ handle, tab }: { handle: string; tab: Tab }) {
  const { user } = useStore(session);
  const { state, setData, reload } = useAsync(
    (signal) => api.profile(handle, signal),
    [handle, user?.id],
  );
  const profile = state.status === "ready" ? state.data : null;
  usePageTitle(profile ? `${profile.displayName} (@${profile.handle})` : `@${handle}`);

  if (state.status === "loading") {
    return (
      <div class="profile card placeholder" aria-busy="true">
        <p class="visually-hidden" role="status">
          Loading the profile…
        </p>
      </div>
    );
  }
  if (state.status === "error") {
    const gone = state.error instanceof ApiError && state.error.status === 404;
    return (
      <>
        <PageTitle>{gone ? "Profile not found" : "Could not load the profile"}</PageTitle>
        {gone ? (
          <p>
            Nobody here goes by @{handle}. <Link href="/explore">Explore flock</Link>.
          </p>
        ) : (
          <ErrorNote error={state.error} retry={reload} />
        )}
      </>
    );
  }

  const p = state.data;
  const mine = user?.id === p.id;
  const tabs: Array<[Tab, string, string]> = [
    ["posts", "Posts", paths.profile(p.handle)],
    ["followers", "Followers", paths.people(p.handle, "followers")],
    ["following", "Following", paths.people(p.handle, "following")],
    ["friends", "Friends", paths.people(p.handle, "friends")],
  ];
  const counts: Partial<Record<Tab, number>> = {
    posts: p.postCount,
    followers: p.followerCount,
    following: p.followingCount,
  };

  return (
    <>
      <section class="profile card" aria-labelledby="page-title">
        <div class="profile-head">
          <Avatar person={p} size={72} />
          <div>
            <PageTitle>{p.displayName}</PageTitle>
            <p class="handle">@{p.handle}</p>
          </div>
        </div>
        {p.bio && <RichText text={p.bio} class="bio" />}
        {mine ? (
          <p>
            <Link href="/settings" class="button secondary">
              Edit profile
            </Link>
          </p>
        ) : user ? (
          <>
            {/* Across a block there is nobody to follow or befriend: only the block to lift. */}
            {!p.viewer?.blocking && !p.viewer?.blockedBy && (
              <Relationship profile={p} onChange={(next) => setData(() => next)} />
            )}
            <SafetyActions profile={p} onChange={(next) => setData(() => next)} />
            {user.role === "moderator" && <Suspension handle={p.handle} />}
          </>
        ) : (
          <p>
            <Link href={`/login?next=${encodeURIComponent(paths.profile(p.handle))}`}>Log in</Link>{" "}
            to follow {p.displayName}.
          </p>
        )}
      </section>
      <nav class="tabs" aria-label="Profile sections">
        {tabs.map(([name, label, href]) => (
          <Link href={href} aria-current={tab === name ? "page" : undefined} key={name}>
            {label}
            {counts[name] !== undefined && (
              <span class="tab-count"> {count(counts[name] ?? 0)}</span>
            )}
          </Link>
        ))}
      </nav>
      {tab === "posts" ? <Posts handle={p.handle} /> : <People handle={p.handle} list={tab} />}
    </>
  );
}
