import { useState } from "preact/hooks";
import type { FriendRequest, Notification } from "../api";
import { api, errorMessage } from "../api";
import { Avatar } from "../components/avatar";
import { PagedList, PersonPlaceholders } from "../components/paged-list";
import { PersonRow } from "../components/person";
import { Time } from "../components/time";
import { ErrorNote, PageTitle, useAsync, usePageTitle } from "../components/ui";
import { usePaged } from "../paged";
import { Link, paths } from "../router";
import { session, setUnread } from "../session";
import { useStore } from "../store";
import { notify } from "../toasts";

const what: Record<Notification["type"], string> = {
  follow: "followed you",
  friend_request: "asked to be your friend",
  friend_accept: "accepted your friend request",
  like: "liked your post",
  comment: "commented on your post",
  reply: "replied to your comment",
  share: "shared your post",
  mention: "mentioned you",
};

function NotificationRow({ item }: { item: Notification }) {
  const target = item.postId
    ? `${paths.post(item.postId)}${item.commentId ? "#comments" : ""}`
    : item.actor && (item.type === "friend_request" || item.type === "follow")
      ? paths.profile(item.actor.handle)
      : null;
  return (
    <div class={item.read ? "notification" : "notification unread"}>
      {item.actor ? (
        <Avatar person={item.actor} size={32} />
      ) : (
        <span class="avatar avatar-letter" aria-hidden="true" />
      )}
      <p>
        {!item.read && <span class="visually-hidden">Unread: </span>}
        {item.actor ? (
          <Link href={paths.profile(item.actor.handle)} class="author">
            {item.actor.displayName}
          </Link>
        ) : (
          "Someone"
        )}{" "}
        {what[item.type]}
        {target && (
          <>
            {" · "}
            <Link href={target}>{item.postId ? "View post" : "View profile"}</Link>
          </>
        )}
        <br />
        <span class="muted">
          <Time iso={item.createdAt} />
        </span>
      </p>
    </div>
  );
}

function FriendRequests() {
  const incoming = useAsync((signal) => api.friendRequests("incoming", { limit: 50, signal }), []);
  const outgoing = useAsync((signal) => api.friendRequests("outgoing", { limit: 50, signal }), []);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(request: FriendRequest, action: "accept" | "decline" | "cancel") {
    setBusy(request.id);
    try {
      if (action === "accept") await api.acceptFriendRequest(request.id);
      else if (action === "decline") await api.declineFriendRequest(request.id);
      else await api.cancelFriendRequest(request.id);
      const drop = (page: { items: FriendRequest[]; nextCursor: string | null }) => ({
        ...page,
        items: page.items.filter((item) => item.id !== request.id),
      });
      (action === "cancel" ? outgoing : incoming).setData(drop);
      notify(
        action === "accept"
          ? `You and ${request.from.displayName} are now friends.`
          : action === "decline"
            ? "Friend request declined."
            : "Friend request canceled.",
      );
    } catch (error) {
      notify(errorMessage(error), "error");
    } finally {
      setBusy(null);
    }
  }

  const inState = incoming.state;
  const outState = outgoing.state;
  const none =
    inState.status === "ready" &&
    outState.status === "ready" &&
    inState.data.items.length === 0 &&
    outState.data.items.length === 0;
  if (none) return null;
  return (
    <section class="card" aria-labelledby="requests-title">
      <h2 id="requests-title">Friend requests</h2>
      {inState.status === "loading" && <PersonPlaceholders n={1} />}
      {inState.status === "error" && <ErrorNote error={inState.error} retry={incoming.reload} />}
      {inState.status === "ready" && inState.data.items.length > 0 && (
        <ul class="people" aria-label="Requests to you">
          {inState.data.items.map((request) => (
            <li key={request.id}>
              <PersonRow person={request.from}>
                <button
                  type="button"
                  class="button"
                  disabled={busy === request.id}
                  onClick={() => act(request, "accept")}
                >
                  Accept
                </button>
                <button
                  type="button"
                  class="button secondary"
                  disabled={busy === request.id}
                  onClick={() => act(request, "decline")}
                >
                  Decline
                </button>
              </PersonRow>
            </li>
          ))}
        </ul>
      )}
      {outState.status === "ready" && outState.data.items.length > 0 && (
        <>
          <h3>Sent by you</h3>
          <ul class="people" aria-label="Requests you sent">
            {outState.data.items.map((request) => (
              <li key={request.id}>
                <PersonRow person={request.to}>
                  <button
                    type="button"
                    class="button secondary"
                    disabled={busy === request.id}
                    onClick={() => act(request, "cancel")}
                  >
                    Cancel
                  </button>
                </PersonRow>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function NotificationsPage() {
  usePageTitle("Notifications");
  const { unread } = useStore(session);
  const [busy, setBusy] = useState(false);
  const paged = usePaged(async (q) => {
    const page = await api.notifications(q);
    if (!q.cursor) setUnread(page.unreadCount);
    return page;
  }, "notifications");

  async function markRead() {
    const newest = paged.items[0]?.id;
    setBusy(true);
    try {
      // Up to the newest one shown: anything that arrived since stays unread.
      const result = await api.markRead(newest ? { upTo: newest } : {});
      setUnread(result.unreadCount);
      paged.update((items) =>
        items.map((item) => (newest && item.id <= newest ? { ...item, read: true } : item)),
      );
      notify("All caught up.");
    } catch (error) {
      notify(`Could not mark notifications read. ${errorMessage(error)}`, "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div class="page-head">
        <PageTitle>Notifications</PageTitle>
        <button
          type="button"
          class="button secondary"
          onClick={markRead}
          disabled={busy || unread === 0}
        >
          Mark all as read
        </button>
      </div>
      <p class="muted" aria-live="polite">
        {unread === 0 ? "Nothing unread." : `${unread} unread.`}
      </p>
      <FriendRequests />
      <PagedList
        paged={paged}
        label="Notifications"
        empty="No notifications yet. They appear here when people follow you, like, share or reply."
        placeholder={<PersonPlaceholders />}
        more="Load more notifications"
        class="notifications"
      >
        {(item) => <NotificationRow item={item} />}
      </PagedList>
    </>
  );
}
