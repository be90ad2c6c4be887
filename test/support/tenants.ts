// Two tenants on the shared test platform, for the tenant-isolation suites: an attacker and a bystander. Every
// attack test ends with `bystanderServed`, which shows that another namespace's invoke still answers while (or
// right after) the attack ran: an attack that is refused but takes the platform down has not been contained.
import assert from 'node:assert/strict';
import { freshNamespace, type TestNamespace } from './platform.ts';

export interface Tenants {
  attacker: TestNamespace;
  bystander: TestNamespace;
}

const ECHO = 'function main(params) { return { echo: params.word }; }';

/** Two fresh namespaces; the bystander owns an `echo` action. */
export async function twoTenants(): Promise<Tenants> {
  const [attacker, bystander] = await Promise.all([freshNamespace('attacker'), freshNamespace('bystander')]);
  await bystander.ow.actions.create({ name: 'echo', action: ECHO });
  return { attacker, bystander };
}

/** Asserts that the bystander's blocking invoke answers with its own result. */
export async function bystanderServed(bystander: TestNamespace): Promise<void> {
  const word = `alive-${Date.now()}`;
  const result = await bystander.ow.actions.invoke({ name: 'echo', params: { word }, blocking: true, result: true });
  assert.deepEqual(result, { echo: word }, 'another namespace was not served');
}
