// The image's health check (Dockerfile HEALTHCHECK, `entrypoint.sh health`): GET /ping of the process this container
// runs, on the port and address its configuration gives it: the controller's REST API, or the invoker's metrics
// server (invoker/metrics-server.ts). Exit 0 when it answers 200, else 1 with the reason on stderr.
// The role is the argument (`health controller`), else found among the container's processes, since the check
// runs as a process of its own beside the one the entry point started.
import { readdirSync, readFileSync } from 'node:fs';
import { loadControllerConfig, loadInvokerConfig } from '../../shared/config.ts';

type Role = 'controller' | 'invoker';

const TIMEOUT_MS = 4_000;

/** The role of the first controller or invoker process found in /proc (this container's processes). */
function runningRole(): Role | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (args.some((a) => a.endsWith('/controller/main.ts'))) return 'controller';
    if (args.some((a) => a.endsWith('/invoker/main.ts'))) return 'invoker';
  }
  return undefined;
}

/** Where the role's /ping listens (a wildcard listen address is reached on loopback), or why there is none. */
function pingUrl(role: Role): { url: string } | { problem: string } {
  let host: string;
  let port: number;
  if (role === 'controller') {
    ({ host, port } = loadControllerConfig());
  } else {
    ({ metricsHost: host, metricsPort: port } = loadInvokerConfig());
    if (port === 0) return { problem: 'invoker: ISOWHISK_INVOKER_METRICS_PORT is 0, so it serves no /ping' };
  }
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return { url: `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}/ping` };
}

async function check(): Promise<string | undefined> {
  const given = process.argv[2];
  if (given !== undefined && given !== 'controller' && given !== 'invoker') return `unknown role ${JSON.stringify(given)} (controller or invoker)`;
  const role = (given as Role | undefined) ?? runningRole();
  if (role === undefined) return 'no controller or invoker process runs in this container';
  const target = pingUrl(role);
  if ('problem' in target) return target.problem;
  const { url } = target;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return res.ok ? undefined : `${role}: GET ${url} answered ${res.status}`;
  } catch (err) {
    return `${role}: GET ${url} failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
  }
}

const problem = await check();
if (problem !== undefined) {
  process.stderr.write(`unhealthy: ${problem}\n`);
  process.exit(1);
}
