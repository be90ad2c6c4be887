import assert from 'node:assert/strict';
import { classifyInit, classifyRun, Messages, whiskError } from '../../../invoker/runtime/classify.ts';

describe('result classification (ActivationResult.scala, pure)', () => {
  it('an object without error is a success that keeps the sandbox', () => {
    assert.deepEqual(classifyRun({ kind: 'returned', json: '{"a":1}' }), { statusCode: 0, result: { a: 1 }, size: 7, timedOut: false, discard: false });
  });

  it('an object with error is an application error whose result keeps only the error field', () => {
    const r = classifyRun({ kind: 'returned', json: '{"error":{"code":7},"other":1}' });
    assert.deepEqual(r, { statusCode: 1, result: { error: { code: 7 } }, size: 30, timedOut: false, discard: false });
  });

  it('error: null still counts as an error field', () => {
    assert.equal(classifyRun({ kind: 'returned', json: '{"error":null}' }).statusCode, 1);
  });

  it('an array is a success; null and JSON scalars are invalid responses', () => {
    assert.deepEqual(classifyRun({ kind: 'returned', json: '[1,"x"]' }).result, [1, 'x']);
    const n = classifyRun({ kind: 'returned', json: 'null' });
    assert.equal(n.statusCode, 2);
    assert.deepEqual(n.result, { error: 'The action did not produce a valid JSON or JSON Array response: null' });
    assert.deepEqual(classifyRun({ kind: 'returned', json: '"2024-01-01T00:00:00.000Z"' }).result, {
      error: 'The action did not produce a valid JSON or JSON Array response: "2024-01-01T00:00:00.000Z"',
    });
    assert.deepEqual(classifyRun({ kind: 'returned', json: '' }).result, {
      error: 'The action did not produce a valid JSON or JSON Array response.',
    });
  });

  it('sync throw, non-object, timeout, OOM and exit are developer errors that discard the sandbox', () => {
    assert.deepEqual(classifyRun({ kind: 'threw', text: 'Error: boom' }), {
      statusCode: 2,
      result: { error: 'An error has occurred: Error: boom' },
      size: JSON.stringify({ error: 'An error has occurred: Error: boom' }).length,
      timedOut: false,
      discard: true,
    });
    assert.deepEqual(classifyRun({ kind: 'notObject' }).result, { error: 'The action did not return a dictionary.' });
    const t = classifyRun({ kind: 'timedOut', timeoutMs: 300 });
    assert.deepEqual([t.statusCode, t.result, t.timedOut, t.discard], [2, { error: 'The action exceeded its time limits of 300 milliseconds.' }, true, true]);
    assert.deepEqual(classifyRun({ kind: 'outOfMemory' }).result, { error: 'The action exhausted its memory and was aborted.' });
    assert.deepEqual(classifyRun({ kind: 'exited' }).result, { error: 'The action did not produce a valid response and exited unexpectedly.' });
  });

  it('a result over the limit is an application error with the truncated body', () => {
    const json = JSON.stringify({ big: 'é'.repeat(20) }); // 50 bytes in UTF-8
    const r = classifyRun({ kind: 'returned', json }, { maxResultBytes: 40, truncationBytes: 12 });
    assert.equal(r.statusCode, 1);
    assert.equal(r.discard, false);
    // 12 bytes: {"big":" is 8, then two 2-byte é
    assert.deepEqual(r.result, {
      error: 'The action produced a response that exceeded the allowed length: 50 > 40 bytes. The truncated response was: {"big":"éé',
    });
    assert.equal(r.size, 50);
  });

  it('a clipped guest result uses the byte count the guest measured', () => {
    const r = classifyRun({ kind: 'rejected', json: '{"error":"xx', bytes: 5_000_000 }, { maxResultBytes: 1_048_576, truncationBytes: 4 });
    assert.deepEqual(r.result, { error: Messages.truncatedResponse('{"er', 5_000_000, 1_048_576) });
  });

  it('init endings: ready is null; failures, timeouts, OOM and exits are developer errors', () => {
    assert.equal(classifyInit({ kind: 'ready' }), null);
    assert.deepEqual(classifyInit({ kind: 'failed', error: 'Initialization has failed due to: x' })?.result, { error: 'Initialization has failed due to: x' });
    const t = classifyInit({ kind: 'timedOut', timeoutMs: 100 });
    assert.deepEqual([t?.result, t?.timedOut], [{ error: 'The action exceeded its time limits of 100 milliseconds during initialization.' }, true]);
    assert.deepEqual(classifyInit({ kind: 'exited' })?.result, { error: 'The action did not initialize and exited unexpectedly.' });
    assert.deepEqual(classifyInit({ kind: 'outOfMemory' })?.result, { error: 'The action exhausted its memory and was aborted.' });
  });

  it('whisk errors are status 3 and discard', () => {
    assert.deepEqual(whiskError(Messages.provisioningFailed), {
      statusCode: 3,
      result: { error: 'Failed to provision resources to run the action.' },
      timedOut: false,
      discard: true,
    });
  });
});
