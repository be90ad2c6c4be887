// Ping: what every invoker publishes on topic `health` every second, so controllers know who is up, how much
// memory each has free and which actions each holds warm (for warm-aware scheduling).
// Schema versions are append-only: a shipped version is never edited; changes are new versions with defaults.
import { createCodec } from './codec.ts';
import type { AvroSchema, SchemaVersions } from './codec.ts';

/**
 * `draining`: the invoker is shutting down and finishes its work but takes no new activations.
 * `unhealthy`: the invoker lives but cannot take work (its topic's consumer crashed); it says so itself.
 */
export type PingStatus = 'up' | 'draining' | 'unhealthy';

/** A decoded Ping (current schema version). */
export interface Ping {
  invokerId: number;
  /** Instance name, e.g. `invoker0` or a pod name; for display and logs. */
  instance: string;
  /** Memory the invoker offers to actions in total. */
  userMemoryMB: number;
  /** Of that, memory not held by running or warm isolates. */
  freeMemoryMB: number;
  /** Fully qualified names (`ns/pkg/action`) of actions with a warm isolate. */
  warmActions: string[];
  status: PingStatus;
  /** Epoch ms at which the ping was sent. */
  sentAt: number;
}

const fields = (statusSymbols: string[]): AvroSchema[] => [
  { name: 'invokerId', type: 'int' },
  { name: 'instance', type: 'string' },
  { name: 'userMemoryMB', type: 'int' },
  { name: 'freeMemoryMB', type: 'int' },
  { name: 'warmActions', type: { type: 'array', items: 'string' } },
  { name: 'status', type: { type: 'enum', name: 'PingStatus', symbols: statusSymbols } },
  { name: 'sentAt', type: 'long' },
];

const v1: AvroSchema = { type: 'record', name: 'Ping', namespace: 'isowhisk', fields: fields(['up', 'draining']) };
// v2: an invoker may report itself `unhealthy`; a v1 writer's `up` and `draining` resolve to the same symbols.
const v2: AvroSchema = { type: 'record', name: 'Ping', namespace: 'isowhisk', fields: fields(['up', 'draining', 'unhealthy']) };

export const pingSchemas: SchemaVersions = [v1, v2];

export const pingCodec = createCodec<Ping>(pingSchemas);
