const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * The prefix an IPv6 client is counted by. ISPs delegate a /56 to a home or small office (RIPE-690
 * recommends /56 or /48; a /64 is one network inside it), so counting by /64 would give one
 * subscriber 256 budgets. A /48 would also lump together whole sites or carrier pools.
 */
export const IPV6_PREFIX = 56;

/** The eight 16-bit groups of an IPv6 address, `::` expanded. */
function groupsOf(address: string): number[] {
  const [head = "", tail] = address.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  const groups = tail === undefined ? left : [...left, ...zeros, ...right];
  return groups.slice(0, 8).map((group) => Number.parseInt(group, 16) || 0);
}

/** The network of IPV6_PREFIX bits an IPv6 address belongs to, written as `2001:db8:1:200::/56`. */
function network(address: string): string {
  const groups = groupsOf(address);
  const kept = [];
  for (let bits = 0, index = 0; bits < IPV6_PREFIX; bits += 16, index++) {
    const width = Math.min(16, IPV6_PREFIX - bits);
    const mask = (0xffff << (16 - width)) & 0xffff;
    kept.push(((groups[index] ?? 0) & mask).toString(16));
  }
  return `${kept.join(":")}::/${IPV6_PREFIX}`;
}

/** Whether a CF-Connecting-IP names this machine, as it does for every client of a local run. */
export function isLoopback(header: string | null | undefined): boolean {
  return LOOPBACK.test(header?.trim() ?? "");
}

/**
 * Whom a request's CF-Connecting-IP names, as the per-address sign-in limit counts it: an IPv4
 * address as is, an IPv6 address by its /56 (IPV6_PREFIX: one subscriber holds a whole /56 and
 * could otherwise take a fresh network per try). Null when there is no header, which Cloudflare's
 * edge always sets to the visitor's address in production (a client cannot supply its own).
 */
export function clientAddress(header: string | null | undefined): string | null {
  const address = header?.trim().toLowerCase() ?? "";
  if (address === "") return null;
  const mapped = MAPPED_IPV4.exec(address)?.[1];
  if (mapped) return mapped;
  return address.includes(":") ? network(address) : address;
}
