// Figure 1: one client, blocking invokes of a warm trivial action, HTTP in → HTTP out. And the HTTP floor: a bare
// node:http server answering a body of the same size through the same undici client and request.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BenchClient, httpPool, INVOKE_BODY, TRIVIAL_ACTION } from './client.ts';
import { closedLoop, type Operation } from './stats.ts';

const ACTION = 'bench-warm';

/** Creates the action and warms it up; returns the timed operation and the size of its response body. */
export async function warmInvoke(client: BenchClient, warmup: number): Promise<{ op: Operation; responseBytes: number }> {
  await client.createAction(ACTION, TRIVIAL_ACTION);
  let responseBytes = 0;
  const first = await closedLoop({ concurrency: 1, maxCount: warmup, maxMs: 30_000, maxErrors: 5 }, async () => {
    responseBytes = await client.invoke(ACTION);
  });
  if (first.summary.n === 0) throw new Error(`warm invoke: warm-up failed: ${first.firstError}`);
  return { op: async () => void (await client.invoke(ACTION)), responseBytes };
}

/** A server that only answers `responseBytes` of JSON, and the same call against it. */
export async function httpFloor(responseBytes: number): Promise<{ op: Operation; close: () => Promise<void> }> {
  const answer = JSON.stringify({ ok: true, pad: 'x'.repeat(Math.max(0, responseBytes - 20)) });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = httpPool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
  const op = async () => {
    const res = await pool.request({
      method: 'POST',
      path: `/api/v1/namespaces/_/actions/${ACTION}?blocking=true&result=true`,
      headers: { authorization: 'Basic eDp5', 'content-type': 'application/json' },
      body: INVOKE_BODY,
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP floor: HTTP ${res.statusCode}`);
  };
  const close = async () => {
    await pool.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { op, close };
}
