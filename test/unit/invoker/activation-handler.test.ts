// The order of an activation's steps in the invoker (invoker/activation-handler.ts): the claim comes after host memory
// and the sandbox lease, a failed claim gives both back untouched, a drain leaves an unclaimed request unsettled, and
// a request past its deadline is claimed before its record. Redis, the pool and the store are stand-ins that log
// every call; the real path is test/e2e/invoker-delivery.test.ts.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { activationRequestCodec, type ActivationRequest } from '../../../shared/avro/activation-request.ts';
import type { IncomingMessage } from '../../../shared/kafka/bounded-consumer.ts';
import { redisKeys } from '../../../shared/redis-keys.ts';
import type { ActivationStore } from '../../../shared/activation-store.ts';
import type { ActivationRecord } from '../../../shared/activation-record.ts';
import { ActivationHandler } from '../../../invoker/activation-handler.ts';
import type { ActionLoader } from '../../../invoker/action-loader.ts';
import { HostMemoryBudget } from '../../../invoker/host-memory.ts';
import type { IsolatePool } from '../../../invoker/runtime/isolate-pool.ts';
import { Messages } from '../../../invoker/record.ts';
import { actionDoc, waitFor } from './helpers.ts';

const ACTION = actionDoc();

function message(deadlineInMs = 60_000): { message: IncomingMessage; request: ActivationRequest } {
  const request: ActivationRequest = {
    activationId: `a${Math.random().toString(16).slice(2)}`,
    transactionId: 't',
    action: { namespace: 'ns', name: 'a', revision: '1' },
    identity: { subject: 'ns', namespace: 'ns', uuid: 'u' },
    apiKey: null,
    params: '{}',
    blocking: false,
    controllerId: 0,
    deadline: Date.now() + deadlineInMs,
    cause: null,
    initArgs: [],
    receivedAt: Date.now(),
    binding: null,
  };
  const { value, headers } = activationRequestCodec.encode(request);
  const flat = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, v as Buffer | string]));
  return { request, message: { topic: 'invoker0', partition: 0, offset: '0', key: request.activationId, value, headers: flat, timestamp: Date.now() } };
}

/** A handler over stand-ins; `calls` lists the steps in order. */
function setup(options: { claimTaken?: boolean; leaseWaits?: boolean; cold?: boolean } = {}) {
  const calls: string[] = [];
  const stored: ActivationRecord[] = [];
  const released: Array<{ discard: boolean }> = [];
  const hostMemory = new HostMemoryBudget(1024 * 1024 * 1024);
  const sandbox = {
    activate: async () => {
      calls.push('run');
      return { statusCode: 0 as const, result: { ok: true }, timedOut: false as const, discard: false as const, logs: [], start: Date.now(), end: Date.now(), durationMs: 0 };
    },
  };
  const pool = {
    // The warm path: a sandbox at once, unless the test makes every lease wait.
    acquireNow: () => {
      if (options.leaseWaits) return undefined;
      calls.push('lease');
      return { sandbox, warm: !options.cold };
    },
    acquire: (_key: unknown, _memoryMB: number, opts: { signal?: AbortSignal }) => {
      calls.push('lease');
      if (!options.leaseWaits) return Promise.resolve({ sandbox, warm: true });
      return new Promise((_resolve, reject) => opts.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    },
    replenish: () => calls.push('replenish'),
    release: (_s: unknown, o: { discard: boolean }) => {
      calls.push('release');
      released.push(o);
    },
  } as unknown as IsolatePool;
  const redis = {
    set: async () => {
      calls.push('claim');
      return options.claimTaken ? null : 'OK';
    },
  } as unknown as Redis;
  const store = {
    putRecordAndComplete: async (record: ActivationRecord) => {
      calls.push('store');
      stored.push(record);
      return true;
    },
  } as unknown as ActivationStore;
  const loader = { load: async () => ACTION } as unknown as ActionLoader;
  const handler = new ActivationHandler({
    invokerId: 0,
    apiHost: 'http://api',
    redis,
    keys: redisKeys(),
    store,
    loader,
    pool,
    hostMemory,
    maxArchiveBytes: 1024,
    logger: pino({ level: 'silent' }),
    recordTtlSeconds: 60,
  });
  return { handler, calls, stored, released, hostMemory };
}

describe('activation handler: claim just before the run', () => {
  it('reserves memory and leases a sandbox before it claims, settles at the claim, then runs and stores', async () => {
    const { handler, calls, stored, hostMemory } = setup();
    const { message: m } = message();
    let settledAt: string[] | undefined;
    const result = await handler.handle(m, () => (settledAt = [...calls]));
    assert.equal(result, undefined);
    assert.deepEqual(calls, ['lease', 'claim', 'run', 'release', 'store']);
    assert.deepEqual(settledAt, ['lease', 'claim'], 'settled right after the claim, before the run');
    assert.equal(stored[0]!.response.statusCode, 0);
    assert.equal(hostMemory.reservedBytes, 0);
  });

  it('a cold start asks the pool to replace its stem cell only once the record is stored', async () => {
    const { handler, calls } = setup({ cold: true });
    await handler.handle(message().message, () => {});
    assert.deepEqual(calls, ['lease', 'claim', 'run', 'release', 'store', 'replenish']);
  });

  it('a failed claim gives back the sandbox (kept, not discarded) and the memory, and writes nothing', async () => {
    const { handler, calls, stored, released, hostMemory } = setup({ claimTaken: true });
    let settled = false;
    await handler.handle(message().message, () => (settled = true));
    assert.deepEqual(calls, ['lease', 'claim', 'release']);
    assert.deepEqual(released, [{ discard: false }]);
    assert.equal(stored.length, 0);
    assert.equal(hostMemory.reservedBytes, 0);
    assert.equal(settled, false, 'settled by the consumer when the handler returns, not as claimed');
  });

  it('draining: a request waiting for a sandbox stops waiting, stays unclaimed and unsettled, and gives its memory back', async () => {
    const { handler, calls, stored, hostMemory } = setup({ leaseWaits: true });
    let settled = false;
    const handled = handler.handle(message().message, () => (settled = true));
    await waitFor(() => calls.includes('lease'), 5_000, 'the lease to be asked for');
    assert.ok(hostMemory.reservedBytes > 0);
    handler.drain();
    assert.equal(await handled, 'unsettled');
    assert.equal(settled, false);
    assert.ok(!calls.includes('claim'));
    assert.equal(stored.length, 0);
    assert.equal(hostMemory.reservedBytes, 0);
    // Requests that arrive once draining are left too, without a look at Redis.
    assert.equal(await handler.handle(message().message, () => (settled = true)), 'unsettled');
    assert.ok(!calls.includes('claim'));
  });

  it('a request past its deadline is claimed, then recorded as expired, without a sandbox', async () => {
    const { handler, calls, stored } = setup();
    await handler.handle(message(-1000).message, () => {});
    assert.deepEqual(calls, ['claim', 'store']);
    const [head, tail] = Messages.expired(424242).split('424242');
    const error = (stored[0]!.response.result as { error: string }).error;
    assert.ok(error.startsWith(head!) && error.endsWith(tail!), error);
  });

  it('a request past its deadline and already claimed elsewhere writes nothing', async () => {
    const { handler, calls, stored } = setup({ claimTaken: true });
    await handler.handle(message(-1000).message, () => {});
    assert.deepEqual(calls, ['claim']);
    assert.equal(stored.length, 0);
  });

  it('knows when the last running activation reaches its time limit (the drain bound)', async () => {
    const { handler } = setup();
    assert.equal(handler.latestRunEnd(), undefined);
    let during: number | undefined;
    const before = Date.now();
    await handler.handle(message().message, () => queueMicrotask(() => (during = handler.latestRunEnd())));
    assert.ok(during !== undefined && during >= before + ACTION.limits.timeout, `during the run: ${during}`);
    assert.equal(handler.latestRunEnd(), undefined);
  });
});
