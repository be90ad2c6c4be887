import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { activationStore } from '../../shared/activation-store.ts';
import { CompletionReader, completionEntry, publishCompletion, type Completion } from '../../shared/completions.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { newActivationId } from '../../shared/ids.ts';
import { testRedis } from '../support/stack.ts';
import { type PendingEntry, PendingTable } from '../../controller/durability/pending-table.ts';

describe('completion stream (real Redis)', () => {
  const keys = redisKeys(`iwtest${randomInt(1e9)}:`);
  let writer: Redis;
  let readerConnection: Redis;

  before(async () => {
    const redisUrl = await testRedis();
    writer = new Redis(redisUrl);
    readerConnection = new Redis(redisUrl);
  });

  after(() => writer.disconnect());

  it('delivers completions published after the reader started, in order, to the right controller only', async () => {
    const received: Completion[] = [];
    const reader = new CompletionReader(readerConnection, keys, 7, pino({ level: 'silent' }), (c) => received.push(c));
    await publishCompletion(writer, keys, 7, { activationId: newActivationId(), invokerId: 0, statusCode: 0 }); // before start: not delivered
    await reader.start();
    const sent = Array.from({ length: 20 }, (_, i) => ({ activationId: newActivationId(), invokerId: i % 3, statusCode: i % 4, ...(i % 2 ? { record: JSON.stringify({ n: i }) } : {}) }));
    for (const c of sent) {
      await publishCompletion(writer, keys, 7, c);
      await publishCompletion(writer, keys, 8, { ...c, statusCode: 3 }); // another controller's stream
    }
    await waitFor('all completions', async () => (received.length >= sent.length ? true : undefined), 10_000, 10);
    await reader.stop();
    assert.deepEqual(received, sent);
  });

  it('stores a record and delivers its completion in one step; a second record for the id is refused, its completion still goes out', async () => {
    const received: Completion[] = [];
    const reader = new CompletionReader(new Redis(await testRedis()), keys, 9, pino({ level: 'silent' }), (c) => received.push(c));
    await reader.start();
    const store = activationStore(writer, keys);
    const activationId = newActivationId();
    const start = Date.now();
    const record = { namespace: 'ns', name: 'a', subject: 'ns', activationId, start, end: start + 1, response: { statusCode: 0 as const, result: { first: true } }, logs: [], version: '0.0.1', publish: false, annotations: [] };
    const completion: Completion = { activationId, invokerId: 2, statusCode: 0, record: JSON.stringify(record) };

    assert.equal(await store.putRecordAndComplete(record, 60, completionEntry(keys, 9, completion)), true);
    const late = { ...record, response: { statusCode: 3 as const, result: { error: 'late' } } };
    assert.equal(await store.putRecordAndComplete(late, 60, completionEntry(keys, 9, { ...completion, statusCode: 3 })), false);

    await waitFor('both completions', async () => (received.length >= 2 ? true : undefined), 10_000, 10);
    await reader.stop();
    assert.deepEqual(received, [completion, { ...completion, statusCode: 3 }]);
    assert.deepEqual((await store.getRecord(activationId))?.response, record.response, 'the first record stays');
    assert.deepEqual(await store.list('ns', { skip: 0, limit: 10 }), [record]);
  });

  it("removes the activation's pending entry with its record when the completion says so, and tells the controller", async () => {
    const received: Completion[] = [];
    const reader = new CompletionReader(new Redis(await testRedis()), keys, 10, pino({ level: 'silent' }), (c) => received.push(c));
    await reader.start();
    const table = new PendingTable(writer, keys, pino({ level: 'silent' }));
    const store = activationStore(writer, keys);
    const [kept, cleared] = [newActivationId(), newActivationId()];
    const now = Date.now();
    for (const activationId of [kept, cleared]) {
      const plan = { activationId, receivedAt: now } as PendingEntry['plan']; // not read by this test
      await table.add({ activationId, controllerId: 10, invokerId: 4, deadline: now + 60_000, giveUpAt: now + 120_000, plan, request: { value: Buffer.from('x'), headers: {} } });
    }
    const recordOf = (activationId: string) => ({ namespace: 'ns', name: 'a', subject: 'ns', activationId, start: now, end: now + 1, response: { statusCode: 0 as const, result: {} }, logs: [], version: '0.0.1', publish: false, annotations: [] });
    await store.putRecordAndComplete(recordOf(kept), 60, completionEntry(keys, 10, { activationId: kept, invokerId: 4, statusCode: 0 }));
    await store.putRecordAndComplete(recordOf(cleared), 60, completionEntry(keys, 10, { activationId: cleared, invokerId: 4, statusCode: 0, pendingCleared: true }));

    await waitFor('both completions', async () => (received.length >= 2 ? true : undefined), 10_000, 10);
    await reader.stop();
    assert.deepEqual(received.map((c) => c.pendingCleared), [undefined, true]);
    assert.ok(await table.get(kept), 'a completion that does not say so leaves the entry to the controller');
    assert.equal(await table.get(cleared), undefined);
    assert.deepEqual(await table.overdue(10, now + 1e9, 10), [kept]);
    assert.deepEqual(await table.startable(4, now, 10), [kept]);
  });
});
