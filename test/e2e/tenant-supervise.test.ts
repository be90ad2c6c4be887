// Tenant safety, supervision: whatever makes the controller or the invoker crash (here a kill -9, the one crash no
// process can intercept), the local launcher's supervisor restarts it by itself, so one tenant's crash of a shared
// process does not leave every other namespace with 503 "No invokers available." until someone restarts the
// platform. Each test kills one process of the shared test stack and ends with the stack serving again: the restart
// is in the process's log and counted on its /metrics, and a bystander's invoke answers.
import assert from 'node:assert/strict';
import { runningPid, waitFor } from '../../deploy/local/daemon.ts';
import { platformProcess, type PlatformProcess } from '../../deploy/local/stack.ts';
import { sampleValue } from '../../shared/metrics.ts';
import { FaultStack } from '../support/faults.ts';
import { TEST_LAYOUT, testPlatform } from '../support/stack.ts';
import { bystanderServed, twoTenants, type Tenants } from '../support/tenants.ts';

/** A restart after kill -9 includes Kafka's wait for the dead consumer group member to expire (about 30 s). */
const RESTART_TIMEOUT_MS = 120_000;

describe('tenant safety: a crashed controller or invoker is restarted by its supervisor', function () {
  this.timeout(RESTART_TIMEOUT_MS + 60_000);
  // The fault suites' process handles (kill, log marks), pointed at the shared test stack.
  const stack = new FaultStack(TEST_LAYOUT);
  let tenants: Tenants;

  before(async function () {
    await testPlatform();
    tenants = await twoTenants();
  });

  const metricsUrl = (name: PlatformProcess): string =>
    name === 'controller0' ? `${stack.apiHost}/metrics` : `http://127.0.0.1:${TEST_LAYOUT.invoker.metricsPort}/metrics`;

  async function restartsOf(name: PlatformProcess): Promise<number | undefined> {
    const res = await fetch(metricsUrl(name), { signal: AbortSignal.timeout(2_000) });
    return res.ok ? sampleValue(await res.text(), 'isowhisk_process_restarts_total') : undefined;
  }

  /** The controller answers and lists a healthy invoker, and the (new) invoker has said it is ready. */
  async function serving(invokerLogMark: number): Promise<void> {
    await waitFor(
      'the platform to serve again',
      async () => {
        if (!/"msg":"invoker ready"/.test(stack.logSince('invoker0', invokerLogMark))) return undefined;
        const res = await fetch(`${stack.apiHost}/invokers/healthy/count`, { signal: AbortSignal.timeout(2_000) });
        return res.ok && Number(await res.text()) >= 1 ? true : undefined;
      },
      RESTART_TIMEOUT_MS,
      200,
    );
  }

  /** kill -9 `name`; resolves once its supervisor has started a new one, with the restart count before the kill. */
  async function crash(name: PlatformProcess): Promise<{ killed: number; restarted: number; before: number; logMark: number }> {
    const before = await restartsOf(name);
    assert.ok(before !== undefined, `${name} shows isowhisk_process_restarts_total`);
    const logMark = stack.logMark(name);
    const killed = await stack.kill(name);
    const restarted = await waitFor(
      `${name} to be restarted by its supervisor`,
      async () => {
        const pid = runningPid(platformProcess(TEST_LAYOUT, name));
        return pid !== undefined && pid !== killed ? pid : undefined;
      },
      45_000,
      50,
    );
    return { killed, restarted, before, logMark };
  }

  it('an invoker killed while a tenant ran an action is restarted, logged and counted; another namespace is served', async () => {
    const { attacker, bystander } = tenants;
    await attacker.ow.actions.create({ name: 'spin', action: 'async function main() { await new Promise((r) => setTimeout(r, 3000)); return {}; }' });
    await attacker.ow.actions.invoke({ name: 'spin', blocking: false });
    const { killed, before, logMark } = await crash('invoker0');
    await serving(logMark);
    const log = stack.logSince('invoker0', logMark);
    assert.match(log, new RegExp(`"msg":"invoker0 killed by SIGKILL after \\d+ ms; restart ${before + 1} in \\d+ ms"`), 'the crash and its restart are in the log');
    assert.equal(await restartsOf('invoker0'), before + 1, 'the new invoker counts the restart');
    assert.notEqual(runningPid(platformProcess(TEST_LAYOUT, 'invoker0')), killed);
    await bystanderServed(bystander);
  });

  it('a controller killed is restarted, logged and counted; another namespace is served with no manual step', async () => {
    const invokerMark = stack.logMark('invoker0');
    const { before, logMark } = await crash('controller0');
    await waitFor('the controller to answer /ping', async () => ((await fetch(`${stack.apiHost}/ping`).catch(() => undefined))?.ok ? true : undefined), RESTART_TIMEOUT_MS, 100);
    await waitFor(
      'the controller to list a healthy invoker',
      async () => ((await (await fetch(`${stack.apiHost}/invokers`)).json()) as Record<string, string>)['invoker0'] === 'up' || undefined,
      RESTART_TIMEOUT_MS,
      100,
    );
    assert.match(stack.logSince('controller0', logMark), new RegExp(`"msg":"controller0 killed by SIGKILL after \\d+ ms; restart ${before + 1} in \\d+ ms"`));
    assert.equal(await restartsOf('controller0'), before + 1);
    assert.doesNotMatch(stack.logSince('invoker0', invokerMark), /killed by/, 'the invoker was left alone');
    await bystanderServed(tenants.bystander);
  });
});
