// Figure 4, the transport floor: the hops of an activation without the controller's HTTP stack and without an
// isolate. An Avro ActivationRequest is produced to a bench topic on the stack's Kafka (the controller's producer
// settings); a BoundedConsumer (the invoker's consumer) decodes it and XADDs a completion carrying a record-sized
// payload (publishCompletion); a CompletionReader (the controller's) hands it back, and the round trip is timed.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { CompletionReader, publishCompletion } from '../../shared/completions.ts';
import { BoundedConsumer } from '../../shared/kafka/bounded-consumer.ts';
import { createKafka, createProducer, ensureTopics } from '../../shared/kafka/client.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { type Operation, withTimeout } from './stats.ts';

const TOPIC = 'bench-transport-floor';
/** A completion stream no controller reads. */
const FLOOR_CONTROLLER_ID = 900;
const ROUND_TRIP_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

export interface TransportFloor {
  /** One round trip: produce, consume, XADD, XREAD. */
  roundTrip: Operation;
  close(): Promise<void>;
}

/** Connects the producer, consumer and reader, and waits until a round trip goes through. */
export async function openTransportFloor(brokers: string[], redisUrl: string): Promise<TransportFloor> {
  const logger = pino({ level: 'error' }, pino.destination(2));
  const keys = redisKeys();
  const kafka = createKafka({ brokers, clientId: 'isowhisk-bench', logger });
  await ensureTopics(kafka, [{ topic: TOPIC, partitions: 1, retentionMs: 3_600_000 }]);
  const producer = await createProducer(kafka);
  const redis = new Redis(redisUrl);
  const waiting = new Map<string, () => void>();
  const reader = new CompletionReader(new Redis(redisUrl), keys, FLOOR_CONTROLLER_ID, logger, (c) => {
    waiting.get(c.activationId)?.();
    waiting.delete(c.activationId);
  });
  const record = sampleRecord();
  const consumer = new BoundedConsumer({
    kafka,
    groupId: `bench-floor-${randomBytes(4).toString('hex')}`,
    topic: TOPIC,
    capacity: 256,
    fromBeginning: false,
    logger,
    handle: async (message) => {
      const request = activationRequestCodec.decode(message.value, message.headers);
      await publishCompletion(redis, keys, request.controllerId, { activationId: request.activationId, invokerId: 0, statusCode: 0, record });
    },
  });
  await reader.start();
  await consumer.start();

  const roundTrip = async () => {
    const request = sampleRequest();
    const { value, headers } = activationRequestCodec.encode(request);
    const done = new Promise<void>((resolve) => waiting.set(request.activationId, resolve));
    await producer.send(TOPIC, [{ key: request.activationId, value, headers }]);
    await withTimeout(done, ROUND_TRIP_TIMEOUT_MS, 'transport round trip').finally(() => waiting.delete(request.activationId));
  };
  const close = async () => {
    await Promise.allSettled([consumer.stop(), producer.close(), reader.stop()]);
    redis.disconnect();
  };

  // A new group starts at the topic's end once it has joined: retry until one round trip completes.
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await withTimeout(roundTrip(), 1000, 'first round trip');
      break;
    } catch (err) {
      if (Date.now() > until) {
        await close();
        throw new Error(`transport floor never became ready: ${(err as Error).message}`);
      }
    }
  }
  return { roundTrip, close };
}

/** A request like the controller's for a trivial action with `{"n":1}`. */
function sampleRequest(): ActivationRequest {
  const now = Date.now();
  return {
    activationId: randomBytes(16).toString('hex'),
    transactionId: randomBytes(16).toString('hex'),
    action: { namespace: 'bench-floor', name: 'bench-warm', revision: '1' },
    identity: { subject: 'bench-floor', namespace: 'bench-floor', uuid: '00000000-0000-4000-8000-000000000000' },
    apiKey: null,
    params: '{"n":1}',
    blocking: true,
    controllerId: FLOOR_CONTROLLER_ID,
    deadline: now + 60_000,
    cause: null,
    initArgs: [],
    receivedAt: now,
    binding: null,
  };
}

/** A record of the size an invoker sends back for a trivial blocking activation. */
function sampleRecord(): string {
  const now = Date.now();
  return JSON.stringify({
    activationId: randomBytes(16).toString('hex'),
    namespace: 'bench-floor',
    name: 'bench-warm',
    subject: 'bench-floor',
    version: '0.0.1',
    publish: false,
    start: now,
    end: now + 1,
    duration: 1,
    response: { statusCode: 0, result: { ok: true, n: 1 } },
    logs: [],
    annotations: [
      { key: 'path', value: 'bench-floor/bench-warm' },
      { key: 'waitTime', value: 2 },
      { key: 'kind', value: 'nodejs:24' },
      { key: 'timeout', value: false },
      { key: 'limits', value: { concurrency: 1, logs: 10, memory: 256, timeout: 60000 } },
      { key: 'traceId', value: randomBytes(16).toString('hex') },
    ],
  });
}
