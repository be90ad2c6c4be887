// The process logger: pino writing one JSON object per line to stdout, with `component` and `pid` on every line.
//
// How to use it:
// - Create ONE root logger per process, at start-up: `const log = createLogger('controller', config.logLevel)`.
// - Give each long-lived part a child, made once and kept: `this.#log = log.child({ module: 'balancer' })`.
//   The Kafka client already does this with `{ lib: 'kafkajs' }`.
// - Per unit of work, a child carrying its ids, so every line of that work can be grepped:
//   `const alog = log.child({ activationId, transactionId })`. Children are cheap, but not free: do not make one
//   per log line.
// - Fields first, message second: `alog.info({ invoker: 3, ms: 12 }, 'dispatched')`; errors go under `err`
//   (`log.error({ err }, 'record write failed')`) so pino serialises message, type and stack.
// - Never log action params, results, API keys or auth headers: they belong to users and may hold secrets.
import pino from 'pino';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';

export type { Logger } from 'pino';

/** Every level `createLogger` accepts, most severe first; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

// Compile-time guard: our list must stay within pino's levels.
const _levelsArePino: readonly LevelWithSilent[] = LOG_LEVELS;
void _levelsArePino;

/**
 * The root logger of one process. `destination` defaults to stdout; tests pass a stream to read the lines back.
 * Lines carry `level` as its name ("info", not 30) and `time` as ISO-8601, so they read well without pino-pretty.
 */
export function createLogger(component: string, level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { component, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
