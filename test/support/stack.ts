// The one local stack every suite of a test run shares, started on first use. It lives in .run/test on its own
// ports, so `npm test` neither disturbs nor depends on a stack started by `npm start`.
import { testLayout } from '../../deploy/local/layout.ts';
import type { StackInfo } from '../../deploy/local/stack.ts';

/**
 * `ISOWHISK_TEST_STACK=<name>:<port offset>` gives a developer's run a stack of its own (e.g. `cli:300` runs in
 * .run/cli with every port moved by 300), so parallel runs during development do not share processes.
 */
const [chosenName, chosenOffset] = (process.env.ISOWHISK_TEST_STACK ?? 'test:0').split(':');
const TEST_NAME = chosenName || 'test';
const TEST_OFFSET = Number(chosenOffset ?? 0);

export const TEST_LAYOUT = testLayout(TEST_NAME, TEST_OFFSET);

/**
 * A stack of a suite's own beside the shared one (fault injection, the bench): `.run/<test stack>-<role>`, ports
 * moved by `offset` past the test stack's, so two developers' runs with different test stacks never meet.
 */
export function ownStackLayout(role: string, offset: number): typeof TEST_LAYOUT {
  return testLayout(TEST_NAME === 'test' ? role : `${TEST_NAME}-${role}`, TEST_OFFSET + offset);
}

/**
 * The port of the HTTP server the fetch suite (test/e2e/fetch.test.ts) listens on: the test platform's invoker lets
 * actions fetch `127.0.0.1` on this port (ISOWHISK_FETCH_ALLOWED_HOSTS), and no other loopback port.
 */
export const TEST_FETCH_TARGET_PORT = 18480 + TEST_OFFSET;

let redis: Promise<string> | undefined;
let kafka: Promise<string[]> | undefined;
let platform: Promise<StackInfo> | undefined;

let startedDirectly = false;

/** The layout, for suites that start parts of the test stack themselves (marks the stack as used by this run). */
export function testStackLayout(): typeof TEST_LAYOUT {
  startedDirectly = true;
  return TEST_LAYOUT;
}

/** Whether this run asked for any part of the test stack (the root hook stops it only then). */
export const usedTestStack = (): boolean => startedDirectly || redis !== undefined || kafka !== undefined || platform !== undefined;

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
  // User events on, so their suite can read them, spans exported every 100 ms rather than every 5 s, so trace
  // tests wait less, throttles out of the way, and one loopback port open to actions' fetch; everything else runs
  // with the defaults users get.
  platform ??= import('../../deploy/local/stack.ts').then((m) =>
    m.startStack(TEST_LAYOUT, {
      ...m.UNTHROTTLED_ENV,
      ISOWHISK_USER_EVENTS: 'true',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ISOWHISK_FETCH_ALLOWED_HOSTS: `127.0.0.1:${TEST_FETCH_TARGET_PORT}`,
    }),
  );
  return platform;
}
