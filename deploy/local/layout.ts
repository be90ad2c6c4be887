// Where each part of a local stack lives: its run folder and its ports. The stack `npm start` runs and the one
// `npm test` runs use different folders and ports, so tests never disturb (or depend on) a developer's stack.
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const CACHE_DIR = join(PROJECT_ROOT, '.cache');

export interface StackLayout {
  /** Root run folder; each service gets a subfolder with its data, pid file and log. */
  runDir: string;
  kafka: { port: number; controllerPort: number };
  redis: { port: number };
  /** The REST API, and the web actions' own origin (`webPort`, the API's port + 1). */
  controller: { port: number; webPort: number };
  /** The invoker's `GET /metrics` and `/ping`. */
  invoker: { metricsPort: number };
  jaeger: { otlpHttpPort: number; uiPort: number };
}

export function devLayout(): StackLayout {
  return {
    runDir: process.env.ISOWHISK_RUN_DIR ?? join(PROJECT_ROOT, '.run', 'dev'),
    kafka: { port: 9092, controllerPort: 9093 },
    redis: { port: 6380 },
    controller: { port: 3233, webPort: 3234 },
    invoker: { metricsPort: 9300 },
    jaeger: { otlpHttpPort: 4318, uiPort: 16686 },
  };
}

/** The test stack; `offset` moves every port, for tests that need a second, independent stack. */
export function testLayout(name = 'test', offset = 0): StackLayout {
  return {
    runDir: join(PROJECT_ROOT, '.run', name),
    kafka: { port: 19092 + offset, controllerPort: 19093 + offset },
    redis: { port: 16380 + offset },
    controller: { port: 13233 + offset, webPort: 13234 + offset },
    invoker: { metricsPort: 19300 + offset },
    jaeger: { otlpHttpPort: 14318 + offset, uiPort: 16687 + offset },
  };
}
