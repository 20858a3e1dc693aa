/**
 * The address field of a host* record in pg_hba.conf, parsed the way PostgreSQL does it on
 * Debian/glibc (hba.c parse_hba_line, src/common/ip.c, src/backend/libpq/ifaddr.c):
 *
 *  - the part before any '/' goes to getaddrinfo(AI_NUMERICHOST, AF_UNSPEC); EAI_NONAME means
 *    "host name" (then a '/' is an error), anything else is `invalid IP address "%s": %s`;
 *  - the part after the '/' goes to pg_sockaddr_cidr_mask (strtol) → `invalid CIDR mask in address "%s"`;
 *  - a separate netmask field goes to getaddrinfo too → `invalid IP mask "%s": %s`, and a family
 *    different from the address's is `IP address and mask do not match`. That mask is never checked
 *    for contiguity, so 255.0.255.0 is a valid pg_hba mask and everything below copes with it.
 *
 * Every function is pure and never throws.
 */

export type Family = 4 | 6;
/**
 * Byte values 0..255 in network order. Plain arrays rather than Uint8Arrays: a 20,000-line file
 * holds tens of thousands of them, and a typed array costs several times more to allocate and collect.
 */
export type Bytes = number[];
export interface Ip { family: Family; bytes: Bytes } // 4 or 16 bytes
export interface IpRange { family: Family; addr: Bytes; mask: Bytes } // addr already masked

/** gai_strerror(EAI_NONAME) on glibc, for `invalid IP mask "x": Name or service not known`. */
export const GAI_NONAME_TEXT = 'Name or service not known';

const byteLength = (family: Family) => (family === 4 ? 4 : 16);
const zeros = (n: number): Bytes => (n === 4 ? [0, 0, 0, 0] : new Array<number>(n).fill(0));

/** C sees a string only up to its first NUL. */
const cString = (s: string) => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/**
 * getaddrinfo(AI_NUMERICHOST) on glibc: an address, 'hostname' when it is not numeric (EAI_NONAME),
 * or a gai error text for other failures.
 *
 * With AF_UNSPEC, AI_NUMERICHOST and no service, glibc's only failure is EAI_NONAME, so the
 * gaiError branch never happens here; it stays in the type because PostgreSQL has the branch.
 *
 * Zone ids (`fe80::1%2`) are ignored in the result, as pg_range_sockaddr ignores them. glibc takes
 * a decimal zone (<= 2^32-1) on any IPv6 address, but an interface name only on link-local
 * unicast/multicast and node-local multicast addresses, and only when that interface exists on the
 * server. We cannot see the server's interfaces, so only `knownInterfaces` (by default `lo`, which
 * every Linux server has) count as existing; `fe80::1%eth0` is a host name unless the caller says
 * eth0 exists.
 */
export function parseNumericHost(
  s: string,
  knownInterfaces: readonly string[] = ['lo'],
): Ip | 'hostname' | { gaiError: string } {
  const text = cString(s);
  const v4 = parseInetAton(text);
  if (v4) return { family: 4, bytes: v4 };
  const pct = text.indexOf('%');
  const v6 = parseInet6(pct < 0 ? text : text.slice(0, pct));
  if (v6 && (pct < 0 || zoneAccepted(v6, text.slice(pct + 1), knownInterfaces))) return { family: 6, bytes: v6 };
  return 'hostname'; // also '' (pg_getaddrinfo_all passes NULL) and '*' (glibc reads it as NULL)
}

/**
 * glibc __inet_aton_exact: 1 to 4 dot-separated C integers (0x hex, 0 octal, else decimal); the
 * last part fills the remaining bytes, so 127.1 = 127.0.0.1, 10.1.2 = 10.1.0.2, 2130706433 = 127.0.0.1.
 */
function parseInetAton(s: string): Bytes | undefined {
  const plain = plainDottedQuad(s);
  if (plain) return plain;
  const parts = s.split('.').map(parseCUnsigned);
  if (parts.length > 4 || parts.some((p) => p === undefined)) return undefined;
  const values = parts as number[];
  const last = values.pop()!;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  const bytes = [0, 0, 0, 0];
  values.forEach((v, i) => (bytes[i] = v));
  for (let i = 3; i >= values.length; i--) bytes[i] = Math.floor(last / 2 ** (8 * (3 - i))) & 0xff;
  return bytes;
}

/** The common a.b.c.d with decimal parts of no leading zero, read without splitting or regexes. */
function plainDottedQuad(s: string): Bytes | undefined {
  const bytes = [0, 0, 0, 0];
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // the end closes the last part like a dot
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return undefined; // leading zero: octal, for the general path
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else if (c === 46 && digits > 0 && part < 4) {
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return part === 4 ? bytes : undefined;
}

/** strtoul(base 0) on a whole part that starts with a digit; undefined on junk or above 2^32-1. */
function parseCUnsigned(p: string): number | undefined {
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(p);
  if (!m) return undefined;
  const n = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2] || '0', 8) : parseInt(m[3], 10);
  return n <= 0xffffffff ? n : undefined;
}

/** glibc inet_pton(AF_INET6): hex groups of 1-4 digits, one '::', optional strict dotted quad at the end. */
function parseInet6(s: string): Bytes | undefined {
  const lastColon = s.lastIndexOf(':');
  let text = s;
  if (s.includes('.')) {
    // inet_pton4: exactly four decimal octets <= 255, no leading zeros; only after the last colon
    const octet = '(0|[1-9][0-9]{0,2})';
    const quad = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`).exec(s.slice(lastColon + 1));
    if (lastColon < 0 || !quad || quad.slice(1).some((o) => Number(o) > 255)) return undefined;
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (groups.flat().some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const count = groups[0].length + (groups[1]?.length ?? 0);
  // with '::' it must stand for at least one zero group
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const words = [...groups[0], ...Array(8 - count).fill('0'), ...(groups[1] ?? [])].map((g) => parseInt(g, 16));
  const bytes = zeros(16);
  words.forEach((w, i) => ((bytes[2 * i] = w >> 8), (bytes[2 * i + 1] = w & 0xff)));
  return bytes;
}

/**
 * glibc __inet6_scopeid_pton. if_nametoindex refuses names of IFNAMSIZ (16) bytes or more, and
 * Linux's SIOCGIFINDEX drops an alias suffix from the first ':', so `lo:0` and `lo:x` are lo.
 */
function zoneAccepted(addr: Bytes, zone: string, knownInterfaces: readonly string[]): boolean {
  const linkLocal = addr[0] === 0xfe && (addr[1] & 0xc0) === 0x80;
  const scopedMulticast = addr[0] === 0xff && ((addr[1] & 0x0f) === 1 || (addr[1] & 0x0f) === 2);
  const ifName = zone.split(':')[0];
  const isInterface = new TextEncoder().encode(zone).length < 16 && ifName !== '' && knownInterfaces.includes(ifName);
  if ((linkLocal || scopedMulticast) && isInterface) return true;
  return /^[0-9]+$/.test(zone) && Number(zone) <= 0xffffffff;
}

/**
 * pg_sockaddr_cidr_mask: the mask for a prefix length string, or undefined when PostgreSQL would say
 * "invalid CIDR mask". strtol(…, 10) must consume the whole non-empty text: leading C whitespace and
 * one sign are allowed (` 8`, `+8`, `-0`, `08`), trailing anything is not; then 0..32 or 0..128.
 */
export function cidrMask(lenText: string, family: Family): Bytes | undefined {
  const bits = plainDecimal(lenText) ?? cPrefixLength(lenText);
  if (bits === undefined || bits > 8 * byteLength(family)) return undefined;
  const made = family === 4 ? V4_MASKS : V6_MASKS;
  return (made[bits] ??= Object.freeze(Array.from({ length: byteLength(family) }, (_, i) => (0xff00 >> Math.min(8, Math.max(0, bits - 8 * i))) & 0xff)) as Bytes);
}

/**
 * Each prefix mask is made once and shared (frozen, so no holder can change another's): each host
 * record of a 20,000-line file would otherwise keep a mask array of its own.
 */
const V4_MASKS: Bytes[] = [];
const V6_MASKS: Bytes[] = [];

/** The usual /24: a few decimal digits, read without a regex. */
function plainDecimal(s: string): number | undefined {
  if (s.length === 0 || s.length > 3) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/** strtol's reading of a prefix length; -0 is 0, any other sign or trailing text is invalid. */
function cPrefixLength(s: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(cString(s));
  if (!m) return undefined;
  const bits = Number(m[2]);
  return m[1] === '-' && bits !== 0 ? undefined : bits;
}

/** The prefix length of a mask, or undefined when its one bits are not contiguous from the top. */
export function prefixLength(mask: Bytes): number | undefined {
  let ones = 0;
  let i = 0;
  while (i < mask.length && mask[i] === 0xff) (ones += 8), i++;
  if (i === mask.length) return ones;
  // The first byte that is not all ones must be ones then zeros (0b11100000), and the rest zero.
  const b = mask[i];
  const zeros = (~b & 0xff) + 1;
  if ((zeros & (zeros - 1)) !== 0) return undefined;
  ones += 8 - Math.log2(zeros);
  for (i++; i < mask.length; i++) if (mask[i] !== 0) return undefined;
  return ones;
}

/**
 * A range from an address and a mask of the same family (PostgreSQL rejects any other line with
 * "IP address and mask do not match"); a mask of the wrong length is cut or padded with zero bytes.
 * A mask of the right length is kept, not copied: masks are never changed once made.
 */
export function makeRange(ip: Ip, mask: Bytes): IpRange {
  const length = byteLength(ip.family);
  const m = mask.length === length ? mask : zeros(length);
  const addr = zeros(length);
  for (let i = 0; i < length && i < mask.length; i++) {
    if (m !== mask) m[i] = mask[i];
    addr[i] = ip.bytes[i] & mask[i];
  }
  return { family: ip.family, addr, mask: m };
}

/**
 * True when every address matched by inner is also matched by outer, with pg_range_sockaddr's
 * test ((client ^ addr) & mask) == 0, which works for non-contiguous masks too: every bit outer
 * looks at must be fixed by inner, to the same value.
 *
 * Ranges of different families never cover each other. check_ip matches a client only against
 * rules of its own family (PostgreSQL 8.x promoted IPv4 rules for IPv6 clients; current releases do
 * not), and the postmaster sets IPV6_V6ONLY on its IPv6 sockets, so an IPv4 client is always
 * AF_INET: it never shows up as ::ffff:a.b.c.d, and a ::ffff:0:0/96 rule matches no real client.
 */
export function rangeCovers(outer: IpRange, inner: IpRange): boolean {
  if (outer.family !== inner.family) return false;
  return outer.mask.every((mo, i) => (mo & ~inner.mask[i]) === 0 && ((outer.addr[i] ^ inner.addr[i]) & mo) === 0);
}

const LOOPBACK_V4: IpRange = { family: 4, addr: [127, 0, 0, 0], mask: [255, 0, 0, 0] };
const LOOPBACK_V6: IpRange = { family: 6, addr: [...zeros(15), 1], mask: zeros(16).fill(0xff) };

/** Loopback is 127.0.0.0/8 and ::1/128 (not ::ffff:127.0.0.0/104, which no client can come from). */
export function isLoopbackRange(r: IpRange): boolean {
  return rangeCovers(r.family === 4 ? LOOPBACK_V4 : LOOPBACK_V6, r);
}

/** The range matches every address of its family. */
export function isWorldRange(r: IpRange): boolean {
  return r.mask.every((b) => b === 0);
}

/**
 * The text glibc's inet_ntop gives (what PostgreSQL shows, e.g. in pg_hba_file_rules): lowercase,
 * the first longest run of two or more zero groups as '::', and a dotted quad for ::a.b.c.d and
 * ::ffff:a.b.c.d.
 */
export function formatIp(ip: Ip): string {
  const b = ip.bytes;
  if (ip.family === 4) return b.slice(0, 4).join('.');
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = { start: -1, len: 1 }; // a single zero group is not compressed
  for (let i = 0, run = 0; i < 8; i++) {
    run = words[i] === 0 ? run + 1 : 0;
    if (run > best.len) best = { start: i - run + 1, len: run };
  }
  if (best.start === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff)))
    return `::${best.len === 5 ? 'ffff:' : ''}${b.slice(12).join('.')}`;
  const hex = (from: number, to: number) => words.slice(from, to).map((w) => w.toString(16)).join(':');
  return best.start < 0 ? hex(0, 8) : `${hex(0, best.start)}::${hex(best.start + best.len, 8)}`;
}
