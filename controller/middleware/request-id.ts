// Assigns the request's transaction id and answers it as `X-Request-ID` on every response (OpenWhisk
// `BasicHttpService.assignId`): an incoming `X-Request-ID` is kept unless it starts with `sid_` (the prefix
// OpenWhisk reserves for system transactions); otherwise a fresh 32-character alphanumeric id is generated.
import { newTransactionId } from '../../shared/ids.ts';
import type { AppMiddleware } from './state.ts';

const SYSTEM_PREFIX = 'sid_';

export function requestId(): AppMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-ID');
    const transactionId = incoming && !incoming.startsWith(SYSTEM_PREFIX) ? incoming : newTransactionId();
    ctx.state.transactionId = transactionId;
    ctx.state.receivedAt = Date.now();
    ctx.set('X-Request-ID', transactionId);
    await next();
  };
}
