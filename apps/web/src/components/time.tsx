import { ago, fullDate } from "../format";

export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {ago(iso)}
    </time>
  );
}
