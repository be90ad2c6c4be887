// Activation records (`E/WhiskActivation.scala`) as the invoker and the controller build them: `path` names where the action is
// stored, and `binding` appears only for an invoke through a package binding.
import assert from 'node:assert/strict';
import { actionDoc } from './helpers.ts';
import { forcedErrorRecord } from '../../../controller/activator/forced-record.ts';
import type { ActivationPlan } from '../../../controller/activator/activator.ts';
import type { ActivationRequest } from '../../../shared/avro/activation-request.ts';
import { failureRecord, outcomeRecord } from '../../../invoker/record.ts';
import { success } from '../../../invoker/runtime/classify.ts';

const request: ActivationRequest = {
  activationId: '0123456789abcdef0123456789abcdef',
  transactionId: 'tid',
  action: { namespace: 'owner', name: 'utils/echo', revision: '7' },
  identity: { subject: 'caller', namespace: 'caller-ns', uuid: 'u' },
  apiKey: null,
  params: '{}',
  blocking: true,
  controllerId: 0,
  deadline: 0,
  cause: null,
  initArgs: [],
  receivedAt: 0,
  binding: null,
};

const action = actionDoc({
  revision: 7,
  namespace: 'owner/utils',
  name: 'echo',
  exec: { kind: 'nodejs:24', code: '', binary: false },
  limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
});

const outcome = { ...success({}), logs: [], start: 10, end: 20, durationMs: 10 };
const annotation = (record: { annotations: { key: string; value: unknown }[] }, key: string) => record.annotations.find((a) => a.key === key)?.value;

describe('activation records: path and binding annotations', () => {
  it('names the stored action in path and adds no binding annotation by default', () => {
    for (const record of [outcomeRecord(request, action, outcome), failureRecord(request, action, 1, 'x', 5)]) {
      assert.equal(annotation(record, 'path'), 'owner/utils/echo');
      assert.equal(record.annotations.some((a) => a.key === 'binding'), false);
      assert.equal(record.namespace, 'caller-ns');
      assert.equal(record.name, 'echo');
    }
  });

  it('adds the binding annotation when invoked through a binding', () => {
    const through = { ...request, binding: 'caller-ns/mine' };
    for (const record of [outcomeRecord(through, action, outcome), failureRecord(through, undefined, 3, 'x', 5)]) {
      assert.equal(annotation(record, 'path'), 'owner/utils/echo');
      assert.equal(annotation(record, 'binding'), 'caller-ns/mine');
    }
  });

  it('the controller\'s forced record carries it too', () => {
    const plan = {
      activationId: request.activationId,
      transactionId: 'tid',
      receivedAt: 0,
      action: { namespace: 'owner', package: 'utils', name: 'echo', path: 'owner/utils/echo', revision: 7, version: '0.0.1', kind: 'nodejs:24', binary: false, publish: false },
      limits: action.limits,
      params: {},
      initParams: [],
      identity: { subject: 'caller', namespace: 'caller-ns', uuid: 'u' },
      blocking: true,
      waitMs: 60000,
    } satisfies ActivationPlan;
    assert.equal(annotation(forcedErrorRecord(plan, 5), 'binding'), undefined);
    assert.equal(annotation(forcedErrorRecord({ ...plan, binding: 'caller-ns/mine' }, 5), 'binding'), 'caller-ns/mine');
  });
});
