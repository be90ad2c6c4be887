// Where an action's fetch may connect (docs/fetch.md). By default only to public addresses: private, loopback,
// link-local, unique-local, shared (CGNAT), multicast, unspecified and other special-purpose ranges are refused,
// for IPv4 and IPv6 alike, IPv4-mapped, NAT64 and 6to4 addresses judged by the IPv4 address they carry. A host on
// the operator's allow-list (ISOWHISK_FETCH_ALLOWED_HOSTS) and the platform's own API host are allowed whatever
// their address.
//
// Names are judged after DNS resolution, by the lookup the connection itself uses (`guardedLookup`): the address
// checked is the address connected to, so a name that resolves to a public address when checked and to a private
// one when connected (DNS rebinding) cannot slip through. Literal IP addresses never reach a lookup, so
// `refusal()` judges them before a request is sent; both run again on every redirect.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** A fetch the policy refused; the guest sees its message as a TypeError. */
export class EgressRefusedError extends Error {
  readonly code = 'ISOWHISK_EGRESS_REFUSED';

  constructor(host: string, kind: string) {
    super(`fetch to ${host} refused: ${kind} address`);
    this.name = 'EgressRefusedError';
  }
}

/** Special-purpose ranges (IANA IPv4/IPv6 Special-Purpose Address Registries), by the word a refusal uses. */
const RANGES: ReadonlyArray<readonly [kind: string, subnets: ReadonlyArray<readonly [string, number]>]> = [
  ['unspecified', [['0.0.0.0', 8], ['::', 128]]],
  ['loopback', [['127.0.0.0', 8], ['::1', 128]]],
  ['private', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]]],
  ['shared (CGNAT)', [['100.64.0.0', 10]]],
  ['link-local', [['169.254.0.0', 16], ['fe80::', 10]]],
  ['unique-local', [['fc00::', 7]]],
  ['multicast', [['224.0.0.0', 4], ['ff00::', 8]]],
  [
    'reserved',
    [
      ['192.0.0.0', 24], // IETF protocol assignments
      ['192.0.2.0', 24], // documentation
      ['198.18.0.0', 15], // benchmarking
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4], // reserved, and the broadcast address
      ['::', 96], // IPv4-compatible (deprecated)
      ['100::', 64], // discard-only
      ['2001:db8::', 32], // documentation
      ['fec0::', 10], // site-local (deprecated)
    ],
  ],
];

const BLOCKS = RANGES.map(([kind, subnets]) => {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { kind, list };
});

/** The 8 groups of an IPv6 address (a trailing dotted IPv4 part allowed); undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

const ipv4Of = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/** The IPv4 address a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address stands for. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (g === undefined) return undefined;
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) return ipv4Of(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return ipv4Of(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

/** The kind of special-purpose range `address` (an IP literal) falls in, or undefined for a public address. */
export function blockedKind(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 0) return 'unparsable';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const plain = bare.replace(/%.*$/, '');
  for (const { kind, list } of BLOCKS) if (list.check(plain, type)) return kind;
  const inner = family === 6 ? embeddedIpv4(plain) : undefined;
  return inner === undefined ? undefined : blockedKind(inner);
}

/** One allow-list entry: a host (any port) or host:port. */
interface AllowEntry {
  host: string;
  port: number | undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address → its host (lower case, no brackets) and port. */
export function parseAllowEntry(entry: string): AllowEntry | undefined {
  const text = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed?.[1] !== undefined) return isIP(bracketed[1]) === 6 ? withPort(bracketed[1], bracketed[2]) : undefined;
  if (isIP(text) === 6) return { host: text, port: undefined };
  const plain = /^([a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(text);
  return plain?.[1] === undefined ? undefined : withPort(plain[1], plain[2]);
}

function withPort(host: string, port: string | undefined): AllowEntry | undefined {
  if (port === undefined) return { host, port: undefined };
  const n = Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/** The port a URL connects to. */
export function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** A URL's host as the allow-list and refusals name it (IPv6 without brackets). */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

export interface EgressPolicyOptions {
  /** Operator's entries (`host` or `host:port`), allowed even when their address is private. */
  allowedHosts?: readonly string[];
  /** The platform's API URL (`__OW_API_HOST`): its host and port are allowed too. */
  apiHost?: string;
  /** Resolves names; dns.lookup unless a test injects another. */
  lookup?: LookupFunction;
}

export class EgressPolicy {
  readonly #allowed: AllowEntry[];
  readonly #resolve: LookupFunction;

  constructor(options: EgressPolicyOptions = {}) {
    this.#allowed = [];
    for (const entry of options.allowedHosts ?? []) {
      const parsed = parseAllowEntry(entry);
      if (parsed === undefined) throw new Error(`not a host or host:port: ${JSON.stringify(entry)}`);
      this.#allowed.push(parsed);
    }
    if (options.apiHost !== undefined && URL.canParse(options.apiHost)) {
      const api = new URL(options.apiHost);
      this.#allowed.push({ host: hostOf(api), port: portOf(api) });
    }
    this.#resolve = options.lookup ?? (dnsLookup as LookupFunction);
  }

  /** Whether the operator allowed this URL's host (and port): then its address is not judged. */
  allowListed(url: URL): boolean {
    const host = hostOf(url);
    const port = portOf(url);
    return this.#allowed.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port));
  }

  /**
   * What can be judged before connecting: the scheme, and a literal IP address (which no lookup will see).
   * Undefined when the request may go on to the connection's lookup.
   */
  refusal(url: URL): Error | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return new TypeError(`fetch of ${url.protocol} URLs is not supported`);
    if (this.allowListed(url)) return undefined;
    const host = hostOf(url);
    if (isIP(host) === 0) return undefined;
    const kind = blockedKind(host);
    return kind === undefined ? undefined : new EgressRefusedError(host, kind);
  }

  /**
   * A `net.connect` lookup that resolves `hostname` and hands the connection only public addresses; when none is
   * public, the connection fails with an EgressRefusedError. Used for every host that is not allow-listed.
   */
  readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    this.#resolve(hostname, { ...options, all: true }, (error, resolved) => {
      if (error) return callback(error, '', 0);
      const all: LookupAddress[] = Array.isArray(resolved) ? resolved : [];
      const usable = all.filter((a) => blockedKind(a.address) === undefined);
      if (usable.length === 0) {
        const kind = all[0] === undefined ? 'unresolvable' : (blockedKind(all[0].address) ?? 'unresolvable');
        const refused = new EgressRefusedError(hostname, kind) as NodeJS.ErrnoException;
        return callback(refused, '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const first = usable[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
