const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** The first four groups of an IPv6 address (its /64 network), written out in full. */
function network64(address: string): string {
  const [head = "", tail] = address.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  const groups = tail === undefined ? left : [...left, ...zeros, ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(":")}::/64`;
}

/**
 * Whom a request's CF-Connecting-IP names, as the per-address rate limits count it: an IPv4 address
 * as is, an IPv6 address by its /64 (one subscriber usually holds a whole /64 and could otherwise
 * take a fresh address per try). Null when there is no header or it names this machine: in
 * production Cloudflare's edge always sets the header to the visitor's address, which is never a
 * loopback one; locally every client is loopback (miniflare fills the header from the socket).
 */
export function clientAddress(header: string | null | undefined): string | null {
  const address = header?.trim().toLowerCase() ?? "";
  if (address === "" || LOOPBACK.test(address)) return null;
  const mapped = MAPPED_IPV4.exec(address)?.[1];
  if (mapped) return mapped;
  return address.includes(":") ? network64(address) : address;
}
