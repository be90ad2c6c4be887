import assert from 'node:assert/strict';
import { formatLogLine, LogCollector, rfc3339Nano } from '../../../invoker/runtime/logs.ts';

describe('activation logs', () => {
  it('formats lines as OpenWhisk: timestamp padded to 30, stream, text', () => {
    assert.equal(formatLogLine('2024-01-01T00:00:00.123Z', 'stdout', 'hello'), '2024-01-01T00:00:00.123Z       stdout: hello');
    assert.equal(formatLogLine('2024-01-01T00:00:00.123456789Z', 'stderr', 'x\n'), '2024-01-01T00:00:00.123456789Z stderr: x');
  });

  it('stamps RFC 3339 with up to nanoseconds, trailing zeros dropped', () => {
    assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
    assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
    assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
    assert.match(rfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });

  it('splits a write into lines and truncates at the byte limit with the OpenWhisk note', () => {
    const logs = new LogCollector(20);
    assert.equal(logs.write('stdout', 'aaaa\nbbbb'), 10); // 5 + 5 bytes
    assert.equal(logs.write('stderr', 'cccccccc'), 1); // 9 more
    assert.equal(logs.write('stdout', 'dd'), 0); // 3 would exceed: truncated
    assert.equal(logs.write('stdout', 'e'), 0);
    const lines = logs.finish(false);
    assert.deepEqual(
      lines.map((l) => l.slice(31)),
      ['stdout: aaaa', 'stdout: bbbb', 'stderr: cccccccc', 'stderr: Logs were truncated because the total bytes size exceeds the limit of 20 bytes.'],
    );
  });

  it('appends the developer-error warning last', () => {
    const logs = new LogCollector(1000);
    logs.write('stdout', 'x');
    assert.deepEqual(
      logs.finish(true).map((l) => l.slice(31)),
      ['stdout: x', 'stderr: The action did not initialize or run as expected. Log data might be missing.'],
    );
  });

  it('a limit of 0 disables collection entirely', () => {
    const logs = new LogCollector(0);
    assert.equal(logs.write('stdout', 'x'), 0);
    assert.deepEqual(logs.finish(true), []);
  });
});
