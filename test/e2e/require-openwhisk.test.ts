// `require('openwhisk')` through the whole platform: an action annotated `provide-api-key` invokes another action
// blocking with its own `__OW_API_KEY` and returns its result, and fires a trigger whose rule runs an action; the
// client reaches the API host through the invoker's fetch, which always allows it (docs/openwhisk-client.md).
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { type Activation, type TestNamespace, freshNamespace } from '../support/platform.ts';
import { waitForRecord } from '../support/records.ts';

const DOUBLE = 'function main({ n }) { return { doubled: n * 2 }; }';
const CALLER = `const openwhisk = require('openwhisk');
async function main({ n }) {
  const ow = openwhisk();
  const result = await ow.actions.invoke({ name: 'double', params: { n }, blocking: true, result: true });
  return { result, namespace: process.env.__OW_NAMESPACE };
}`;
const FIRER = `const ow = require('openwhisk')();
async function main({ reading }) {
  const fired = await ow.triggers.invoke({ name: 'readings', params: { reading } });
  return { fired: typeof fired.activationId };
}`;
const NO_KEY = `async function main() {
  try { require('openwhisk')(); return { created: true }; } catch (e) { return { refused: e.message }; }
}`;
const withKey = { annotations: { 'provide-api-key': true } } as const;

/** The activations of `name` in the namespace, once there are at least `n`. */
async function activationsOf(ns: TestNamespace, name: string, n: number): Promise<Activation[]> {
  return waitFor(
    `${n} activations of ${name}`,
    async () => {
      const list = (await ns.ow.activations.list({ name, docs: true } as never)) as unknown as Activation[];
      return list.length >= n ? list : undefined;
    },
    30_000,
    100,
  );
}

describe("require('openwhisk') in actions (real platform)", function () {
  this.timeout(120_000);
  let ns: TestNamespace;

  before(async () => {
    ns = await freshNamespace('owclient');
    await ns.ow.actions.create({ name: 'double', action: DOUBLE });
  });

  it('an action invokes another action blocking with its own key and returns its result', async () => {
    await ns.ow.actions.create({ name: 'caller', action: CALLER, ...withKey });
    const record = (await ns.ow.actions.invoke({ name: 'caller', params: { n: 21 }, blocking: true })) as unknown as Activation;
    assert.deepEqual(record.response.result, { result: { doubled: 42 }, namespace: ns.name });
    const [inner] = await activationsOf(ns, 'double', 1);
    assert.deepEqual(inner!.response.result, { doubled: 42 });
  });

  it('an action fires a trigger; its rule runs an action with the fired parameters', async () => {
    await ns.ow.actions.create({ name: 'firer', action: FIRER, ...withKey });
    await ns.ow.actions.create({ name: 'store', action: 'function main(p) { return { stored: p.reading }; }' });
    await ns.ow.triggers.create({ name: 'readings' });
    await ns.ow.rules.create({ name: 'readings-store', trigger: 'readings', action: 'store' });
    const record = (await ns.ow.actions.invoke({ name: 'firer', params: { reading: 7.5 }, blocking: true })) as unknown as Activation;
    assert.deepEqual(record.response.result, { fired: 'string' });
    const [stored] = await activationsOf(ns, 'store', 1);
    assert.deepEqual((await waitForRecord(ns, stored!.activationId)).response.result, { stored: 7.5 });
  });

  it('without provide-api-key the action has no key, and the client says so', async () => {
    await ns.ow.actions.create({ name: 'nokey', action: NO_KEY });
    const record = (await ns.ow.actions.invoke({ name: 'nokey', blocking: true })) as unknown as Activation;
    assert.deepEqual(record.response.result, { refused: 'Invalid constructor options. Missing api_key parameter or token plugin.' });
  });
});
