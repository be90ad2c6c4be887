// Activation log collection: formats each console line as OpenWhisk's log store does
// (`"<RFC 3339 nano timestamp padded to 30> <stdout|stderr>: <text>"`), enforces the action's log limit
// with OpenWhisk's truncation line, and appends the developer-error warning (spec/openwhisk.md §3.4).
// A limit of 0 disables collection, as in OpenWhisk.

export type LogStream = 'stdout' | 'stderr';

export const LogMessages = {
  truncated: (limitBytes: number) =>
    `Logs were truncated because the total bytes size exceeds the limit of ${limitBytes} bytes.`,
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
 * Collects one activation's lines (init and run share one collector, so they share the limit).
 * Each text is split into lines as Docker's log driver splits a stream; a line costs its UTF-8 bytes plus
 * the newline. The first line that would cross the limit and everything after it are dropped, and the
 * truncation line is added at the end.
 */
export class LogCollector {
  readonly limitBytes: number;
  readonly #lines: string[] = [];
  #used = 0;
  #truncatedAt: string | undefined;

  constructor(limitBytes: number) {
    this.limitBytes = Math.max(0, Math.floor(limitBytes));
  }

  get enabled(): boolean {
    return this.limitBytes > 0;
  }

  get truncated(): boolean {
    return this.#truncatedAt !== undefined;
  }

  /** Bytes still allowed; 0 once truncated or disabled (a hint for the guest to stop sending). */
  get remainingBytes(): number {
    return this.enabled && !this.truncated ? this.limitBytes - this.#used : 0;
  }

  /** Adds the output of one console call. Returns `remainingBytes`. */
  write(stream: LogStream, text: string): number {
    if (!this.enabled || this.truncated) return 0;
    const time = rfc3339Nano();
    for (const line of text.split('\n')) {
      const cost = Buffer.byteLength(line, 'utf8') + 1;
      if (this.#used + cost > this.limitBytes) {
        this.#truncatedAt = rfc3339Nano();
        break;
      }
      this.#used += cost;
      this.#lines.push(formatLogLine(time, stream, line));
    }
    return this.remainingBytes;
  }

  /** The lines for the record: collected lines, then the truncation note, then the developer-error warning. */
  finish(developerError: boolean): string[] {
    if (!this.enabled) return [];
    const lines = [...this.#lines];
    if (this.#truncatedAt !== undefined) lines.push(formatLogLine(this.#truncatedAt, 'stderr', LogMessages.truncated(this.limitBytes)));
    if (developerError) lines.push(formatLogLine(rfc3339Nano(), 'stderr', LogMessages.developerErrorWarning));
    return lines;
  }
}
