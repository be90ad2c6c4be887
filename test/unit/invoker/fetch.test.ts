// fetch inside an action's isolate, carried out by the host against real local HTTP servers: the WHATWG surface
// actions use, the egress policy (literal addresses of every refused range, names resolving to private addresses,
// redirects to them), and the bounds (the action's timeout, body sizes, fetches in flight).
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { ActionSandbox, type HostFunction, type SandboxOptions } from '../../../invoker/runtime/action-sandbox.ts';
import type { ActivationOutcome, JsonObject } from '../../../invoker/runtime/classify.ts';
import { createFetchService, DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchService } from '../../../invoker/runtime/fetch-host.ts';
import { waitFor } from './helpers.ts';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A test server: answers by path, records what it saw and which requests were closed before an answer. */
class TestServer {
  readonly seen: Seen[] = [];
  closedUnanswered = 0;
  readonly held: ServerResponse[] = [];
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const n = Number(url.searchParams.get('n') ?? 0);
      switch (url.pathname) {
        case '/echo':
          res.setHeader('content-type', 'application/json');
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
          return;
        case '/bytes':
          res.setHeader('content-type', 'application/octet-stream');
          res.end(Buffer.from([0, 1, 2, 253, 254, 255]));
          return;
        case '/utf8':
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.end('héllo wörld ✓ 😀');
          return;
        case '/missing':
          res.statusCode = 404;
          res.end('nothing here');
          return;
        case '/redirect':
          res.statusCode = Number(url.searchParams.get('code') ?? 302);
          res.setHeader('location', url.searchParams.get('to') ?? '/echo');
          res.end();
          return;
        case '/loop':
          res.statusCode = 302;
          res.setHeader('location', '/loop');
          res.end();
          return;
        case '/big':
          res.setHeader('content-length', String(n));
          res.end(Buffer.alloc(n, 120));
          return;
        case '/big-chunked':
          // No content-length: the size is only known while reading.
          for (let sent = 0; sent < n; sent += 1024) res.write(Buffer.alloc(Math.min(1024, n - sent), 121));
          res.end();
          return;
        case '/hang':
          res.on('close', () => {
            if (!res.writableEnded) this.closedUnanswered++;
          });
          this.held.push(res);
          return;
        default:
          res.statusCode = 400;
          res.end('unknown path');
      }
    });
  }
}

const allowed = new TestServer();
const other = new TestServer();
let port = 0;
let otherPort = 0;
let base = '';

/** Names the tests resolve without DNS; anything else goes to the system resolver (`localhost`). */
const NAMES: Record<string, LookupAddress[]> = {
  'internal.test': [{ address: '10.0.0.5', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
};
const testLookup = ((hostname: string, options: object, callback: (e: Error | null, a: LookupAddress[]) => void) => {
  const known = NAMES[hostname];
  if (known !== undefined) return callback(null, known);
  dnsLookup(hostname, { ...options, all: true }, callback);
}) as unknown as LookupFunction;

const services: FetchService[] = [];
const sandboxes: ActionSandbox[] = [];

function fetchService(limits: Partial<FetchLimits> = {}): FetchService {
  const service = createFetchService({ policy: { allowedHosts: [`127.0.0.1:${port}`], lookup: testLookup }, limits });
  services.push(service);
  return service;
}

async function run(code: string, params: JsonObject = {}, options: { limits?: Partial<FetchLimits>; timeoutMs?: number; sandbox?: Partial<SandboxOptions> } = {}): Promise<ActivationOutcome> {
  const sandbox = await ActionSandbox.create({ memoryMB: 64, fetch: fetchService(options.limits), ...options.sandbox });
  sandboxes.push(sandbox);
  return sandbox.activate({
    action: { code },
    params: { base, ...params },
    owEnv: { __OW_API_HOST: 'http://127.0.0.1:3233' },
    timeoutMs: options.timeoutMs ?? 10_000,
    logLimitBytes: 1024 * 1024,
  });
}

/** Runs `code` and expects success; returns its result. */
async function result(code: string, params: JsonObject = {}, options: Parameters<typeof run>[2] = {}): Promise<Record<string, unknown>> {
  const outcome = await run(code, params, options);
  assert.equal(outcome.statusCode, 0, JSON.stringify(outcome.result));
  return outcome.result as Record<string, unknown>;
}

before(async () => {
  port = await allowed.listen();
  otherPort = await other.listen();
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  for (const s of sandboxes.splice(0)) s.dispose();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

after(async () => {
  for (const res of allowed.held) res.destroy();
  await Promise.all([allowed.close(), other.close()]);
});

describe('fetch in actions: the WHATWG surface', () => {
  it('GETs JSON: status, ok, headers, json(), url', async () => {
    const r = await result(`async function main({ base }) {
      const res = await fetch(base + '/echo?q=1', { headers: { 'X-Custom': 'yes' } });
      const body = await res.json();
      return { status: res.status, ok: res.ok, type: res.headers.get('Content-Type'), cookies: res.headers.getSetCookie(),
               url: res.url, redirected: res.redirected, method: body.method, path: body.url, custom: body.headers['x-custom'], used: res.bodyUsed };
    }`);
    assert.deepEqual(r, {
      status: 200, ok: true, type: 'application/json', cookies: ['a=1', 'b=2'], url: `${base}/echo?q=1`, redirected: false,
      method: 'GET', path: '/echo?q=1', custom: 'yes', used: true,
    });
  });

  it('POSTs string, JSON, Uint8Array and ArrayBuffer bodies', async () => {
    const r = await result(`async function main({ base }) {
      const text = await (await fetch(base + '/echo', { method: 'post', body: 'plain ✓' })).json();
      const json = await (await fetch(new Request(base + '/echo', { method: 'PUT', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } }))).json();
      const u8 = await (await fetch(base + '/echo', { method: 'POST', body: new Uint8Array([104, 105]) })).json();
      const ab = await (await fetch(base + '/echo', { method: 'PATCH', body: new Uint8Array([111, 107]).buffer })).json();
      return { text: [text.method, text.body, text.headers['content-type']], json: [json.method, json.body, json.headers['content-type']],
               u8: u8.body, ab: [ab.method, ab.body] };
    }`);
    assert.deepEqual(r, {
      text: ['POST', 'plain ✓', 'text/plain;charset=UTF-8'],
      json: ['PUT', '{"a":1}', 'application/json'],
      u8: 'hi',
      ab: ['PATCH', 'ok'],
    });
  });

  it('reads bodies as text (UTF-8), arrayBuffer and bytes; refuses a second read', async () => {
    const r = await result(`async function main({ base }) {
      const text = await (await fetch(base + '/utf8')).text();
      const res = await fetch(base + '/bytes');
      const copy = res.clone();
      const bytes = Array.from(new Uint8Array(await res.arrayBuffer()));
      const again = await res.text().then(() => 'read twice', (e) => e.name + ': ' + e.message);
      const viaBytes = Array.from(await copy.bytes());
      return { text, bytes, again, viaBytes };
    }`);
    assert.deepEqual(r, {
      text: 'héllo wörld ✓ 😀',
      bytes: [0, 1, 2, 253, 254, 255],
      again: 'TypeError: Body is unusable: Body has already been read',
      viaBytes: [0, 1, 2, 253, 254, 255],
    });
  });

  it('offers its globals as Node does: functions, not enumerable, replaceable by the action', async () => {
    const r = await result(`async function main() {
      const names = ['fetch', 'Request', 'Response', 'Headers', 'AbortController', 'AbortSignal', 'DOMException'];
      const kinds = names.map((n) => typeof globalThis[n]);
      const enumerable = names.filter((n) => Object.keys(globalThis).includes(n));
      globalThis.fetch = async () => 'stubbed';
      return { kinds, enumerable, stubbed: await fetch('http://x/') };
    }`);
    assert.deepEqual(r, { kinds: Array(7).fill('function'), enumerable: [], stubbed: 'stubbed' });
  });

  it('answers a 404 as a response, not an error', async () => {
    const r = await result(`async function main({ base }) {
      const res = await fetch(base + '/missing');
      return { status: res.status, ok: res.ok, text: await res.text() };
    }`);
    assert.deepEqual(r, { status: 404, ok: false, text: 'nothing here' });
  });

  it('offers Headers, Request and Response for code that builds them itself', async () => {
    const r = await result(`async function main() {
      const h = new Headers([['B', '2'], ['a', '1']]);
      h.append('a', '3');
      const req = new Request('http://example.test/x', { method: 'post', body: 'x', headers: h });
      const res = Response.json({ hi: 1 }, { status: 201 });
      let badStatus; try { new Response('', { status: 99 }) } catch (e) { badStatus = e.name }
      let getBody; try { new Request('http://example.test/', { body: 'x' }) } catch (e) { getBody = e.name }
      return { entries: [...h], method: req.method, text: await req.text(), status: res.status, type: res.headers.get('content-type'),
               json: await res.json(), badStatus, getBody, abort: typeof AbortSignal.timeout };
    }`);
    assert.deepEqual(r, {
      entries: [['a', '1, 3'], ['b', '2']],
      method: 'POST', text: 'x', status: 201, type: 'application/json', json: { hi: 1 }, badStatus: 'RangeError', getBody: 'TypeError', abort: 'function',
    });
  });

  it('follows redirects (303 turns a POST into a GET), or returns them (manual), or fails on them (error)', async () => {
    const r = await result(`async function main({ base }) {
      const followed = await fetch(base + '/redirect?code=303&to=/echo', { method: 'POST', body: 'x' });
      const echoed = await followed.json();
      const manual = await fetch(base + '/redirect?to=/echo', { redirect: 'manual' });
      const refused = await fetch(base + '/redirect?to=/echo', { redirect: 'error' }).then(() => 'followed', (e) => e.name + ': ' + e.message);
      const loop = await fetch(base + '/loop').then(() => 'ended', (e) => e.message);
      return { followed: [followed.status, followed.redirected, followed.url, echoed.method, echoed.body],
               manual: [manual.status, manual.headers.get('location')], refused, loop };
    }`);
    assert.deepEqual(r, {
      followed: [200, true, `${base}/echo`, 'GET', ''],
      manual: [302, '/echo'],
      refused: 'TypeError: unexpected redirect from 127.0.0.1',
      loop: 'redirect count exceeded',
    });
    assert.equal(allowed.seen.filter((s) => s.url === '/loop').length, 21, 'the first request and 20 redirects');
  });

  it('an action aborts its own fetch with AbortController: AbortError, and the request is closed', async () => {
    const before = allowed.closedUnanswered;
    const r = await result(`async function main({ base }) {
      const controller = new AbortController();
      const pending = fetch(base + '/hang', { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const early = await fetch(base + '/echo', { signal: AbortSignal.abort() }).then(() => 'sent', (e) => e.name);
      return { late: await pending.then(() => 'answered', (e) => e.name), early };
    }`);
    assert.deepEqual(r, { late: 'AbortError', early: 'AbortError' });
    await waitFor(() => allowed.closedUnanswered > before, 10_000, 'the aborted request to be closed');
  });
});

describe('fetch in actions: the egress policy', () => {
  const refused = [
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    [`127.0.0.1:${0}`, 'loopback'], // port filled in below: the allow-listed host on another port
    ['127.1.2.3', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['[::1]', 'loopback'],
    ['[::]', 'unspecified'],
    ['[fe80::1]', 'link-local'],
    ['[fc00::1]', 'unique-local'],
    ['[fd12:3456::1]', 'unique-local'],
    ['[ff02::1]', 'multicast'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['[64:ff9b::a9fe:a9fe]', 'link-local'],
  ] as const;

  it('refuses literal addresses of every private range with a TypeError, connecting to none', async () => {
    const hosts = refused.map(([host, kind]) => [host.startsWith('127.0.0.1:') ? `127.0.0.1:${otherPort}` : host, kind]);
    const r = await result(`async function main({ hosts }) {
      const out = [];
      for (const [host] of hosts) out.push(await fetch('http://' + host + '/').then(() => 'allowed', (e) => e.name + ': ' + e.message));
      return { out };
    }`, { hosts });
    const shown = (host: string) => (host.startsWith('[') ? host.slice(1, -1) : host.replace(/:\d+$/, '')).replace(/^::ffff:127\.0\.0\.1$/, '::ffff:7f00:1').replace(/^::ffff:10\.0\.0\.1$/, '::ffff:a00:1');
    assert.deepEqual(r.out, hosts.map(([host, kind]) => `TypeError: fetch to ${shown(host ?? '')} refused: ${kind} address`));
    assert.equal(other.seen.length, 0, 'the loopback server on another port was never reached');
  });

  it('refuses a name that resolves to a private or loopback address (checked after resolution)', async () => {
    const r = await result(`async function main({ otherPort }) {
      const tryIt = (url) => fetch(url).then(() => 'allowed', (e) => e.message);
      return { internal: await tryIt('http://internal.test/'), loopback: await tryIt('http://loopback.test:' + otherPort + '/'),
               localhost: await tryIt('http://localhost:' + otherPort + '/') };
    }`, { otherPort });
    assert.deepEqual(r, {
      internal: 'fetch to internal.test refused: private address',
      loopback: 'fetch to loopback.test refused: loopback address',
      localhost: 'fetch to localhost refused: loopback address',
    });
    assert.equal(other.seen.length, 0);
  });

  it('judges every redirect: an allowed server cannot send the fetch to a private address', async () => {
    const to = (target: string) => `/redirect?to=${encodeURIComponent(target)}`;
    const r = await result(`async function main({ base, paths }) {
      const out = [];
      for (const path of paths) out.push(await fetch(base + path).then(() => 'allowed', (e) => e.message));
      return { out };
    }`, { paths: [to(`http://127.0.0.1:${otherPort}/`), to('http://169.254.169.254/latest/meta-data/'), to('http://metadata.test/'), to(`http://[::1]:${otherPort}/`)] });
    assert.deepEqual(r.out, [
      'fetch to 127.0.0.1 refused: loopback address',
      'fetch to 169.254.169.254 refused: link-local address',
      'fetch to metadata.test refused: link-local address',
      'fetch to ::1 refused: loopback address',
    ]);
    assert.equal(other.seen.length, 0);
  });

  it('refuses schemes other than http and https, and unparsable URLs', async () => {
    const r = await result(`async function main() {
      const tryIt = (url) => fetch(url).then(() => 'allowed', (e) => e.name + ': ' + e.message);
      return { file: await tryIt('file:///etc/passwd'), data: await tryIt('data:text/plain,hi'), relative: await tryIt('/relative') };
    }`);
    assert.deepEqual(r, {
      file: 'TypeError: fetch of file: URLs is not supported',
      data: 'TypeError: fetch of data: URLs is not supported',
      relative: 'TypeError: Failed to parse URL from /relative',
    });
  });
});

describe('fetch in actions: bounds', () => {
  it('the action\'s timeout aborts a hanging fetch: the activation times out and the request is closed', async () => {
    const before = allowed.closedUnanswered;
    const outcome = await run(`async function main({ base }) { await fetch(base + '/hang'); return { answered: true } }`, {}, { timeoutMs: 500 });
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.statusCode, 2);
    await waitFor(() => allowed.closedUnanswered > before, 10_000, 'the hanging request to be closed');
  });

  it('a response body over the limit fails the fetch (with and without content-length)', async () => {
    const limits = { maxResponseBodyBytes: 4096 };
    const r = await result(`async function main({ base }) {
      const tryIt = (path) => fetch(base + path).then((res) => res.text()).then((t) => t.length, (e) => e.name + ': ' + e.message);
      return { fits: await tryIt('/big?n=4096'), declared: await tryIt('/big?n=4097'), chunked: await tryIt('/big-chunked?n=10000'), chunkedFits: await tryIt('/big-chunked?n=4000') };
    }`, {}, { limits });
    assert.deepEqual(r, {
      fits: 4096,
      declared: 'TypeError: fetch response from 127.0.0.1 exceeds the limit of 4096 bytes',
      chunked: 'TypeError: fetch response from 127.0.0.1 exceeds the limit of 4096 bytes',
      chunkedFits: 4000,
    });
  });

  it('the default response limit is 4 MiB', async () => {
    const r = await result(`async function main({ base }) {
      const ok = (await (await fetch(base + '/big?n=' + 4 * 1024 * 1024)).arrayBuffer()).byteLength;
      const over = await fetch(base + '/big?n=' + (4 * 1024 * 1024 + 1)).then(() => 'read', (e) => e.message);
      return { ok, over };
    }`, {}, { sandbox: { memoryMB: 128 } });
    assert.deepEqual(r, { ok: 4 * 1024 * 1024, over: 'fetch response from 127.0.0.1 exceeds the limit of 4194304 bytes' });
  });

  it('a request body over the limit is refused before it is sent', async () => {
    const sent = allowed.seen.length;
    const r = await result(`async function main({ base }) {
      return { over: await fetch(base + '/echo', { method: 'POST', body: 'x'.repeat(1025) }).then(() => 'sent', (e) => e.name + ': ' + e.message) };
    }`, {}, { limits: { maxRequestBodyBytes: 1024 } });
    assert.deepEqual(r, { over: 'TypeError: fetch request body of 1025 bytes exceeds the limit of 1024 bytes' });
    assert.equal(allowed.seen.length, sent);
  });

  it('bounds the URL and the request headers', async () => {
    const sent = allowed.seen.length;
    const r = await result(`async function main({ base }) {
      const tryIt = (url, init) => fetch(url, init).then(() => 'sent', (e) => e.name + ': ' + e.message);
      return { url: await tryIt(base + '/echo?' + 'q'.repeat(2000)), headers: await tryIt(base + '/echo', { headers: { 'x-big': 'v'.repeat(2000) } }) };
    }`, {}, { limits: { maxUrlChars: 1000, maxHeaderChars: 1000 } });
    assert.deepEqual(r, { url: 'TypeError: fetch URL exceeds 1000 characters', headers: 'TypeError: fetch request headers exceed 1000 characters' });
    assert.equal(allowed.seen.length, sent);
  });

  it('an action that changes built-ins before its first fetch still cannot make the host copy more than the bounds', async () => {
    // The getter tells guest-fetch.js the truth once (so it copies the whole body) and 0 afterwards (so its own check
    // passes); the bootstrap's check, made with built-ins taken before any action ran, still refuses the request.
    let calls = 0;
    const call: HostFunction = async () => {
      calls++;
      return { ok: false, name: 'TypeError', message: 'reached the host' };
    };
    const fake: FetchService = { limits: { ...DEFAULT_FETCH_LIMITS, maxRequestBodyBytes: 1024 }, call, close: async () => {} };
    const outcome = await run(`async function main() {
      const TypedArray = Object.getPrototypeOf(Uint8Array.prototype);
      const real = Object.getOwnPropertyDescriptor(TypedArray, 'byteLength').get;
      let reads = 0;
      Object.defineProperty(TypedArray, 'byteLength', { get() { return reads++ === 0 ? real.call(this) : 0 }, configurable: true });
      return { body: await fetch('http://x/', { method: 'POST', body: new Uint8Array(4096) }).then(() => 'sent', (e) => e.name + ': ' + e.message) };
    }`, {}, { sandbox: { fetch: fake } });
    assert.deepEqual(outcome.result, { body: 'TypeError: fetch request body of 4096 bytes exceeds the limit of 1024 bytes' });
    assert.equal(calls, 0, 'the host was never asked');
  });

  it('the guest keeps at most maxConcurrent fetches at the host; the rest wait their turn', async () => {
    // Host calls reach the host in the order the guest makes them, so when `probe` is answered every fetch the
    // action started before it has reached the host, or waits in the guest.
    let inFlight = 0;
    let most = 0;
    let released = false;
    const held: Array<() => void> = [];
    const reply = { ok: true, status: 200, statusText: 'OK', headers: [], url: 'http://x/', redirected: false, body: new Uint8Array([111, 107]) };
    const call: HostFunction = async () => {
      most = Math.max(most, ++inFlight);
      if (!released) await new Promise<void>((resolve) => held.push(resolve));
      inFlight--;
      return reply;
    };
    const probe: HostFunction = async () => {
      const atHost = held.length;
      released = true;
      for (const resolve of held.splice(0)) resolve();
      return atHost;
    };
    const fake: FetchService = { limits: { ...DEFAULT_FETCH_LIMITS, maxConcurrent: 2 }, call, close: async () => {} };
    const sandbox = await ActionSandbox.create({ memoryMB: 64, fetch: fake, hostFunctions: { probe } });
    sandboxes.push(sandbox);
    const outcome = await sandbox.activate({
      action: {
        code: `async function main() {
          const all = Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => fetch('http://x/').then((r) => r.text())));
          const atHost = await probe();
          return { atHost, all: await all };
        }`,
      },
      params: {}, owEnv: {}, timeoutMs: 10_000, logLimitBytes: 1024 * 1024,
    });
    assert.deepEqual(outcome.result, { atHost: 2, all: ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'] });
    assert.equal(most, 2);
  });

  it('the host refuses more than maxConcurrent fetches of one activation, whatever the guest does', async () => {
    const service = fetchService({ maxConcurrent: 2 });
    const ends = new AbortController();
    const call = { signal: ends.signal, activation: {}, deadline: Date.now() + 10_000 };
    const hang = { url: `${base}/hang`, method: 'GET', headers: [], body: null, redirect: 'follow' };
    const first = service.call([hang], call);
    const second = service.call([hang], call);
    const third = await service.call([hang], call);
    assert.deepEqual(third, { ok: false, name: 'TypeError', message: 'too many fetches in flight (limit 2)' });
    const elsewhere = service.call([{ ...hang, url: `${base}/echo` }], { ...call, activation: {} });
    assert.equal(((await elsewhere) as { status: number }).status, 200, 'another activation has its own count');
    ends.abort();
    assert.deepEqual(await Promise.all([first, second]), [
      { ok: false, name: 'AbortError', message: 'This operation was aborted' },
      { ok: false, name: 'AbortError', message: 'This operation was aborted' },
    ]);
  });

  it('calls the platform API host without an allow-list entry', async () => {
    const service = createFetchService({ policy: { apiHost: base } });
    services.push(service);
    const call = { signal: new AbortController().signal, activation: {}, deadline: Date.now() + 10_000 };
    const reply = (await service.call([{ url: `${base}/echo`, method: 'GET', headers: [], body: null, redirect: 'follow' }], call)) as { ok: boolean; status: number };
    assert.deepEqual([reply.ok, reply.status], [true, 200]);
  });
});
