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

  it('counts each line as stored, timestamp and stream prefix included, and truncates with the OpenWhisk note', () => {
    // A stored line is 30 (time column) + 9 (" stdout: ") + text bytes: "aaaa" and "bbbb" cost 43 each.
    const logs = new LogCollector(140);
    assert.equal(logs.write('stdout', 'aaaa\nbbbb'), 140 - 86);
    assert.equal(logs.usedBytes, 86);
    assert.equal(logs.write('stderr', 'cccccccc'), 140 - 86 - 47);
    assert.equal(logs.write('stdout', ''), 0); // 39 more would pass 140: truncated
    assert.equal(logs.write('stdout', 'e'), 0);
    const lines = logs.finish(false);
    assert.deepEqual(
      lines.map((l) => l.slice(31)),
      ['stdout: aaaa', 'stdout: bbbb', 'stderr: cccccccc', 'stderr: Logs were truncated because the total bytes size exceeds the limit of 140 bytes.'],
    );
    for (const line of lines.slice(0, 3)) assert.equal(Buffer.byteLength(line), 39 + Buffer.byteLength(line.slice(39)));
  });

  it('multi-byte text counts its UTF-8 bytes', () => {
    const logs = new LogCollector(1000);
    logs.write('stdout', 'é€😀'); // 2 + 3 + 4 bytes
    assert.equal(logs.usedBytes, 39 + 9);
  });

  it('millions of empty lines stop at the byte limit: each costs its prefix', () => {
    const logs = new LogCollector(39 * 1000);
    assert.equal(logs.write('stdout', '\n'.repeat(10_000_000)), 0);
    const lines = logs.finish(false);
    assert.equal(lines.length, 1001);
    assert.equal(lines.at(-1)?.slice(31), 'stderr: Logs were truncated because the total bytes size exceeds the limit of 39000 bytes.');
  });

  it('stops at the line cap with a truncation note that names it', () => {
    const logs = new LogCollector(10 * 1024 * 1024, 3);
    logs.write('stdout', 'a\nb');
    assert.equal(logs.write('stdout', 'c\nd\ne'), 0);
    assert.deepEqual(
      logs.finish(false).map((l) => l.slice(31)),
      ['stdout: a', 'stdout: b', 'stdout: c', 'stderr: Logs were truncated because the total number of lines exceeds the limit of 3 lines.'],
    );
  });

  it('refuses a line longer than what is left without formatting it', () => {
    const logs = new LogCollector(1000);
    assert.equal(logs.write('stdout', 'x'.repeat(5_000_000)), 0);
    assert.deepEqual(logs.finish(false).map((l) => l.slice(31)), ['stderr: Logs were truncated because the total bytes size exceeds the limit of 1000 bytes.']);
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
