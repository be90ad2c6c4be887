// Errors as the CLI reports them, with wsk's exit codes (openwhisk-client-go `whisk/wskerror.go`): 1 general,
// 2 usage, 3 network, 149 not allowed, 202 blocking invoke still running, and for an HTTP error the status
// minus 256 as Go's os.Exit truncates it (404 → 148, 401 → 145, 409 → 153, 502 → 246).

export const EXIT_GENERAL = 1;
export const EXIT_USAGE = 2;
export const EXIT_NETWORK = 3;
export const EXIT_NOT_ALLOWED = 149;
export const EXIT_TIMED_OUT = 202;

/** wsk's exit code for an HTTP error status: `status - 256` as an 8-bit process exit status. */
export function httpExitCode(status: number): number {
  return (status - 256) & 0xff;
}

export interface WskErrorOptions {
  exitCode?: number;
  /** Print "Run 'wsk --help' for usage." after the message. */
  usage?: boolean;
  /** The failure was already shown (e.g. a failed activation printed on stderr): print no error line. */
  silent?: boolean;
  cause?: unknown;
}

export class WskError extends Error {
  readonly exitCode: number;
  readonly usage: boolean;
  readonly silent: boolean;

  constructor(message: string, options: WskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WskError';
    this.exitCode = options.exitCode ?? EXIT_GENERAL;
    this.usage = options.usage ?? false;
    this.silent = options.silent ?? false;
  }
}

/** An error answer of the API: status, the `{error, code}` body's fields when present. */
export class ApiError extends WskError {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly body: unknown;

  constructor(message: string, status: number, requestId: string | undefined, body: unknown) {
    super(message, { exitCode: httpExitCode(status) });
    this.name = 'ApiError';
    this.status = status;
    this.requestId = requestId;
    this.body = body;
  }
}

/** The API host could not be reached (refused, unknown host, TLS, timeout). */
export class NetworkError extends WskError {
  constructor(message: string, cause?: unknown) {
    super(message, { exitCode: EXIT_NETWORK, cause });
    this.name = 'NetworkError';
  }
}

/**
 * wsk nests messages ("Unable to get action 'x': <reason>") while keeping the inner error's exit code and
 * usage hint (`MakeWskErrorFromWskError`). Anything that is not a WskError is an unexpected failure.
 */
export function wrap(prefix: string, err: unknown, options: WskErrorOptions = {}): WskError {
  if (err instanceof WskError) {
    return new WskError(`${prefix}: ${err.message}`, {
      exitCode: err.exitCode,
      usage: err.usage || (options.usage ?? false),
      silent: err.silent,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new WskError(`${prefix}: ${message}`, { ...options, cause: err });
}

/** wsk's argument count check (`CheckArgs`), with its texts. */
export function checkArgs(args: readonly string[], min: number, max: number, required: string): void {
  if (args.length < min) throw new WskError(`Invalid argument(s). ${required}`, { usage: true });
  if (args.length > max) {
    throw new WskError(`Invalid argument(s): ${args.slice(max).join(', ')}. ${required}`, { usage: true });
  }
}
