// Figures 7 and 8, the web action against workerd: the bench's trivial action created as an Isowhisk web action
// (annotation `web-export` true, controller/routes/web.ts) and called anonymously on the stack's web origin, and the
// same function served by workerd (test/bench/workerd.ts). Both get the same POST of `{"n":1}` through the same
// undici client and must answer the same JSON.
import type { Pool } from 'undici';
import { type BenchClient, httpPool, INVOKE_BODY, TRIVIAL_ACTION } from './client.ts';
import type { Operation } from './stats.ts';

const ACTION = 'bench-web';
/** What the trivial function returns for `{"n":1}`, on both sides. */
const EXPECTED = JSON.stringify({ ok: true, n: 1 });

export interface HttpTarget {
  op: Operation;
  close(): Promise<void>;
}

/** A POST of the invoke body to `origin` + `path` that must answer 200 with the trivial function's JSON. */
function jsonCall(what: string, origin: string, path: string, connections: number): HttpTarget {
  const pool: Pool = httpPool(origin, connections);
  const op = async () => {
    const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: INVOKE_BODY });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text !== EXPECTED) throw new Error(`${what}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  };
  return { op, close: () => pool.close() };
}

/**
 * Creates the web action (128 MB, like the sustained figure's) in the bench's namespace and returns its call on the
 * web origin (`.json`: the result is the response body, controller/web/web-response.ts).
 */
export async function webAction(client: BenchClient, o: { namespace: string; webUrl: string; connections: number }): Promise<HttpTarget> {
  await client.createAction(ACTION, TRIVIAL_ACTION, 128, true);
  return jsonCall('web action', o.webUrl, `/api/v1/web/${o.namespace}/default/${ACTION}.json`, o.connections);
}

/** The same call against workerd's module worker, which serves the function on every path. */
export function workerdCall(origin: string, connections: number): HttpTarget {
  return jsonCall('workerd', origin, '/', connections);
}
