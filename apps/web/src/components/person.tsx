import type { ComponentChildren } from "preact";
import type { ProfileSummary } from "../api";
import { Link, paths } from "../router";
import { Avatar } from "./avatar";

/** One person in a list: picture, name and handle, linking to their profile. */
export function PersonRow({
  person,
  children,
}: {
  person: ProfileSummary;
  children?: ComponentChildren;
}) {
  return (
    <div class="person">
      <Avatar person={person} />
      <div class="person-name">
        <Link href={paths.profile(person.handle)} class="author">
          {person.displayName}
        </Link>
        <br />
        <span class="handle">@{person.handle}</span>
      </div>
      {children && <div class="person-actions">{children}</div>}
    </div>
  );
}
