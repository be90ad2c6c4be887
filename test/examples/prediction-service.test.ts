// examples/prediction-service on the real platform: the example's service runs as its README says (`node
// service.js`), on the loopback port the test platform lets actions fetch; the README's commands create the action
// and score a customer through it; a customer the model cannot score comes back as the service's 400.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '../../deploy/local/daemon.ts';
import type { CliNamespace } from '../support/cli.ts';
import { exampleNamespace, printedJson, runReadme } from '../support/examples.ts';
import { TEST_FETCH_TARGET_PORT } from '../support/stack.ts';

describe('example: calling a prediction service (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;
  let service: ChildProcess | undefined;

  before(async () => {
    ns = await exampleNamespace('prediction-service');
    service = spawn(process.execPath, ['service.js'], { cwd: ns.dir, env: { ...process.env, PORT: String(TEST_FETCH_TARGET_PORT) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    service.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor('the prediction service', async () => {
      if (service!.exitCode !== null) throw new Error(`the prediction service exited: ${out}`);
      return out.includes(`listening on ${TEST_FETCH_TARGET_PORT}`) || undefined;
    }, 30_000, 50);
  });

  after(async () => {
    if (service !== undefined && service.exitCode === null) {
      service.kill('SIGTERM');
      await once(service, 'exit');
    }
    ns?.cleanup();
  });

  it('the action scores a customer by calling the service with fetch', async () => {
    // The README's port is the one its operator allows; the test platform allows TEST_FETCH_TARGET_PORT.
    const outputs = await runReadme(ns, 'prediction-service', { '8480': String(TEST_FETCH_TARGET_PORT) });
    assert.deepEqual(printedJson(outputs.at(-1)!), { customer: 'c-17', churn: true, score: 0.89, model: 'churn-v1' });

    const low = await ns.wsk(['action', 'invoke', 'predict', '-p', 'customer', '{"id": "c-18", "monthlyCharges": 40, "tenureMonths": 48, "supportCalls": 0}', '--result']);
    assert.deepEqual(printedJson(low), { customer: 'c-18', churn: false, score: 0.004, model: 'churn-v1' });
  });

  it("a customer the model cannot score gets the service's 400 as the action's error", async () => {
    const bad = await ns.wsk(['action', 'invoke', 'predict', '-p', 'customer', '{"id": "c-19", "monthlyCharges": "lots"}', '--result']);
    // An application error: wsk prints the result and exits with an error, as OpenWhisk's does.
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout + bad.stderr, /prediction service answered 400: feature monthlyCharges must be a number/);
  });
});
