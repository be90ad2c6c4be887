// Activation log collection: formats each console line as OpenWhisk's log store does
// (`"<RFC 3339 nano timestamp padded to 30> <stdout|stderr>: <text>"`), enforces the action's log limit
// with OpenWhisk's truncation line, and appends the developer-error warning (OpenWhisk's
// DockerToActivationLogStore.scala and ContainerProxy.scala). A limit of 0 disables collection, as in OpenWhisk.
// Both limits bound the bytes as stored in the record, prefixes included (docs/tenant-isolation.md).

export type LogStream = 'stdout' | 'stderr';

/** Lines one activation may keep, whatever its byte limit (`ISOWHISK_LOG_MAX_LINES`). */
export const DEFAULT_MAX_LOG_LINES = 100_000;

export const LogMessages = {
  truncated: (limitBytes: number) =>
    `Logs were truncated because the total bytes size exceeds the limit of ${limitBytes} bytes.`,
  /** Isowhisk's own cap (OpenWhisk has none): said in OpenWhisk's words, with the line count instead of bytes. */
  tooManyLines: (maxLines: number) => `Logs were truncated because the total number of lines exceeds the limit of ${maxLines} lines.`,
  developerErrorWarning: 'The action did not initialize or run as expected. Log data might be missing.',
} as const;

// Wall-clock nanoseconds = a Date.now() anchor plus the monotonic clock's progress since then.
const anchorNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Current time as Go's RFC3339Nano in UTC (what Docker stamps on log lines): trailing zeros of the fraction dropped. */
export function rfc3339Nano(epochNs: bigint = anchorNs + process.hrtime.bigint()): string {
  const ms = Number(epochNs / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  const fraction = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${fraction.length > 0 ? `.${fraction}` : ''}Z`;
}

/** `LogLine.toFormattedString`: `f"$time%-30s $stream: $log"` with the line end stripped. */
export function formatLogLine(time: string, stream: LogStream, text: string): string {
  return `${time.padEnd(30)} ${stream}: ${text.replace(/\r?\n$/, '')}`;
}

/**
 * Collects one activation's lines (init and run share one collector, so they share the limits).
 * Each text is split into lines as Docker's log driver splits a stream. A line costs what it takes in the record:
 * the UTF-8 bytes of the formatted line, timestamp and stream prefix included, so a flood of empty lines is
 * bounded as tightly as a few long ones (OpenWhisk likewise counts the log driver's whole line, not just the
 * text). At most `maxLines` lines are kept. The first line over either limit and everything after it are
 * dropped, and the truncation line is added at the end. The text is walked line by line and never split as a
 * whole, so a write of millions of newlines costs no more host memory than the lines kept.
 */
export class LogCollector {
  readonly limitBytes: number;
  readonly maxLines: number;
  readonly #lines: string[] = [];
  #used = 0;
  #truncated: { at: string; reason: string } | undefined;

  constructor(limitBytes: number, maxLines: number = DEFAULT_MAX_LOG_LINES) {
    this.limitBytes = Math.max(0, Math.floor(limitBytes));
    this.maxLines = Math.max(1, Math.floor(maxLines));
  }

  get enabled(): boolean {
    return this.limitBytes > 0;
  }

  get truncated(): boolean {
    return this.#truncated !== undefined;
  }

  /** Bytes stored so far (formatted lines, before the truncation and warning notes). */
  get usedBytes(): number {
    return this.#used;
  }

  /** Bytes still allowed; 0 once truncated or disabled (the guest sends no more than this many characters). */
  get remainingBytes(): number {
    return this.enabled && !this.truncated ? this.limitBytes - this.#used : 0;
  }

  /** Adds the output of one console call. Returns `remainingBytes`. */
  write(stream: LogStream, text: string): number {
    if (!this.enabled || this.truncated) return 0;
    const time = rfc3339Nano();
    for (let start = 0; start <= text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      if (this.#lines.length >= this.maxLines) {
        this.#truncate(LogMessages.tooManyLines(this.maxLines));
        break;
      }
      // A character is at least one byte: a line longer than what is left is refused before it is copied.
      const line = end - start > this.remainingBytes ? undefined : formatLogLine(time, stream, text.slice(start, end));
      const cost = line === undefined ? Infinity : Buffer.byteLength(line, 'utf8');
      if (line === undefined || this.#used + cost > this.limitBytes) {
        this.#truncate(LogMessages.truncated(this.limitBytes));
        break;
      }
      this.#used += cost;
      this.#lines.push(line);
      start = end + 1;
    }
    return this.remainingBytes;
  }

  /** The lines for the record: collected lines, then the truncation note, then the developer-error warning. */
  finish(developerError: boolean): string[] {
    if (!this.enabled) return [];
    const lines = [...this.#lines];
    if (this.#truncated !== undefined) lines.push(formatLogLine(this.#truncated.at, 'stderr', this.#truncated.reason));
    if (developerError) lines.push(formatLogLine(rfc3339Nano(), 'stderr', LogMessages.developerErrorWarning));
    return lines;
  }

  #truncate(reason: string): void {
    this.#truncated = { at: rfc3339Nano(), reason };
  }
}
