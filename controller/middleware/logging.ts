// Request logging, and the minimal logger interface the controller needs (a pino instance satisfies it), so the
// HTTP layer does not depend on a particular logging setup.
import type { AppMiddleware } from './state.ts';

type LogFn = (obj: object, msg?: string) => void;

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

/** A logger that drops everything (tests, embedding). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** One debug line per request with its transaction id, status and duration (OpenWhisk logs `[tid] METHOD path`). */
export function requestLogger(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.debug(
        {
          tid: ctx.state.transactionId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round((performance.now() - started) * 1000) / 1000,
        },
        'http',
      );
    }
  };
}
