// examples/nightly-cleanup on the real platform: the example's session store runs as its README says, on the loopback
// port the test platform lets actions fetch; the README's commands create the cleanup action, the alarm trigger (with
// a 6-field every-second cron instead of 03:00, so it fires at once) and the rule; the fired cleanup deletes the idle
// sessions and keeps the others; `wsk trigger delete` then removes the alarm with its trigger.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '../../deploy/local/daemon.ts';
import { alarmFeed } from '../support/alarms.ts';
import type { CliNamespace } from '../support/cli.ts';
import { exampleNamespace, runReadme } from '../support/examples.ts';
import type { Activation } from '../support/platform.ts';
import { TEST_FETCH_TARGET_PORT } from '../support/stack.ts';

const DAY = 24 * 60 * 60 * 1000;
const store = `http://127.0.0.1:${TEST_FETCH_TARGET_PORT}`;

describe('example: nightly cleanup on an alarm (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;
  let service: ChildProcess | undefined;
  let triggerDeleted = false;

  before(async () => {
    ns = await exampleNamespace('nightly-cleanup');
    service = spawn(process.execPath, ['store.js'], { cwd: ns.dir, env: { ...process.env, PORT: String(TEST_FETCH_TARGET_PORT) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    service.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor('the session store', async () => {
      if (service!.exitCode !== null) throw new Error(`the session store exited: ${out}`);
      return out.includes(`listening on ${TEST_FETCH_TARGET_PORT}`) || undefined;
    }, 30_000, 50);
    const now = Date.now();
    for (const [id, idleDays] of [['s-old', 45], ['s-older', 400], ['s-recent', 2], ['s-month', 29]] as const) {
      const res = await fetch(`${store}/sessions`, { method: 'POST', body: JSON.stringify({ id, lastSeen: new Date(now - idleDays * DAY).toISOString() }) });
      assert.equal(res.status, 201);
    }
  });

  after(async () => {
    if (ns !== undefined && !triggerDeleted) await ns.wsk(['trigger', 'delete', 'nightly']);
    if (service !== undefined && service.exitCode === null) {
      service.kill('SIGTERM');
      await once(service, 'exit');
    }
    ns?.cleanup();
  });

  it('the alarm fires the cleanup, which deletes the idle sessions; deleting the trigger ends the alarm', async () => {
    await runReadme(ns, 'nightly-cleanup', { '"0 3 * * *"': '"* * * * * *"', '8481': String(TEST_FETCH_TARGET_PORT) });

    const first = await waitFor(
      'a cleanup run that deleted sessions',
      async () => {
        const runs = (await ns.ow.activations.list({ name: 'cleanup', docs: true } as never)) as unknown as Activation[];
        return runs.find((r) => ((r.response.result as { deleted?: string[] }).deleted ?? []).length > 0);
      },
      60_000,
      200,
    );
    assert.equal(first.response.success, true, JSON.stringify(first.response));
    assert.deepEqual((first.response.result as { deleted: string[] }).deleted, ['s-old', 's-older']);
    const left = (await (await fetch(`${store}/sessions`)).json()) as Array<{ id: string }>;
    assert.deepEqual(left.map((s) => s.id), ['s-month', 's-recent']);

    const removed = await ns.wsk(['trigger', 'delete', 'nightly']);
    assert.equal(removed.code, 0, removed.stderr);
    triggerDeleted = true;
    const read = await alarmFeed(ns, 'alarm', 'READ', 'nightly');
    assert.equal(read.success, false, `the alarm is gone: ${JSON.stringify(read.result)}`);
  });
});
