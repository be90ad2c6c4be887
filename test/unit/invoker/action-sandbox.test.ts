import assert from 'node:assert/strict';
import { ActionSandbox, initEnvValue, type ActivateRequest, type SandboxOptions } from '../../../invoker/runtime/action-sandbox.ts';
import type { ActivationOutcome } from '../../../invoker/runtime/classify.ts';
import { archiveWithSystemTool, hasCommand, makeZip } from './helpers.ts';

const OW_ENV = {
  __OW_API_HOST: 'http://127.0.0.1:3233',
  __OW_API_KEY: 'uuid:secret',
  __OW_NAMESPACE: 'guest',
  __OW_ACTION_NAME: '/guest/pkg/hello',
  __OW_ACTION_VERSION: '0.0.1',
  __OW_ACTIVATION_ID: 'c7bb1339cb4f40e3a6ccead6c99f804e',
  __OW_TRANSACTION_ID: 'tid123',
};
const DEV_WARNING = 'stderr: The action did not initialize or run as expected. Log data might be missing.';

const created: ActionSandbox[] = [];

async function sandbox(options: Partial<SandboxOptions> = {}): Promise<ActionSandbox> {
  const s = await ActionSandbox.create({ memoryMB: 64, ...options });
  created.push(s);
  return s;
}

function request(code: string, overrides: Partial<ActivateRequest> = {}): ActivateRequest {
  return { action: { code }, params: {}, owEnv: OW_ENV, timeoutMs: 2_000, logLimitBytes: 10 * 1024 * 1024, ...overrides };
}

async function activate(code: string, overrides: Partial<ActivateRequest> = {}, options: Partial<SandboxOptions> = {}): Promise<ActivationOutcome> {
  return (await sandbox(options)).activate(request(code, overrides));
}

/** Log lines without their timestamp column. */
function texts(outcome: ActivationOutcome): string[] {
  return outcome.logs.map((line) => line.slice(31));
}

afterEach(() => {
  for (const s of created.splice(0)) s.dispose();
});

describe('action sandbox: the result classification table', () => {
  it('an object without error → success, sandbox kept warm', async () => {
    const s = await sandbox();
    const o = await s.activate(request('function main(p) { return { hello: p.name } }', { params: { name: 'world' } }));
    assert.equal(o.statusCode, 0);
    assert.deepEqual(o.result, { hello: 'world' });
    assert.equal(o.discard, false);
    assert.equal(s.state, 'ready');
  });

  it('a resolved object → success', async () => {
    const o = await activate('async function main() { await null; return { ok: true } }');
    assert.deepEqual([o.statusCode, o.result], [0, { ok: true }]);
  });

  it('an array → success with the array as result', async () => {
    const o = await activate('function main() { return [1, { a: 2 }] }');
    assert.deepEqual([o.statusCode, o.result], [0, [1, { a: 2 }]]);
  });

  it('undefined → {} success', async () => {
    const o = await activate('function main() {}');
    assert.deepEqual([o.statusCode, o.result], [0, {}]);
    const resolved = await activate('async function main() { return undefined }');
    assert.deepEqual([resolved.statusCode, resolved.result], [0, {}]);
  });

  it('an object with error → application error, result reduced to {error}, sandbox kept', async () => {
    const s = await sandbox();
    const o = await s.activate(request('function main() { return { error: "bad input", extra: 1 } }'));
    assert.deepEqual([o.statusCode, o.result, o.discard], [1, { error: 'bad input' }, false]);
    assert.equal(s.state, 'ready');
  });

  it('a rejected promise → application error with serializeError(e)', async () => {
    const o = await activate('function main() { return Promise.reject(new TypeError("boom")) }');
    assert.equal(o.statusCode, 1);
    assert.equal(o.discard, false);
    const error = (o.result as { error: { name: string; message: string; stack: string } }).error;
    assert.equal(error.name, 'TypeError');
    assert.equal(error.message, 'boom');
    assert.match(error.stack, /^TypeError: boom\n\s+at main/);
    assert.deepEqual(Object.keys(error), ['name', 'message', 'stack']);
  });

  it('rejections with a string, a falsy value and an object with extra fields', async () => {
    assert.deepEqual((await activate('function main() { return Promise.reject("nope") }')).result, { error: 'nope' });
    assert.deepEqual((await activate('function main() { return Promise.reject() }')).result, { error: {} });
    assert.deepEqual((await activate('function main() { return Promise.reject(0) }')).result, { error: {} });
    const o = await activate('async function main() { const e = new Error("x"); e.code = "E1"; e.detail = { n: 1, f() {} }; throw e }');
    const error = (o.result as { error: Record<string, unknown> }).error;
    assert.equal(o.statusCode, 1);
    assert.deepEqual([error.code, error.detail, error.message], ['E1', { n: 1 }, 'x']);
  });

  it('a synchronous throw → developer error "An error has occurred: <String(e)>", sandbox destroyed', async () => {
    const s = await sandbox();
    const o = await s.activate(request('function main() { throw new Error("boom") }'));
    assert.deepEqual([o.statusCode, o.result, o.discard, o.timedOut], [2, { error: 'An error has occurred: Error: boom' }, true, false]);
    assert.equal(s.state, 'dead');
    assert.equal(texts(o)[0], 'stderr: Error: boom');
    assert.equal(texts(o).at(-1), DEV_WARNING);
    const thrownString = await activate('function main() { throw "plain" }');
    assert.deepEqual(thrownString.result, { error: 'An error has occurred: plain' });
  });

  it('a non-object → developer error "The action did not return a dictionary."', async () => {
    for (const value of ['"text"', '42', 'true', '() => 1']) {
      const o = await activate(`function main() { return ${value} }`);
      assert.deepEqual([o.statusCode, o.result, o.discard], [2, { error: 'The action did not return a dictionary.' }, true], value);
    }
    const o = await activate('function main() { return "text" }');
    assert.equal(texts(o)[0], 'stderr: Result must be of type object but has type "string": text');
  });

  it('null → developer error "The action did not produce a valid JSON or JSON Array response: null"', async () => {
    const o = await activate('function main() { return null }');
    assert.deepEqual([o.statusCode, o.result], [2, { error: 'The action did not produce a valid JSON or JSON Array response: null' }]);
  });

  it('a result over 1 MB → application error with the truncation message', async () => {
    const s = await sandbox();
    const o = await s.activate(request('function main() { return { big: "x".repeat(1048576) } }'));
    assert.equal(o.statusCode, 1);
    const error = (o.result as { error: string }).error;
    const prefix = 'The action produced a response that exceeded the allowed length: 1048586 > 1048576 bytes. The truncated response was: {"big":"xxx';
    assert.ok(error.startsWith(prefix), error.slice(0, 200));
    assert.equal(error.length, prefix.length - 11 + 1048576);
    assert.equal(s.state, 'ready');
    const small = await activate('function main() { return { big: "é".repeat(100) } }', { maxResultBytes: 100, truncationBytes: 10 });
    assert.deepEqual(small.result, {
      error: 'The action produced a response that exceeded the allowed length: 210 > 100 bytes. The truncated response was: {"big":"é',
    });
  });

  it('a result that cannot be written as JSON → developer error', async () => {
    const o = await activate('function main() { return { n: 1n } }');
    assert.deepEqual([o.statusCode, o.result], [2, { error: 'The action did not produce a valid JSON or JSON Array response.' }]);
  });

  it('an uncaught exception in a timer callback → the action exited', async () => {
    const o = await activate('function main() { setTimeout(() => { throw new Error("late") }, 5); return new Promise(() => {}) }');
    assert.deepEqual([o.statusCode, o.result], [2, { error: 'The action did not produce a valid response and exited unexpectedly.' }]);
    assert.equal(texts(o)[0], 'stderr: Uncaught Error: late');
  });
});

describe('action sandbox: init', () => {
  it('finds main as a global function, as module.exports[main] and as exports[main]', async () => {
    assert.deepEqual((await activate('function main() { return { via: "global" } }')).result, { via: 'global' });
    assert.deepEqual((await activate('module.exports.main = () => ({ via: "module.exports" })')).result, { via: 'module.exports' });
    assert.deepEqual((await activate('exports.main = () => ({ via: "exports" })')).result, { via: 'exports' });
    assert.deepEqual((await activate('const main = (p) => ({ arrow: p.a })', { params: { a: 3 } })).result, { arrow: 3 });
  });

  it('uses a main other than "main"', async () => {
    const code = 'function main() { return { wrong: true } } function greet(p) { return { hi: p.who } }';
    const o = await activate('', { action: { code, main: 'greet' }, params: { who: 'you' } });
    assert.deepEqual([o.statusCode, o.result], [0, { hi: 'you' }]);
    const viaExports = await activate('', { action: { code: 'module.exports.handler = async () => ({ h: 1 })', main: 'handler' } });
    assert.deepEqual(viaExports.result, { h: 1 });
  });

  it('reports a cold start with initTimeMs; a warm run has none', async () => {
    const s = await sandbox();
    const cold = await s.activate(request('let n = 0; function main() { return { n: ++n } }'));
    assert.equal(typeof cold.initTimeMs, 'number');
    assert.ok(cold.durationMs >= (cold.initTimeMs ?? 0));
    const warm = await s.activate(request('ignored once initialized'));
    assert.deepEqual(warm.result, { n: 2 });
    assert.equal('initTimeMs' in warm, false);
  });

  it('a missing main function fails init with the runtime text', async () => {
    const o = await activate('var x = 1');
    assert.deepEqual([o.statusCode, o.result], [2, { error: "Initialization has failed due to: Action entrypoint 'main' is not a function." }]);
    assert.deepEqual(texts(o), ["stderr: Error during initialization: Action entrypoint 'main' is not a function.", DEV_WARNING]);
    assert.equal(typeof o.initTimeMs, 'number');
  });

  it('a syntax error or a throw at load time fails init with the stack', async () => {
    const syntax = await activate('function main( {');
    assert.equal(syntax.statusCode, 2);
    assert.match((syntax.result as { error: string }).error, /^Initialization has failed due to: SyntaxError: /);
    const thrown = await activate('throw new RangeError("at load"); function main() {}');
    assert.match((thrown.result as { error: string }).error, /^Initialization has failed due to: RangeError: at load\n\s+at /);
  });

  it('no code or no main → "Missing main/no code to execute."', async () => {
    const o = await activate('');
    assert.deepEqual([o.statusCode, o.result], [2, { error: 'Missing main/no code to execute.' }]);
  });

  it('init-only parameters become environment variables, stringified as the nodejs runtime does', async () => {
    const o = await activate('function main() { return { a: process.env.A, b: process.env.B, c: process.env.C, d: process.env.D, z: process.env.Z } }', {
      env: { A: 'text', B: 5, C: { k: [1] }, D: null, Z: false },
    });
    assert.deepEqual(o.result, { a: 'text', b: '5', c: '{"k":[1]}', d: '', z: '' });
    assert.equal(initEnvValue(0), '');
    assert.equal(initEnvValue(true), 'true');
  });

  it('an init that never ends stops at the limit with the "during initialization" message', async () => {
    const started = Date.now();
    const o = await activate('while (true) {} function main() {}', { timeoutMs: 300 });
    assert.deepEqual([o.statusCode, o.timedOut, o.result], [2, true, { error: 'The action exceeded its time limits of 300 milliseconds during initialization.' }]);
    assert.ok(Date.now() - started < 1_500);
  });
});

describe('action sandbox: environment and logs', () => {
  it('exposes __OW_* in process.env, with __OW_DEADLINE computed at run start', async () => {
    const before = Date.now();
    const o = await activate('function main() { return Object.assign({}, process.env) }', { timeoutMs: 5_000 });
    const env = o.result as Record<string, string>;
    for (const [k, v] of Object.entries(OW_ENV)) assert.equal(env[k], v, k);
    const deadline = Number(env.__OW_DEADLINE);
    assert.ok(deadline >= before + 5_000 && deadline <= Date.now() + 5_000, String(deadline));
  });

  it('replaces the previous activation\'s __OW_* values on a warm run', async () => {
    const s = await sandbox();
    await s.activate(request('function main() { return { id: process.env.__OW_ACTIVATION_ID, key: process.env.__OW_API_KEY } }'));
    const { __OW_API_KEY: _dropped, ...withoutKey } = OW_ENV;
    const o = await s.activate({ ...request(''), owEnv: { ...withoutKey, __OW_ACTIVATION_ID: 'second' } });
    assert.deepEqual(o.result, { id: 'second' });
  });

  it('captures console.log/info/debug on stdout and console.error/warn on stderr, in OpenWhisk\'s line format', async () => {
    const o = await activate(
      'function main() { console.log("hello", 1, { a: [1, "x"] }); console.info("two\\nlines"); console.debug("%s=%d", "n", 42); console.error("bad"); console.warn(new Error("careful").message); return {} }',
    );
    assert.deepEqual(texts(o), ['stdout: hello 1 { a: [ 1, \'x\' ] }', 'stdout: two', 'stdout: lines', 'stdout: n=42', 'stderr: bad', 'stderr: careful']);
    for (const line of o.logs) {
      assert.match(line.slice(0, 30), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z *$/, line);
      assert.match(line.slice(30), /^ (stdout|stderr): /, line);
    }
  });

  it('truncates logs at the limit, counted as stored (prefix included), with the OpenWhisk line, and keeps the sandbox', async () => {
    const s = await sandbox();
    const o = await s.activate(request('function main() { for (let i = 0; i < 1000; i++) console.log("line " + i); return { done: true } }', { logLimitBytes: 500 }));
    assert.equal(o.statusCode, 0);
    // A stored line is 30 (time) + 9 (" stdout: ") + text: "line 0".."line 9" cost 45 each, "line 10" 46: 496; line 11 would pass 500.
    assert.deepEqual(texts(o), [
      ...Array.from({ length: 11 }, (_, i) => `stdout: line ${i}`),
      'stderr: Logs were truncated because the total bytes size exceeds the limit of 500 bytes.',
    ]);
    assert.equal(s.state, 'ready');
  });

  it('millions of empty lines in one write cost their prefixes and stop at the line cap', async () => {
    const s = await sandbox({ memoryMB: 128, maxLogLines: 1000 });
    const o = await s.activate(request('function main() { console.log("\\n".repeat(1e7)); return { ok: true } }'));
    assert.equal(o.statusCode, 0);
    assert.equal(o.logs.length, 1001);
    assert.equal(texts(o).at(-1), 'stderr: Logs were truncated because the total number of lines exceeds the limit of 1000 lines.');
  });

  it('a huge single log line is clipped in the guest and truncated on the host', async () => {
    const o = await activate('function main() { console.log("x".repeat(20 * 1024 * 1024)); return {} }', { logLimitBytes: 1024 });
    assert.deepEqual(texts(o), ['stderr: Logs were truncated because the total bytes size exceeds the limit of 1024 bytes.']);
  });

  it('a log limit of 0 collects nothing', async () => {
    const o = await activate('function main() { console.log("x"); throw new Error("y") }', { logLimitBytes: 0 });
    assert.deepEqual(o.logs, []);
  });

  it('runs setTimeout, setInterval and clearTimeout through host timers', async () => {
    const o = await activate(`function main() {
      return new Promise((resolve) => {
        let ticks = 0;
        const never = setTimeout(() => resolve({ wrong: true }), 20);
        clearTimeout(never);
        const iv = setInterval(() => { if (++ticks === 3) { clearInterval(iv); setTimeout(() => resolve({ ticks }), 5); } }, 5);
      });
    }`);
    assert.deepEqual([o.statusCode, o.result], [0, { ticks: 3 }]);
  });

  it('fires timers by due time then creation order, with promise continuations between them, as Node does', async () => {
    // Due times far apart, so a busy machine that delays this code between setTimeout calls keeps the order.
    const o = await activate(`function main() {
      return new Promise((resolve) => {
        const seen = [];
        setTimeout(() => { seen.push('b300'); resolve({ seen }); }, 300);
        setTimeout(() => { seen.push('a100'); Promise.resolve().then(() => seen.push('a100-then')); }, 100);
        setTimeout(() => seen.push('c100'), 100);
        const t = setTimeout(() => seen.push('refreshed'), 5);
        t.refresh();
        setImmediate(() => seen.push('immediate'));
      });
    }`);
    assert.deepEqual(o.result, { seen: ['immediate', 'refreshed', 'a100', 'a100-then', 'c100', 'b300'] });
  });

  it('refuses a timer past the pending cap with an error in the action; cleared timers make room again', async () => {
    const o = await activate(
      `function main() {
        const ids = [];
        let refused;
        try { for (;;) ids.push(setTimeout(() => {}, 100000)); } catch (e) { refused = e.message; }
        for (const id of ids) clearTimeout(id);
        return new Promise((resolve) => setTimeout(() => resolve({ held: ids.length, refused }), 1));
      }`,
      {},
      { maxTimers: 500 },
    );
    assert.deepEqual(o.result, { held: 500, refused: 'Too many pending timers (limit 500).' });
  });

  it('an interval storm at the cap keeps the host to one pending call: the action still ends on time with its result', async () => {
    const o = await activate(
      `function main() {
        const ids = [];
        let fired = 0;
        try { for (;;) ids.push(setInterval(() => fired++, 1)); } catch { clearInterval(ids.pop()); }
        return new Promise((resolve) => setTimeout(() => resolve({ intervals: ids.length, fired: fired > ids.length }), 500));
      }`,
      { timeoutMs: 20_000 },
    );
    assert.deepEqual([o.statusCode, o.result], [0, { intervals: 9_999, fired: true }]);
  });

  it('offers host functions as async globals (the seam for fetch)', async () => {
    const s = await sandbox({ hostFunctions: { hostEcho: async (args) => ({ echoed: args as never }) } });
    const o = await s.activate(request('async function main() { const r = await hostEcho(1, "two"); let missing; try { await fetch("x") } catch (e) { missing = e.name } return { r, fetch: typeof fetch, missing } }'));
    assert.deepEqual(o.result, { r: { echoed: [1, 'two'] }, fetch: 'undefined', missing: 'ReferenceError' });
  });
});

describe('action sandbox: limits', () => {
  for (const [label, code] of [
    ['a synchronous while(true){}', 'function main() { while (true) {} }'],
    ['an async loop after await', 'async function main() { await null; while (true) {} }'],
    ['a never-settling promise', 'function main() { return new Promise(() => {}) }'],
    ['a loop inside a timer callback', 'function main() { setTimeout(() => { while (true) {} }, 1); return new Promise(() => {}) }'],
  ] as const) {
    it(`${label} ends at the time limit and the sandbox is disposed`, async () => {
      const s = await sandbox();
      const started = Date.now();
      const o = await s.activate(request(code, { timeoutMs: 300 }));
      const elapsed = Date.now() - started;
      assert.deepEqual([o.statusCode, o.timedOut, o.discard, o.result], [2, true, true, { error: 'The action exceeded its time limits of 300 milliseconds.' }]);
      assert.ok(elapsed >= 295 && elapsed < 1_000, `ended after ${elapsed} ms`);
      assert.equal(s.state, 'dead');
      assert.equal(texts(o).at(-1), DEV_WARNING);
    });
  }

  for (const [label, code] of [
    ['array growth', 'function main() { const a = []; while (true) a.push({ x: Math.random() }) }'],
    ['string doubling', 'function main() { let s = "ab"; const keep = []; while (true) { s = s + s; keep.push(s.toLowerCase()) } }'],
    ['typed arrays', 'function main() { const a = []; while (true) a.push(new Uint8Array(1 << 20)) }'],
    ['one huge ArrayBuffer', 'function main() { return { n: new ArrayBuffer(1 << 30).byteLength } }'],
    ['deep JSON', 'async function main() { await null; let o = {}; for (let i = 0; i < 1e7; i++) o = { a: o }; return { n: JSON.stringify(o).length } }'],
  ] as const) {
    it(`a memory bomb (${label}) ends as OOM and the host lives on`, async () => {
      const s = await sandbox({ memoryMB: 16 });
      const o = await s.activate(request(code, { timeoutMs: 20_000 }));
      assert.deepEqual([o.statusCode, o.result, o.discard], [2, { error: 'The action exhausted its memory and was aborted.' }, true]);
      assert.equal(s.state, 'dead');
      const next = await activate('function main(p) { return { still: p.alive } }', { params: { alive: true } });
      assert.deepEqual(next.result, { still: true });
    });
  }

  it('runs one activation at a time and refuses work once disposed', async () => {
    const s = await sandbox();
    const first = s.activate(request('function main() { return new Promise((r) => setTimeout(() => r({}), 20)) }'));
    await assert.rejects(s.activate(request('')), /one activation at a time/);
    await first;
    s.dispose();
    await assert.rejects(s.activate(request('')), /disposed/);
  });
});

describe('action sandbox: isolation from the host', () => {
  it('has no host require, process, file system or dynamic import', async () => {
    const o = await activate(`async function main() {
      const out = {};
      for (const m of ['fs', 'child_process', 'node:fs', 'isolated-vm', 'module']) {
        try { require(m); out[m] = 'loaded'; } catch (e) { out[m] = e.message; }
      }
      out.processKeys = Object.keys(process);
      out.binding = typeof process.binding;
      out.mainModule = typeof process.mainModule;
      out.pid = typeof process.pid;
      try { await import('fs'); out.import = 'loaded'; } catch (e) { out.import = 'failed'; }
      out.buffer = typeof Buffer;
      out.globals = ['ivm', '_ivm', 'Reference', 'ExternalCopy', 'Callback', 'Isolate'].filter((n) => n in globalThis);
      return out;
    }`);
    assert.deepEqual(o.result, {
      fs: "Cannot find module 'fs'",
      child_process: "Cannot find module 'child_process'",
      'node:fs': "Cannot find module 'node:fs'",
      'isolated-vm': "Cannot find module 'isolated-vm'",
      module: "Cannot find module 'module'",
      processKeys: ['env', 'nextTick'],
      binding: 'undefined',
      mainModule: 'undefined',
      pid: 'undefined',
      import: 'failed',
      buffer: 'undefined',
      globals: [],
    });
  });

  it('constructor.constructor gives the guest\'s own realm, never the host\'s', async () => {
    (globalThis as Record<string, unknown>).__hostMarker = 'host-only';
    try {
      const o = await activate(`function main() {
        const viaThis = this === undefined ? null : this.constructor.constructor('return process')();
        const viaFn = main.constructor('return this')();
        const viaLog = console.log.constructor('return process')();
        const viaAsync = (async () => {}).constructor('return globalThis')();
        return {
          sameGlobal: viaFn === globalThis && viaAsync instanceof Promise,
          processKeys: Object.keys(viaLog),
          thisProcess: viaThis === null ? null : Object.keys(viaThis),
          marker: typeof viaFn.__hostMarker,
          hostRequire: typeof viaFn.require,
        };
      }`);
      assert.deepEqual(o.result, { sameGlobal: true, processKeys: ['env', 'nextTick'], thisProcess: ['env', 'nextTick'], marker: 'undefined', hostRequire: 'undefined' });
    } finally {
      delete (globalThis as Record<string, unknown>).__hostMarker;
    }
  });

  it('console and timer functions expose no host internals', async () => {
    const o = await activate(`function main() {
      const out = {};
      out.ownNames = Object.getOwnPropertyNames(console.log).sort();
      try { out.caller = String(console.log.caller); } catch (e) { out.caller = e.name; }
      out.source = console.log.toString().includes('native code');
      out.timeoutProps = Object.getOwnPropertyNames(setTimeout(() => {}, 1000));
      // A getter invoked by console formatting tries to grab the runtime's frames.
      Error.prepareStackTrace = (_, frames) => frames;
      const seen = [];
      console.log({ get probe() {
        for (const f of new Error().stack) {
          const fn = f.getFunction && f.getFunction();
          const self = f.getThis && f.getThis();
          seen.push([typeof fn, fn && fn.name, self === undefined ? 'undefined' : typeof self]);
        }
        return 1;
      } }, { toString() { return 'x' } });
      delete Error.prepareStackTrace;
      out.leakedFunctions = seen.filter(([t, name]) => t === 'function' && name !== 'get probe' && name !== 'main').map(([, name]) => name);
      return out;
    }`);
    const r = o.result as Record<string, unknown>;
    assert.deepEqual(r.ownNames, ['length', 'name']);
    assert.equal(r.caller, 'TypeError');
    assert.equal(r.source, false);
    assert.deepEqual(r.timeoutProps, []);
    assert.deepEqual(r.leakedFunctions, []);
  });

  it('objects crossing to the host are copies: functions and host handles never come back', async () => {
    const o = await activate(`async function main() {
      let copyError;
      try { await hostEcho(() => 1) } catch (e) { copyError = e.message }
      const back = await hostEcho({ nested: { a: 1 } });
      return { copyError, back, proto: Object.getPrototypeOf(back) === Object.prototype };
    }`, {}, { hostFunctions: { hostEcho: async (args) => args[0] as never } });
    const r = o.result as Record<string, unknown>;
    assert.match(String(r.copyError), /could not be cloned/);
    assert.deepEqual([r.back, r.proto], [{ nested: { a: 1 } }, true]);
  });

  it('changing globals and prototypes affects only the action, not the runtime', async () => {
    const s = await sandbox();
    const o = await s.activate(request(`function main() {
      JSON.stringify = () => '{"hijacked":true}';
      Array.prototype.push = () => { throw new Error('nope') };
      Promise.prototype.then = function () { throw new Error('nope') };
      Object.keys = () => [];
      console.log('still logged');
      return { fine: true };
    }`));
    assert.deepEqual([o.statusCode, o.result, texts(o)], [0, { fine: true }, ['stdout: still logged']]);
  });
});

describe('action sandbox: archives (zip, tar.gz)', () => {
  const files = {
    'package.json': JSON.stringify({ name: 'a', main: 'lib/entry.js' }),
    'lib/entry.js': "const h = require('./helper'); const data = require('../data.json'); const dep = require('leftpad'); exports.main = (p) => ({ out: h.twice(p.n), data, padded: dep('7', 3), file: __filename });",
    'lib/helper.js': 'module.exports = { twice: (n) => n * 2 };',
    'data.json': '{"k":"v"}',
    'node_modules/leftpad/package.json': '{"main":"./src"}',
    'node_modules/leftpad/src/index.js': "module.exports = (s, n) => s.padStart(n, '0');",
    'other.js': "exports.handler = () => ({ from: 'other' }); exports.nested = { fn: () => ({ nested: true }) };",
    'README.md': '# not kept',
  };
  const base64 = (buf: Buffer) => buf.toString('base64');

  it('loads package.json main with relative, JSON and node_modules requires', async () => {
    const o = await activate('', { action: { code: base64(await makeZip(files)), binary: true }, params: { n: 21 } });
    assert.deepEqual([o.statusCode, o.result], [0, { out: 42, data: { k: 'v' }, padded: '007', file: '/action/lib/entry.js' }]);
  });

  it('accepts main as file.fn and file.nested.fn, stored entries, and index.js without package.json', async () => {
    const zip = base64(await makeZip(files, false));
    assert.deepEqual((await activate('', { action: { code: zip, binary: true, main: 'other.handler' } })).result, { from: 'other' });
    assert.deepEqual((await activate('', { action: { code: zip, binary: true, main: 'other.nested.fn' } })).result, { nested: true });
    const indexOnly = base64(await makeZip({ 'index.js': 'exports.main = () => ({ index: true })' }));
    assert.deepEqual((await activate('', { action: { code: indexOnly, binary: true } })).result, { index: true });
  });

  it('fails init with the runtime texts for a zip without package.json or index.js, and for non-archives', async () => {
    const o = await activate('', { action: { code: base64(await makeZip({ 'a.js': 'exports.main = () => ({})' })), binary: true } });
    assert.deepEqual(o.result, { error: 'Initialization has failed due to: Zipped actions must contain either package.json or index.js at the root.' });
    const notZip = await activate('', { action: { code: Buffer.from('hello world!').toString('base64'), binary: true } });
    assert.deepEqual(notZip.result, {
      error: 'Initialization has failed due to: There was an error uncompressing the action archive. The file type is unsupported',
    });
    const missing = await activate('', { action: { code: base64(await makeZip({ 'index.js': "require('./nope'); exports.main = () => ({})" })), binary: true } });
    assert.match((missing.result as { error: string }).error, /^Initialization has failed due to: Error: Cannot find module '\.\/nope'/);
  });

  it('refuses a zip whose content exceeds the sandbox memory before inflating it', async () => {
    const bomb = base64(await makeZip({ 'index.js': 'exports.main = () => ({})', 'big.json': `"${'0'.repeat(20 * 1024 * 1024)}"` }));
    const o = await activate('', { action: { code: bomb, binary: true } }, { memoryMB: 16 });
    assert.match((o.result as { error: string }).error, /^Initialization has failed due to: There was an error uncompressing the action Zip archive\. The uncompressed action is too large\./);
  });

  for (const kind of ['zip', 'tar.gz'] as const) {
    const tool = kind === 'zip' ? 'zip' : 'tar';
    it(`reads a ${kind} made by the system's ${tool}`, async function () {
      if (!hasCommand(tool)) this.skip(); // no independent archiver on this machine
      const o = await activate('', { action: { code: base64(archiveWithSystemTool(kind, files)), binary: true }, params: { n: 2 } });
      assert.deepEqual([o.statusCode, o.result], [0, { out: 4, data: { k: 'v' }, padded: '007', file: '/action/lib/entry.js' }]);
    });
  }
});

describe('action sandbox: heap ceiling', () => {
  it('an isolate that grows past its limit plus the overshoot across awaits ends out of memory and is disposed', async () => {
    // External memory (typed arrays) grows one chunk per timer tick; the ceiling (16 MB, no overshoot) is met
    // between ticks, where the heap is sampled.
    const s = await sandbox({ memoryMB: 16, overshoot: 0 });
    const o = await s.activate(
      request('async function main() { const keep = []; for (;;) { keep.push(new Uint8Array(1024 * 1024).fill(1)); await new Promise((r) => setTimeout(r, 5)); } }', { timeoutMs: 20_000 }),
    );
    assert.deepEqual([o.statusCode, o.result], [2, { error: 'The action exhausted its memory and was aborted.' }]);
    assert.equal(s.state, 'dead');
  });
});
