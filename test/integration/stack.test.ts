// The local platform's own lifecycle, on a stack of its own (.run/stack, ports +400) so the shared test stack is
// untouched: start is idempotent, stop leaves nothing running, and a stopped stack starts again cleanly.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { ownStackLayout } from '../support/stack.ts';
import { runningProcesses, startStack, stopStack } from '../../deploy/local/stack.ts';

describe('local stack lifecycle', function () {
  this.timeout(240_000);
  const layout = ownStackLayout('stack', 400);

  after(() => stopStack(layout));

  it('starts, starts again without new processes, stops cleanly and starts again', async () => {
    const first = await startStack(layout);
    const pids = runningProcesses(layout);
    assert.ok(Object.values(pids).every((pid) => pid !== undefined), `not all running: ${JSON.stringify(pids)}`);
    for (const name of ['controller0', 'invoker0'] as const) {
      const pid = pids[name]!;
      // The platform's processes run on this Node (24+) with the flag isolated-vm needs.
      assert.equal(readlinkSync(`/proc/${pid}/exe`), readlinkSync('/proc/self/exe'), `${name} runs another node`);
      assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--no-node-snapshot'), `${name} lacks --no-node-snapshot`);
    }
    const api = (await (await fetch(`${first.apiHost}/api/v1`)).json()) as { api_version: string };
    assert.equal(api.api_version, '1.0.0');

    const second = await startStack(layout);
    assert.deepEqual(runningProcesses(layout), pids, 'a second start reuses the running processes');
    assert.equal(second.guestKey, first.guestKey, 'the guest key survives');

    assert.deepEqual((await stopStack(layout)).sort(), ['controller0', 'invoker0', 'jaeger', 'kafka', 'redis']);
    assert.deepEqual(runningProcesses(layout), { redis: undefined, kafka: undefined, controller0: undefined, invoker0: undefined, jaeger: undefined });
    await assert.rejects(fetch(`${first.apiHost}/ping`), 'the controller no longer answers');
    assert.deepEqual(await stopStack(layout), [], 'stopping a stopped stack is harmless');

    const third = await startStack(layout);
    assert.equal(third.guestKey, first.guestKey);
    const ping = await fetch(`${third.apiHost}/ping`);
    assert.equal(await ping.text(), 'pong');
    const invokers = (await (await fetch(`${third.apiHost}/invokers`)).json()) as Record<string, string>;
    assert.equal(invokers['invoker0'], 'up');
  });
});
