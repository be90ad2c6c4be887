// Tenant isolation, memory: whatever an action makes its invoker hold (logs, results, timers, archives, its own heap)
// is bounded in bytes, so no action takes the invoker down for everyone. Each attack runs on the real stack in an
// attacker namespace; the record shows it refused or contained, and the bystander's invoke still answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../deploy/local/daemon.ts';
import { sampleValue } from '../../shared/metrics.ts';
import { LogMessages } from '../../invoker/runtime/logs.ts';
import { api, freshNamespace, type Activation, type TestNamespace } from '../support/platform.ts';
import { TEST_LAYOUT } from '../support/stack.ts';
import { bystanderServed, twoTenants } from '../support/tenants.ts';
import { waitForRecord } from '../support/records.ts';
import { makeZip } from '../unit/invoker/helpers.ts';

const MiB = 1024 * 1024;

async function createAction(ns: TestNamespace, name: string, code: string, limits: Record<string, number> = {}): Promise<void> {
  const res = await api(ns, 'PUT', `/namespaces/_/actions/${name}?overwrite=true`, JSON.stringify({ exec: { kind: 'nodejs:default', code }, limits }));
  assert.equal(res.status, 200, await res.text());
}

/** A non-blocking invoke, then the stored record. */
async function run(ns: TestNamespace, name: string): Promise<Activation> {
  const res = await api(ns, 'POST', `/namespaces/_/actions/${name}`, '{}');
  const body = await res.text();
  assert.equal(res.status, 202, body);
  const { activationId } = JSON.parse(body) as { activationId: string };
  return waitForRecord(ns, activationId, 120_000);
}

const errorOf = (record: Activation): string => String((record.response.result as { error?: unknown }).error);
const textOf = (line: string): string => line.slice(31);
const storedBytes = (lines: string[]): number => lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);

function invokerPid(): number {
  return Number(readFileSync(join(TEST_LAYOUT.runDir, 'invoker0', 'invoker0.pid'), 'utf8').trim());
}

async function invokerMetrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${TEST_LAYOUT.invoker.metricsPort}/metrics`)).text();
}

describe('tenant isolation: memory (every buffer an activation grows is bounded; the invoker survives)', function () {
  this.timeout(180_000);
  let attacker: TestNamespace;
  let bystander: TestNamespace;

  before(async function () {
    this.timeout(300_000); // may start the platform
    ({ attacker, bystander } = await twoTenants());
  });

  it('a log bomb of ten million newlines, four at once: records stored with truncated logs, the same invoker lives on', async () => {
    const pid = invokerPid();
    await createAction(attacker, 'newlines', "function main() { console.log('\\n'.repeat(1e7)); return { ok: true }; }");
    const records = await Promise.all([1, 2, 3, 4].map(() => run(attacker, 'newlines')));
    for (const record of records) {
      assert.deepEqual(record.response.result, { ok: true });
      // Each empty line costs its 39-byte prefix: the 10 MB limit would allow 268,865 of them; the line cap stops it first.
      assert.equal(record.logs.length, 100_001);
      assert.equal(textOf(record.logs.at(-1)!), `stderr: ${LogMessages.tooManyLines(100_000)}`);
      assert.ok(storedBytes(record.logs) <= 10 * MiB);
    }
    assert.equal(invokerPid(), pid, 'the invoker was restarted');
    await bystanderServed(bystander);
  });

  it('many empty console.log calls stop at the byte limit counted as stored, with OpenWhisk\'s truncation line', async () => {
    await createAction(attacker, 'empties', "function main() { for (let i = 0; i < 1e6; i++) console.log(''); return { ok: true }; }", { logs: 1 });
    const record = await run(attacker, 'empties');
    assert.deepEqual(record.response.result, { ok: true });
    const kept = record.logs.slice(0, -1);
    assert.equal(kept.length, Math.floor(MiB / 39));
    assert.ok(storedBytes(kept) <= MiB);
    assert.equal(textOf(record.logs.at(-1)!), `stderr: ${LogMessages.truncated(MiB)}`);
    await bystanderServed(bystander);
  });

  it('a few huge lines: the first fits, the rest are dropped before the host copies them', async () => {
    await createAction(attacker, 'huge-lines', "function main() { for (let i = 0; i < 4; i++) console.log(String(i).repeat(6e6)); return { ok: true }; }");
    const record = await run(attacker, 'huge-lines');
    assert.deepEqual(record.response.result, { ok: true });
    assert.equal(record.logs.length, 2);
    assert.equal(textOf(record.logs[0]!), `stdout: ${'0'.repeat(6e6)}`);
    assert.equal(textOf(record.logs[1]!), `stderr: ${LogMessages.truncated(10 * MiB)}`);
    await bystanderServed(bystander);
  });

  it('a result bomb ends as OpenWhisk\'s "response exceeded the allowed length" error record', async () => {
    await createAction(attacker, 'big-result', "function main() { return { big: 'x'.repeat(50 * 1024 * 1024) }; }", { memory: 512 });
    const record = await run(attacker, 'big-result');
    assert.equal(record.response.status, 'application error');
    assert.match(errorOf(record), /^The action produced a response that exceeded the allowed length: \d+ > 1048576 bytes\. The truncated response was: \{"big":"x+$/);
    assert.ok(errorOf(record).length < 2 * MiB);
    await bystanderServed(bystander);
  });

  it('a thrown error of any size crosses into the record clipped', async () => {
    await createAction(attacker, 'big-throw', "function main() { throw 'e'.repeat(50 * 1024 * 1024); }", { memory: 512 });
    const record = await run(attacker, 'big-throw');
    assert.equal(record.response.status, 'action developer error');
    assert.ok(errorOf(record).length <= MiB + 100, `error of ${errorOf(record).length} characters`);
    await bystanderServed(bystander);
  });

  it('a setTimeout storm of millions is refused at the pending-timer cap', async () => {
    await createAction(attacker, 'timeouts', 'function main() { for (let i = 0; i < 5e6; i++) setTimeout(() => {}, 100000); return { ok: true }; }');
    const record = await run(attacker, 'timeouts');
    assert.equal(record.response.status, 'action developer error');
    assert.equal(errorOf(record), 'An error has occurred: Error: Too many pending timers (limit 10000).');
    await bystanderServed(bystander);
  });

  it('a setInterval storm at the cap stays contained: the action answers, and the bystander is served meanwhile', async () => {
    const code = `function main() {
      const ids = [];
      let fired = 0;
      try { for (;;) ids.push(setInterval(() => fired++, 1)); } catch { clearInterval(ids.pop()); }
      return new Promise((resolve) => setTimeout(() => resolve({ intervals: ids.length, fired: fired > 0 }), 3000));
    }`;
    await createAction(attacker, 'intervals', code);
    const res = await api(attacker, 'POST', '/namespaces/_/actions/intervals', '{}');
    const { activationId } = (await res.json()) as { activationId: string };
    await bystanderServed(bystander); // while the storm runs
    const record = await waitForRecord(attacker, activationId, 120_000);
    assert.deepEqual(record.response.result, { intervals: 9_999, fired: true });
    await bystanderServed(bystander);
  });

  it('a zip bomb: the first invoke fails init with a clear error, the invoker survives', async () => {
    // 100 MiB of zeros in 100 KiB: past the 64 MiB an archive may inflate to.
    const bomb = await makeZip({ 'index.js': 'exports.main = () => ({ ok: true })', 'bomb.js': '\0'.repeat(100 * MiB) });
    assert.ok(bomb.length < MiB);
    const put = await api(attacker, 'PUT', '/namespaces/_/actions/zip-bomb', JSON.stringify({ exec: { kind: 'nodejs:default', code: bomb.toString('base64') } }));
    assert.equal(put.status, 200, await put.text());
    const pid = invokerPid();
    const record = await run(attacker, 'zip-bomb');
    assert.equal(record.response.status, 'action developer error');
    assert.equal(
      errorOf(record),
      'Initialization has failed due to: There was an error uncompressing the action Zip archive. The uncompressed action is too large.',
    );
    assert.equal(invokerPid(), pid);
    await bystanderServed(bystander);
  });

  it('a memory bomb ends as the out-of-memory error record', async () => {
    await createAction(attacker, 'memory-bomb', 'function main() { const a = []; while (true) a.push(new Array(1e6).fill(1)); }', { memory: 128 });
    const record = await run(attacker, 'memory-bomb');
    assert.equal(record.response.status, 'action developer error');
    assert.equal(errorOf(record), 'The action exhausted its memory and was aborted.');
    await bystanderServed(bystander);
  });

  it('the invoker reserves host memory while an activation runs, gives it back after, and is not paused', async () => {
    const waiter = await freshNamespace('memory-metrics');
    await createAction(waiter, 'wait', 'function main() { return new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 2000)); }');
    const res = await api(waiter, 'POST', '/namespaces/_/actions/wait', '{}');
    const { activationId } = (await res.json()) as { activationId: string };
    const reserved = async () => sampleValue(await invokerMetrics(), 'isowhisk_invoker_host_memory_reserved_bytes');
    // 10 MB logs × 6 + 1 MB result × 8 + parameters: at least 68 MiB while it runs.
    await waitFor('host memory reserved', async () => ((await reserved()) ?? 0) >= 68 * MiB || undefined, 30_000, 20);
    await waitForRecord(waiter, activationId, 60_000);
    await waitFor('host memory given back', async () => (await reserved()) === 0 || undefined, 30_000, 50);
    const text = await invokerMetrics();
    assert.equal(sampleValue(text, 'isowhisk_invoker_heap_paused'), 0);
    assert.ok((sampleValue(text, 'isowhisk_invoker_host_memory_budget_bytes') ?? 0) > 0);
    await bystanderServed(bystander);
  });
});
