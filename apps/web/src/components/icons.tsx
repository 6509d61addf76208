// Inline icons: they render the same everywhere (emoji fonts are missing on many systems) and are
// hidden from screen readers, since every button also says what it does in words.
const base = {
  width: 18,
  height: 18,
  viewBox: "0 0 24 24",
  fill: "none",
  stroke: "currentColor",
  "stroke-width": 2,
  "stroke-linecap": "round",
  "stroke-linejoin": "round",
  focusable: "false",
} as const;

export function HeartIcon({ filled }: { filled: boolean }) {
  return (
    <svg {...base} fill={filled ? "currentColor" : "none"} aria-hidden="true">
      <path d="M12 20s-7-4.4-9.2-8.6C1.3 8.4 3 5 6.4 5c2 0 3.3 1.1 4.1 2.4h3C14.3 6.1 15.6 5 17.6 5 21 5 22.7 8.4 21.2 11.4 19 15.6 12 20 12 20z" />
    </svg>
  );
}

export function CommentIcon() {
  return (
    <svg {...base} aria-hidden="true">
      <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1.1-4.6A8 8 0 1 1 21 12z" />
    </svg>
  );
}

export function ShareIcon() {
  return (
    <svg {...base} aria-hidden="true">
      <path d="M17 2l4 4-4 4" />
      <path d="M3 11V9a3 3 0 0 1 3-3h15" />
      <path d="M7 22l-4-4 4-4" />
      <path d="M21 13v2a3 3 0 0 1-3 3H3" />
    </svg>
  );
}
