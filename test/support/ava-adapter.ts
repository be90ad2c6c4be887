// The part of ava's API that apache/openwhisk-client-js's integration tests use (`test`, `test.serial`,
// `test.skip`; `t.is`, `t.true`, `t.deepEqual`, `t.pass`, `t.fail`), so those files run unmodified under mocha
// (test/e2e/openwhisk-client.test.ts). `require('ava')` in them returns `test` below. It keeps ava's semantics
// where the tests depend on them: a failed assertion is recorded and the test goes on (ava's assertions do not
// throw), a test that made no assertion fails (`failWithoutAssertions`), and serial tests run before the others.
// The others run one after another here, which is one of the orders ava's concurrent run may take.
import { isDeepStrictEqual, inspect } from 'node:util';

export interface Assertions {
  is(actual: unknown, expected: unknown, message?: string): boolean;
  true(actual: unknown, message?: string): boolean;
  deepEqual(actual: unknown, expected: unknown, message?: string): boolean;
  pass(message?: string): boolean;
  fail(message?: string): boolean;
}

type Implementation = (t: Assertions) => unknown;

export interface AvaTest {
  title: string;
  serial: boolean;
  skip: boolean;
  run: Implementation;
}

let collecting: AvaTest[] | undefined;

function declare(title: string, run: Implementation, options: { serial?: boolean; skip?: boolean } = {}): void {
  if (!collecting) throw new Error(`ava adapter: test '${title}' declared outside collectTests()`);
  collecting.push({ title, run, serial: options.serial ?? false, skip: options.skip ?? false });
}

function test(title: string, run: Implementation): void {
  declare(title, run);
}
test.serial = (title: string, run: Implementation): void => declare(title, run, { serial: true });
test.skip = (title: string, run: Implementation): void => declare(title, run, { skip: true });

/** The tests `load` declares (it requires the test files), in the order ava starts them: serial ones first. */
export function collectTests(load: () => void): AvaTest[] {
  const tests: AvaTest[] = [];
  collecting = tests;
  try {
    load();
  } finally {
    collecting = undefined;
  }
  return [...tests.filter((t) => t.serial), ...tests.filter((t) => !t.serial)];
}

const show = (value: unknown): string => inspect(value, { depth: 6, breakLength: Infinity });

/** Runs one test as ava would judge it; throws an error listing every failed assertion. */
export async function runTest(test: AvaTest): Promise<void> {
  const failures: string[] = [];
  let assertions = 0;
  const check = (ok: boolean, what: string, message?: string): boolean => {
    assertions++;
    if (!ok) failures.push(message ? `${message}: ${what}` : what);
    return ok;
  };
  const t: Assertions = {
    is: (actual, expected, message) => check(Object.is(actual, expected), `t.is(${show(actual)}, ${show(expected)})`, message),
    true: (actual, message) => check(actual === true, `t.true(${show(actual)})`, message),
    deepEqual: (actual, expected, message) => check(isDeepStrictEqual(actual, expected), `t.deepEqual(${show(actual)}, ${show(expected)})`, message),
    pass: (message) => check(true, 't.pass()', message),
    fail: (message) => check(false, 't.fail()', message),
  };
  try {
    await test.run(t);
  } catch (err) {
    failures.push(`rejected: ${err instanceof Error ? (err.stack ?? err.message) : show(err)}`);
  }
  if (failures.length === 0 && assertions === 0) failures.push('Test finished without running any assertions');
  if (failures.length > 0) throw new Error(`${test.title}\n  ${failures.join('\n  ')}`);
}

export { test as 'module.exports' };
