// Counts action runs independently of the platform's bookkeeping: test actions call
// `fetch('http://127.0.0.1:<port>/ran?id=' + process.env.__OW_ACTIVATION_ID + '&ns=' + namespace)` as their first
// step, and this server, in the test process, counts each id. Records and claims say what the platform believes; this says what
// ran. Invokers must allow the host: ISOWHISK_FETCH_ALLOWED_HOSTS=127.0.0.1:<port> (`allowEntry`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RunCounter {
  readonly #server: Server;
  readonly #runs = new Map<string, number>();
  /** The namespace each id ran in (reported by the action), so one counter serves many tests. */
  readonly #namespaces = new Map<string, string>();
  #port = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://counter');
      const id = url.searchParams.get('id');
      if (url.pathname !== '/ran' || !id) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('expected GET /ran?id=<activation id>');
        return;
      }
      this.#runs.set(id, (this.#runs.get(id) ?? 0) + 1);
      this.#namespaces.set(id, url.searchParams.get('ns') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"counted":true}');
    });
    // Keep-alive sockets from the invokers must not hold close() open.
    this.#server.keepAliveTimeout = 1_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`, the entry for ISOWHISK_FETCH_ALLOWED_HOSTS. */
  get allowEntry(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** The URL an action fetches, without its id. */
  get url(): string {
    return `http://${this.allowEntry}/ran?id=`;
  }

  /** How often `id` ran (0 if never). */
  runs(id: string): number {
    return this.#runs.get(id) ?? 0;
  }

  /** Every id that ran in `namespace`, with its count. */
  runsIn(namespace: string): Map<string, number> {
    return new Map([...this.#runs].filter(([id]) => this.#namespaces.get(id) === namespace));
  }

  /** Runs counted so far, repeats included. */
  get total(): number {
    let n = 0;
    for (const c of this.#runs.values()) n += c;
    return n;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * An action that reports its run to `counter` before anything else, then sleeps `params.sleepMs` (so a fault can
 * strike while it runs) and returns `{ n }`. A failed report fails the action, so a run is never silently uncounted.
 */
export function countingAction(counter: RunCounter): string {
  return `async function main(params) {
  const res = await fetch(${JSON.stringify(counter.url)} + process.env.__OW_ACTIVATION_ID + '&ns=' + encodeURIComponent(process.env.__OW_NAMESPACE));
  if (!res.ok) throw new Error('run counter answered ' + res.status);
  await new Promise((resolve) => setTimeout(resolve, params.sleepMs || 0));
  return { n: params.n };
}`;
}
