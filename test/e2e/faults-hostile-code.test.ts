// Fault injection, hostile action code: an endless loop (sync and async), a memory bomb and sandbox escape attempts
// run through the whole platform; each ends as a developer error or finds nothing of the host, and the same
// invoker process keeps serving. Runs on the shared fault stack (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import { annotation, createAction, invoke, type Activation, type FaultStack, type TestNamespace } from '../support/faults.ts';
import { answerOk, useFaultSuite } from '../support/fault-suite.ts';
import { waitForRecord } from '../support/records.ts';

describe('fault injection: hostile action code, through the platform', () => {
  const suite = useFaultSuite('faults-hostile');
  let stack: FaultStack;
  let ns: TestNamespace;
  before(() => ({ stack, ns } = suite));

  it('while(true){} with a 500 ms timeout → developer error with annotation timeout: true; the same invoker keeps serving', async function () {
    this.timeout(30_000);
    const pid = stack.pid('invoker0');
    await createAction(ns, 'spin', 'function main() { while (true) {} }', { timeout: 500 });
    await createAction(ns, 'spin-async', 'function main() { return Promise.resolve().then(() => { for (;;) {} }); }', { timeout: 500 });
    for (const name of ['spin', 'spin-async']) {
      const a = await invoke(ns, name);
      assert.equal(a.status, 502, `${name}: ${JSON.stringify(a.body)}`);
      const body = a.body as Activation;
      assert.equal(body.response.status, 'action developer error');
      assert.deepEqual(body.response.result, { error: 'The action exceeded its time limits of 500 milliseconds.' });
      assert.ok(a.ms < 5_000, `${name} answered after ${a.ms} ms`);
      const record = await waitForRecord(ns, a.activationId!, 10_000);
      assert.equal(annotation(record, 'timeout'), true);
    }
    const next = answerOk(await invoke(ns, 'echo', { after: 'spin' }));
    assert.deepEqual((next.body as Activation).response.result, { echo: { after: 'spin' } });
    assert.equal(stack.pid('invoker0'), pid, 'the invoker process survived');
    assert.equal((await stack.invokerStates())['invoker0'], 'up');
  });

  it('a memory bomb → "The action exhausted its memory and was aborted."; the next invocation of another action works', async function () {
    this.timeout(60_000);
    const pid = stack.pid('invoker0');
    await createAction(ns, 'bomb', 'function main() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }', { memory: 128 });
    const a = await invoke(ns, 'bomb');
    assert.equal(a.status, 502, JSON.stringify(a.body));
    assert.equal((a.body as Activation).response.status, 'action developer error');
    assert.deepEqual((a.body as Activation).response.result, { error: 'The action exhausted its memory and was aborted.' });
    const next = answerOk(await invoke(ns, 'echo', { after: 'bomb' }));
    assert.deepEqual((next.body as Activation).response.result, { echo: { after: 'bomb' } });
    assert.equal(stack.pid('invoker0'), pid, 'the invoker process survived');
  });

  it('sandbox escape attempts reach nothing of the host (no process, require, env, file system, ivm handles)', async function () {
    this.timeout(30_000);
    const code = `
      const probes = {};
      const leaks = [];
      const hostLike = (p) => p && (typeof p.pid === 'number' || typeof p.binding === 'function' || typeof p.dlopen === 'function'
        || typeof p.exit === 'function' || typeof p.kill === 'function' || typeof p.mainModule === 'object' || (p.versions && p.versions.node));
      const top = this;
      function probe(name, fn) {
        try { const v = fn(); probes[name] = v === undefined ? 'undefined' : typeof v; return v; }
        catch (e) { probes[name] = 'threw ' + (e && e.name); return undefined; }
      }
      async function main() {
        const viaThis = probe('this.constructor.constructor("return process")()', () => top.constructor.constructor('return process')());
        const viaObject = probe('({}).constructor.constructor("return process")()', () => ({}).constructor.constructor('return process')());
        const viaMain = probe('main.constructor("return process")()', () => main.constructor('return process')());
        const viaGlobal = probe('globalThis.constructor.constructor("return this")().process', () => globalThis.constructor.constructor('return this')().process);
        for (const [name, p] of [['viaThis', viaThis], ['viaObject', viaObject], ['viaMain', viaMain], ['viaGlobal', viaGlobal], ['process', typeof process === 'undefined' ? undefined : process]]) {
          if (hostLike(p)) leaks.push(name + ': a host process object');
        }
        const envKeys = typeof process === 'undefined' ? [] : Object.keys(process.env);
        for (const k of envKeys) if (!k.startsWith('__OW_')) leaks.push('process.env.' + k);
        for (const mod of ['fs', 'child_process', 'net', 'node:fs', 'module']) {
          const m = probe('require(' + mod + ')', () => require(mod));
          if (m !== undefined) leaks.push('require(' + mod + ')');
        }
        probe('process.binding("fs")', () => process.binding('fs'));
        try { await import('fs'); leaks.push('import("fs")'); probes['import("fs")'] = 'resolved'; } catch (e) { probes['import("fs")'] = 'rejected ' + (e && e.name); }
        const g = Function('return this')();
        const names = Object.getOwnPropertyNames(g);
        for (const n of names) {
          let v; try { v = g[n]; } catch { continue; }
          if (v && (typeof v === 'object' || typeof v === 'function')
              && ['applySync', 'deref', 'derefInto', 'copySync', 'copyInto', 'setSync', 'getSync'].some((m) => typeof v[m] === 'function')) {
            leaks.push('global ' + n + ' is an isolated-vm handle');
          }
        }
        for (const n of ['require', 'Buffer', 'module', 'exports', '__dirname', 'Deno', 'Bun', 'ivm', '_ivm']) {
          if (Object.prototype.hasOwnProperty.call(g, n)) leaks.push('global ' + n);
        }
        const prepare = Error.prepareStackTrace;
        try {
          Error.prepareStackTrace = (_e, frames) => frames;
          const frames = new Error().stack;
          if (Array.isArray(frames)) for (const f of frames) {
            let t; try { t = f.getThis && f.getThis(); } catch { t = undefined; }
            if (t && hostLike(t.process)) leaks.push('a stack frame exposes the host process');
          }
        } finally { Error.prepareStackTrace = prepare; }
        if (typeof fetch === 'function') {
          probes.fetch = 'present';
          try { await fetch('http://127.0.0.1:${stack.layout.redis.port}/'); leaks.push('fetch reached the platform Redis'); } catch (e) { probes.fetch = 'refused ' + (e && e.message); }
        }
        return { leaks, probes, globals: names.length };
      }`;
    await createAction(ns, 'escape', code);
    const a = answerOk(await invoke(ns, 'escape'));
    const result = (a.body as Activation).response.result as { leaks: string[]; probes: Record<string, string> };
    console.log(`      [probes] ${JSON.stringify(result.probes)}`);
    assert.deepEqual(result.leaks, [], `the guest reached host objects: ${JSON.stringify(result)}`);
    const text = JSON.stringify(result);
    for (const secret of [stack.redisUrl, 'ISOWHISK_', String(process.pid), process.env.HOME ?? '/root'].filter((s) => s.length > 3)) {
      assert.ok(!text.includes(secret), `the result mentions ${secret}`);
    }
  });
});
