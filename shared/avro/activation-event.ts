// ActivationEvent: what controllers and invokers publish on topic `events` for metrics consumers, in the shape of
// OpenWhisk's user-events EventMessage (`core/monitoring/user-events`, `EventMessage.scala`): an envelope and a body that is either one
// activation's figures (eventType Activation) or one named metric (eventType Metric).
// Schema versions are append-only: a shipped version is never edited; changes are new versions with defaults.
import { createCodec } from './codec.ts';
import type { Adapter, AvroSchema, SchemaVersions } from './codec.ts';

export type EventType = 'Activation' | 'Metric';

/** One finished activation, as OpenWhisk's `Activation` event body. Durations in ms. */
export interface ActivationEventBody {
  /** Fully qualified action name, `ns/pkg/action`. */
  name: string;
  activationId: string;
  /** 0 success, 1 application error, 2 developer error, 3 whisk internal error. */
  statusCode: number;
  duration: number;
  waitTime: number;
  initTime: number;
  kind: string;
  conductor: boolean;
  /** The action's memory limit in MB. */
  memory: number;
  causedBy: string | null;
  /** Size of the result in bytes. */
  size: number | null;
  /** The `statusCode` a web action's result set, if any. */
  userDefinedStatusCode: number | null;
}

/** One sample of a named counter, as OpenWhisk's `Metric` event body (e.g. `ConcurrentRateLimit`). */
export interface MetricEventBody {
  metricName: string;
  metricValue: number;
}

interface EventEnvelope {
  /** The emitting process, e.g. `controller0`, `invoker1`. */
  source: string;
  subject: string;
  namespace: string;
  /** The namespace's uuid. */
  userId: string;
  /** Epoch ms. */
  timestamp: number;
}

/** A decoded ActivationEvent (current schema version): `eventType` tells which body it carries. */
export type ActivationEvent =
  | (EventEnvelope & { eventType: 'Activation'; body: ActivationEventBody })
  | (EventEnvelope & { eventType: 'Metric'; body: MetricEventBody });

const nullable = (type: string) => ({ type: ['null', type], default: null });

const v1: AvroSchema = {
  type: 'record',
  name: 'ActivationEvent',
  namespace: 'isowhisk',
  fields: [
    { name: 'source', type: 'string' },
    { name: 'subject', type: 'string' },
    { name: 'namespace', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'eventType', type: { type: 'enum', name: 'EventType', symbols: ['Activation', 'Metric'] } },
    { name: 'timestamp', type: 'long' },
    {
      name: 'body',
      type: [
        {
          type: 'record',
          name: 'Activation',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'activationId', type: 'string' },
            { name: 'statusCode', type: 'int' },
            { name: 'duration', type: 'long' },
            { name: 'waitTime', type: 'long' },
            { name: 'initTime', type: 'long' },
            { name: 'kind', type: 'string' },
            { name: 'conductor', type: 'boolean' },
            { name: 'memory', type: 'int' },
            { name: 'causedBy', ...nullable('string') },
            { name: 'size', ...nullable('int') },
            { name: 'userDefinedStatusCode', ...nullable('int') },
          ],
        },
        {
          type: 'record',
          name: 'Metric',
          fields: [
            { name: 'metricName', type: 'string' },
            { name: 'metricValue', type: 'long' },
          ],
        },
      ],
    },
  ],
};

export const activationEventSchemas: SchemaVersions = [v1];

// avsc cannot tell two record branches apart by the value's JavaScript type, so it writes and reads this union
// wrapped: `{ "isowhisk.Activation": {...} }`. The adapter keeps OpenWhisk's plain `body`, choosing the branch
// from `eventType`, and on reading checks that both agree rather than trusting either alone.
const BRANCH: Record<EventType, string> = { Activation: 'isowhisk.Activation', Metric: 'isowhisk.Metric' };

const unwrapBody: Adapter<ActivationEvent> = {
  toAvro: (event) => ({ ...event, body: { [BRANCH[event.eventType]]: event.body } }),
  fromAvro(value) {
    const { body, ...envelope } = value as Omit<ActivationEvent, 'body'> & { body: Record<string, unknown> };
    const [branch, ...others] = Object.keys(body);
    if (branch !== BRANCH[envelope.eventType] || others.length > 0) {
      throw new Error(`ActivationEvent: eventType ${envelope.eventType} does not match its body (${String(branch)})`);
    }
    return { ...envelope, body: body[branch] } as ActivationEvent;
  },
};

export const activationEventCodec = createCodec<ActivationEvent>(activationEventSchemas, unwrapBody);
