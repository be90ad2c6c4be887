// The invoker has no API, so a tiny HTTP server of its own serves `GET /metrics` (Prometheus text) and `GET /ping`
// for scrapers and liveness checks. It listens on loopback by default: metrics are for the host's own scraper.
import { createServer, type Server } from 'node:http';
import { exposition, type Registry } from '../shared/metrics.ts';

/** Starts listening; resolves once bound (rejects when the port is taken). */
export async function startMetricsServer(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    } else if (path === '/metrics') {
      exposition(registry).then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
