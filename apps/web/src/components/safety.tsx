import { useState } from "preact/hooks";
import type { Profile, ProfileSummary } from "../api";
import { api, errorMessage } from "../api";
import { usePaged } from "../paged";
import { notify } from "../toasts";
import { PagedList, PersonPlaceholders } from "./paged-list";
import { PersonRow } from "./person";
import { Confirm } from "./ui";

type Person = Pick<ProfileSummary, "handle" | "displayName">;

const told = {
  block: (p: Person) =>
    `You blocked ${p.displayName}. Neither of you sees the other's posts, and they cannot follow you.`,
  unblock: (p: Person) => `You unblocked ${p.displayName}.`,
  mute: (p: Person) => `You muted ${p.displayName}. Their posts leave your home feed.`,
  unmute: (p: Person) => `You unmuted ${p.displayName}.`,
};

/** Blocks, unblocks, mutes or unmutes someone, says so, and answers the profile as it now stands. */
export async function restrict(change: keyof typeof told, person: Person): Promise<Profile | null> {
  try {
    const profile = await api[change](person.handle);
    notify(told[change](person));
    return profile;
  } catch (error) {
    notify(errorMessage(error), "error");
    return null;
  }
}

/** Mute and block buttons for a profile; blocking asks first, since it ends follows and friendship. */
export function SafetyActions({
  profile,
  onChange,
}: {
  profile: Profile;
  onChange: (profile: Profile) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const viewer = profile.viewer;
  if (!viewer) return null;
  async function act(change: keyof typeof told) {
    setBusy(true);
    const next = await restrict(change, profile);
    if (next) onChange(next);
    setBusy(false);
    setConfirming(false);
  }
  return (
    <div class="relationship safety">
      {viewer.blockedBy && <span class="chip">Blocks you</span>}
      <button
        type="button"
        class="button secondary"
        aria-pressed={viewer.muting}
        disabled={busy}
        onClick={() => act(viewer.muting ? "unmute" : "mute")}
      >
        {viewer.muting ? "Muted · Unmute" : "Mute"}
      </button>
      <button
        type="button"
        class="button secondary"
        aria-pressed={viewer.blocking}
        disabled={busy}
        onClick={() => (viewer.blocking ? act("unblock") : setConfirming(true))}
      >
        {viewer.blocking ? "Blocked · Unblock" : "Block"}
      </button>
      {confirming && (
        <Confirm
          question={`Block ${profile.displayName}? You stop following each other and neither of you sees the other's posts.`}
          confirmLabel="Block"
          busy={busy}
          onConfirm={() => act("block")}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}

/** The accounts you block or mute, each with the button that lifts it: a section of settings. */
export function RestrictedAccounts({ list }: { list: "blocks" | "mutes" }) {
  const paged = usePaged((q) => api.restricted(list, q), `restricted:${list}`);
  const blocks = list === "blocks";
  const title = blocks ? "Blocked accounts" : "Muted accounts";
  const id = `${list}-title`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <PagedList
        paged={paged}
        label={title}
        empty={blocks ? "You block nobody." : "You mute nobody."}
        placeholder={<PersonPlaceholders />}
        more="Load more people"
        class="people"
      >
        {(person) => (
          <PersonRow person={person}>
            <button
              type="button"
              class="button secondary"
              onClick={async () => {
                if (await restrict(blocks ? "unblock" : "unmute", person))
                  paged.update((items) => items.filter((item) => item.id !== person.id));
              }}
            >
              {blocks ? "Unblock" : "Unmute"}
              <span class="visually-hidden"> {person.displayName}</span>
            </button>
          </PersonRow>
        )}
      </PagedList>
    </section>
  );
}

/** A post's menu for someone else's post: mute or block its author from where you read them. */
export function PostMenu({ author }: { author: Person }) {
  return (
    <details class="post-menu">
      <summary aria-label={`More about this post by ${author.displayName}`}>⋯</summary>
      <div class="post-menu-items">
        <button type="button" class="button secondary" onClick={() => restrict("mute", author)}>
          Mute @{author.handle}
        </button>
        <button type="button" class="button secondary" onClick={() => restrict("block", author)}>
          Block @{author.handle}
        </button>
      </div>
    </details>
  );
}
