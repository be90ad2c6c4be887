// The one local stack every suite of a test run shares, started on first use. It lives in .run/test on its own
// ports, so `npm test` neither disturbs nor depends on a stack started by `npm start`.
import { testLayout } from '../../deploy/local/layout.ts';
import { startInfrastructure, startStack, type StackInfo } from '../../deploy/local/stack.ts';

export const TEST_LAYOUT = testLayout();

let infrastructure: Promise<{ redisUrl: string; kafkaBrokers: string[] }> | undefined;
let platform: Promise<StackInfo> | undefined;

/** Redis and Kafka of the test stack. */
export function testInfrastructure(): Promise<{ redisUrl: string; kafkaBrokers: string[] }> {
  infrastructure ??= startInfrastructure(TEST_LAYOUT);
  return infrastructure;
}

/** The whole test platform: Redis, Kafka, a controller and an invoker. */
export function testPlatform(): Promise<StackInfo> {
  platform ??= startStack(TEST_LAYOUT);
  return platform;
}
