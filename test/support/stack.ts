// The one local stack every suite of a test run shares, started on first use. It lives in .run/test on its own
// ports, so `npm test` neither disturbs nor depends on a stack started by `npm start`.
import { testLayout } from '../../deploy/local/layout.ts';
import type { StackInfo } from '../../deploy/local/stack.ts';

export const TEST_LAYOUT = testLayout();

let redis: Promise<string> | undefined;
let kafka: Promise<string[]> | undefined;
let platform: Promise<StackInfo> | undefined;

/** The test stack's Redis URL (Redis started on first use). */
export function testRedis(): Promise<string> {
  redis ??= import('../../deploy/local/redis.ts').then((m) => m.startRedis(TEST_LAYOUT));
  return redis;
}

/** The test stack's Kafka brokers (Kafka started on first use). */
export function testKafka(): Promise<string[]> {
  kafka ??= import('../../deploy/local/kafka.ts').then((m) => m.startKafka(TEST_LAYOUT));
  return kafka;
}

/** The whole test platform: Redis, Kafka, a controller and an invoker. */
export function testPlatform(): Promise<StackInfo> {
  platform ??= import('../../deploy/local/stack.ts').then((m) => m.startStack(TEST_LAYOUT));
  return platform;
}
