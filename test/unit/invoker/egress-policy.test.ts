// The egress policy on its own: which addresses are refused and why, what the allow-list admits, and the lookup
// that judges a name by the addresses it resolves to (a resolver is injected, so no DNS is involved).
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { blockedKind, EgressPolicy, EgressRefusedError, parseAllowEntry } from '../../../invoker/runtime/egress-policy.ts';

/** Every special-purpose range the policy refuses, one address each, with the word its refusal uses. */
const REFUSED_ADDRESSES: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  // IPv4 inside IPv6: judged by the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['64:ff9b::a00:1', 'private'], // NAT64 of 10.0.0.1
  ['2002:a9fe:a9fe::1', 'link-local'], // 6to4 of 169.254.169.254
  ['::127.0.0.1', 'reserved'], // IPv4-compatible (deprecated)
];

const PUBLIC_ADDRESSES = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

describe('egress policy: address ranges', () => {
  for (const [address, kind] of REFUSED_ADDRESSES) {
    it(`refuses ${address} as ${kind}`, () => assert.equal(blockedKind(address), kind));
  }

  it('lets public addresses through (IPv4, IPv6, and IPv4 inside IPv6)', () => {
    for (const address of PUBLIC_ADDRESSES) assert.equal(blockedKind(address), undefined, address);
  });

  it('reads bracketed IPv6 as URLs write it', () => {
    assert.equal(blockedKind('[::1]'), 'loopback');
    assert.equal(blockedKind('[2606:4700:4700::1111]'), undefined);
  });
});

describe('egress policy: allow-list', () => {
  it('parses host, host:port and IPv6 entries', () => {
    assert.deepEqual(parseAllowEntry('Example.COM'), { host: 'example.com', port: undefined });
    assert.deepEqual(parseAllowEntry('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseAllowEntry('[::1]:9000'), { host: '::1', port: 9000 });
    assert.deepEqual(parseAllowEntry('[fd00::5]'), { host: 'fd00::5', port: undefined });
    assert.deepEqual(parseAllowEntry('fd00::5'), { host: 'fd00::5', port: undefined });
    assert.equal(parseAllowEntry('host:99999'), undefined);
    assert.equal(parseAllowEntry('http://host/'), undefined);
    assert.throws(() => new EgressPolicy({ allowedHosts: ['a b'] }), /not a host or host:port/);
  });

  it('admits an entry without port on every port, one with a port on that port only', () => {
    const policy = new EgressPolicy({ allowedHosts: ['10.0.0.7', '127.0.0.1:5000', '[::1]:443'] });
    assert.equal(policy.refusal(new URL('http://10.0.0.7:1234/')), undefined);
    assert.equal(policy.refusal(new URL('http://127.0.0.1:5000/x')), undefined);
    assert.match(String(policy.refusal(new URL('http://127.0.0.1:5001/'))), /fetch to 127\.0\.0\.1 refused: loopback address/);
    assert.equal(policy.refusal(new URL('https://[::1]/')), undefined, 'https defaults to port 443');
    assert.match(String(policy.refusal(new URL('http://[::1]/'))), /fetch to ::1 refused: loopback address/);
  });

  it('admits the API host (its host and port)', () => {
    const policy = new EgressPolicy({ apiHost: 'http://127.0.0.1:3233' });
    assert.equal(policy.refusal(new URL('http://127.0.0.1:3233/api/v1/namespaces')), undefined);
    assert.ok(policy.refusal(new URL('http://127.0.0.1:6380/')) instanceof EgressRefusedError);
  });

  it('refuses schemes other than http and https', () => {
    const policy = new EgressPolicy();
    assert.match(String(policy.refusal(new URL('file:///etc/passwd'))), /TypeError: fetch of file: URLs is not supported/);
    assert.match(String(policy.refusal(new URL('ftp://example.com/'))), /not supported/);
  });

  it('normalizes the ways URLs write an IPv4 address before judging it', () => {
    const policy = new EgressPolicy();
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://[::ffff:127.0.0.1]/']) {
      assert.ok(policy.refusal(new URL(url)) instanceof EgressRefusedError, url);
    }
  });
});

describe('egress policy: the guarded lookup', () => {
  const names: Record<string, LookupAddress[]> = {
    'internal.example': [{ address: '10.0.0.5', family: 4 }],
    'mixed.example': [
      { address: '127.0.0.1', family: 4 },
      { address: '93.184.215.14', family: 4 },
    ],
    'public.example': [{ address: '2606:4700:4700::1111', family: 6 }],
  };
  const resolver = ((hostname: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    const found = names[hostname];
    if (found === undefined) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    else callback(null, found);
  }) as unknown as LookupFunction;
  const policy = new EgressPolicy({ lookup: resolver });

  function lookup(hostname: string, all: boolean): Promise<{ error: Error | null; result: unknown }> {
    return new Promise((resolve) => {
      policy.guardedLookup(hostname, { all }, (error: Error | null, address: unknown, family?: number) =>
        resolve({ error, result: all ? address : { address, family } }),
      );
    });
  }

  it('refuses a name that resolves to a private address', async () => {
    const { error } = await lookup('internal.example', false);
    assert.ok(error instanceof EgressRefusedError);
    assert.equal(error.message, 'fetch to internal.example refused: private address');
  });

  it('hands the connection only the public addresses of a name', async () => {
    assert.deepEqual((await lookup('mixed.example', true)).result, [{ address: '93.184.215.14', family: 4 }]);
    assert.deepEqual((await lookup('mixed.example', false)).result, { address: '93.184.215.14', family: 4 });
    assert.deepEqual((await lookup('public.example', false)).result, { address: '2606:4700:4700::1111', family: 6 });
  });

  it('passes resolution errors on', async () => {
    const { error } = await lookup('nowhere.example', false);
    assert.match(String(error), /ENOTFOUND/);
  });
});
