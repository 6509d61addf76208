import { useState } from "preact/hooks";

const palette = ["#0b57d0", "#146c2e", "#8e24aa", "#b3261e", "#7c4a03", "#00639b"];

function colorFor(handle: string): string {
  let hash = 0;
  for (const char of handle) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return palette[hash % palette.length] ?? "#0b57d0";
}

/**
 * A profile picture, or the name's first letter when there is none or it fails to load. It is
 * decorative (alt=""): the name is always written next to it. Only an image flock hosts is shown:
 * a picture from elsewhere would tell its server who looked, and the CSP allows images from flock only.
 */
export function Avatar(props: {
  person: { handle: string; displayName: string; avatarUrl: string | null };
  size?: number;
}) {
  const { person, size = 40 } = props;
  const [broken, setBroken] = useState(false);
  const url =
    person.avatarUrl && /^\/media\/[0-9A-Z]+$/.test(person.avatarUrl) ? person.avatarUrl : null;
  const style = {
    width: `${size}px`,
    height: `${size}px`,
    fontSize: `${Math.round(size / 2.3)}px`,
  };
  if (url && !broken) {
    return (
      <img
        class="avatar"
        src={url}
        alt=""
        width={size}
        height={size}
        loading="lazy"
        referrerpolicy="no-referrer"
        style={style}
        onError={() => setBroken(true)}
      />
    );
  }
  const letter = [...(person.displayName.trim() || person.handle)][0]?.toUpperCase() ?? "?";
  return (
    <span
      class="avatar avatar-letter"
      aria-hidden="true"
      style={{ ...style, backgroundColor: colorFor(person.handle) }}
    >
      {letter}
    </span>
  );
}
