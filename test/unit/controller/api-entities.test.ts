// Pure pieces of the controller's API: names, versions, binary detection, parameter maps, limits, the action
// merge rules, the activation record's API form, key hashing and error mapping.
import assert from 'node:assert/strict';
import { amendAnnotations, isBinaryCode, makeAction, readActionPut, updateAction, type ActionDoc } from '../../../controller/entities/models/action.ts';
import { activationFilterName, activationSummary, toExtendedJson, type ActivationRecord } from '../../../shared/activation-record.ts';
import {
  DEFAULT_LIMITS,
  checkActionLimits,
  effectiveLimits,
  limitsResponse,
  mergeActionLimits,
} from '../../../controller/entities/models/limits.ts';
import { formatByteSize, parseByteSize } from '../../../shared/namespace-limits.ts';
import { checkEntityName, isEntityName } from '../../../shared/entity-names.ts';
import { isTruthy, readParameters, toParameterMap } from '../../../controller/entities/models/parameters.ts';
import { resolveRuntime } from '../../../controller/entities/models/runtimes.ts';
import { bumpPatch, parseSemVer } from '../../../controller/entities/models/semver.ts';
import { hashKey, verifyKey } from '../../../shared/key-hash.ts';
import { basicCredentials } from '../../../controller/middleware/auth.ts';
import { toHttpError } from '../../../controller/middleware/errors.ts';
import { AuthenticationError, BadRequestError, ForbiddenError, NotFoundError, WhiskError } from '../../../shared/errors.ts';

describe('controller api entities', () => {
  it('validates entity names like OpenWhisk', () => {
    for (const ok of ['a', '_', 'hello', 'a b', 'a@b.c&d-e', 'x'.repeat(256), 'trailing.', 'trailing-']) assert.ok(isEntityName(ok), ok);
    for (const bad of ['', ' a', 'a ', '-a', '.a', 'a/b', 'a!', 'x'.repeat(257), 'ü']) assert.ok(!isEntityName(bad), bad);
    assert.throws(() => checkEntityName('x'.repeat(300)), /Name segement longer than allowed: 300 > 256\./);
    assert.throws(() => checkEntityName('a!'), /The name of the entity contains illegal characters\./);
  });

  it('parses and bumps semantic versions', () => {
    assert.equal(parseSemVer('1'), '1.0.0');
    assert.equal(parseSemVer('1.2'), '1.2.0');
    assert.equal(parseSemVer('01.2.3'), '1.2.3');
    for (const bad of ['0.0.0', '', 'a.b.c', '1.-1.0', '1..2']) assert.equal(parseSemVer(bad), undefined, bad);
    assert.equal(bumpPatch('0.0.1'), '0.0.2');
    assert.equal(bumpPatch('1.9.9'), '1.9.10');
  });

  it('detects base64 code as binary', () => {
    assert.ok(isBinaryCode('UEsDBAoAAAAAAA=='));
    assert.ok(isBinaryCode('  UEsDBAoAAAAAAAAA  '));
    assert.ok(!isBinaryCode('function main() {}'));
    assert.ok(!isBinaryCode(''));
    assert.ok(!isBinaryCode('abc'));
  });

  it('resolves kinds: default and aliases', () => {
    assert.equal(resolveRuntime('nodejs:default')?.kind, 'nodejs:24');
    assert.equal(resolveRuntime('nodejs:20')?.kind, 'nodejs:20');
    assert.equal(resolveRuntime('python:3'), undefined);
    assert.equal(resolveRuntime('sequence'), undefined);
  });

  it('reads parameters: last value wins, first position kept, init and encryption kept', () => {
    const params = readParameters([
      { key: 'a', value: 1 },
      { key: 'b', value: null, init: true },
      { key: 'a', value: 2, encryption: 'aes-256' },
    ]);
    assert.deepEqual(params, [
      { key: 'a', value: 2, encryption: 'aes-256' },
      { key: 'b', value: null, init: true },
    ]);
    assert.throws(() => readParameters([{ key: 'a' }]), /parameters malformed!/);
    assert.throws(() => readParameters({ a: 1 }), /parameters malformed!/);
    assert.ok(isTruthy([{ key: 'k', value: 'yes' }], 'k'));
    assert.ok(!isTruthy([{ key: 'k', value: 0 }], 'k'));
    assert.ok(isTruthy([], 'k', true));
  });

  it('amends annotations: provide-api-key on create only, exec always', () => {
    const created = amendAnnotations(toParameterMap([{ key: 'exec', value: 'stale' }]), 'nodejs:24', true);
    assert.deepEqual([...created.values()], [
      { key: 'exec', value: 'nodejs:24' },
      { key: 'provide-api-key', value: false },
    ]);
    const kept = amendAnnotations(toParameterMap([{ key: 'provide-api-key', value: true }]), 'nodejs:24', true);
    assert.equal(kept.get('provide-api-key')?.value, true);
    const updated = amendAnnotations(new Map(), 'nodejs:22', false);
    assert.deepEqual([...updated.keys()], ['exec']);
  });

  it('merges an update like OpenWhisk', () => {
    const base = makeAction('ns', 'a', readActionPut({ exec: { kind: 'nodejs:default', code: 'x' }, parameters: [{ key: 'p', value: 1 }], limits: { memory: 128 } }), DEFAULT_LIMITS, 1);
    const old: ActionDoc = { revision: 7, ...base };
    const next = updateAction(old, readActionPut({ limits: { timeout: 500 }, annotations: [{ key: 'web-export', value: true }] }), 2);
    assert.deepEqual(next.exec, old.exec);
    assert.deepEqual(next.parameters, old.parameters);
    assert.deepEqual(next.limits, { timeout: 500, memory: 128, logs: 10, concurrency: 1 });
    assert.equal(next.version, '0.0.2');
    assert.deepEqual(next.annotations.map((a) => a.key), ['provide-api-key', 'exec', 'web-export']);
    assert.equal(next.updated, 2);
  });

  it('checks and merges action limits', () => {
    const limits = effectiveLimits(DEFAULT_LIMITS, {});
    assert.doesNotThrow(() => checkActionLimits({ memory: 128, timeout: 100, logs: 0, concurrency: 1 }, limits));
    assert.throws(() => checkActionLimits({ concurrency: 0 }, limits), (e: Error) => e instanceof BadRequestError && e.message === 'concurrency 0 below allowed threshold of 1');
    assert.deepEqual(mergeActionLimits({ timeout: 1, memory: 2, logs: 3, concurrency: 1, instances: 4 }, { memory: 5 }), {
      timeout: 1,
      memory: 5,
      logs: 3,
      concurrency: 1,
      instances: 4,
    });
    const narrowed = effectiveLimits(DEFAULT_LIMITS, { maxActionMemory: 1024, minActionTimeout: 1000 });
    assert.equal(narrowed.memory.max, 512, 'overrides stay within the system bounds');
    assert.equal(narrowed.timeout.min, 1000);
  });

  it('reads and prints byte sizes', () => {
    assert.equal(parseByteSize('1 MB'), 1048576);
    assert.equal(parseByteSize('512k'), 524288);
    assert.equal(parseByteSize('2 G'), 2 * 1024 ** 3);
    assert.equal(parseByteSize('lots'), undefined);
    assert.equal(formatByteSize(1048576), '1 MB');
    assert.equal(formatByteSize(2048), '2 KB');
    assert.equal(formatByteSize(1000), '1000 B');
    assert.equal(limitsResponse(DEFAULT_LIMITS, {}).maxParameterSize, '1 MB');
  });

  it('turns a stored record into the API form', () => {
    const record: ActivationRecord = {
      namespace: 'ns',
      name: 'a',
      subject: 'ns',
      activationId: '0'.repeat(32),
      start: 1000,
      end: 1042,
      cause: '1'.repeat(32),
      response: { statusCode: 2, result: { error: 'bad' }, size: 15 },
      logs: [],
      version: '0.0.1',
      publish: false,
      annotations: [{ key: 'path', value: 'ns/pkg/a' }],
    };
    const ext = toExtendedJson(record);
    assert.deepEqual(ext.response, { result: { error: 'bad' }, size: 15, success: false, status: 'action developer error' });
    assert.equal(ext.duration, 42);
    assert.equal(ext.cause, record.cause);
    const summary = activationSummary(record);
    assert.equal(summary.statusCode, 2);
    assert.equal(summary.logs, undefined);
    assert.equal(activationFilterName(record), 'pkg/a');
    assert.equal(activationFilterName({ ...record, annotations: [{ key: 'binding', value: 'ns/b' }] }), 'b/a');
    assert.equal(activationFilterName({ ...record, annotations: [] }), 'a');
  });

  it('hashes keys with a salt and verifies them', () => {
    const key = 'k'.repeat(64);
    const a = hashKey(key);
    const b = hashKey(key);
    assert.notEqual(a, b);
    assert.ok(verifyKey(key, a) && verifyKey(key, b));
    assert.ok(!verifyKey('j'.repeat(64), a));
    assert.ok(!verifyKey(key, 'plain'));
  });

  it('parses Basic credentials', () => {
    const header = `Basic ${Buffer.from('uuid:se:cret').toString('base64')}`;
    assert.deepEqual(basicCredentials(header), { username: 'uuid', password: 'se:cret' });
    assert.equal(basicCredentials('Bearer x'), undefined);
    assert.equal(basicCredentials(undefined), undefined);
  });

  it('maps errors to statuses and OpenWhisk texts in one place', () => {
    assert.deepEqual(toHttpError(new NotFoundError()), { status: 404, message: 'The requested resource does not exist.', headers: {} });
    assert.deepEqual(toHttpError(new ForbiddenError()).message, 'The supplied authentication is not authorized to access this resource.');
    assert.deepEqual(toHttpError(new AuthenticationError('missing')).headers, { 'WWW-Authenticate': 'Basic realm="OpenWhisk secure realm"' });
    assert.equal(toHttpError(new WhiskError('no-invoker')).status, 503);
    assert.deepEqual(toHttpError(new Error('secret detail')), { status: 500, message: 'Internal Server Error', headers: {} });
  });
});
