// The comparison server: Cloudflare's workerd (the `workerd` dev dependency) serving the bench's trivial action as a
// module worker over HTTP, on 127.0.0.1 only. Its config and module are written into the bench's run folder for
// each run (the port is the layout's), and it runs as a daemon of that folder (deploy/local/daemon.ts), so a run
// that was interrupted leaves a pid file the next run (or the bench's shutdown) stops it by.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logTail, runningPid, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { PROJECT_ROOT, type StackLayout } from '../../deploy/local/layout.ts';
import { INVOKE_BODY, TRIVIAL_ACTION } from './client.ts';

/** The binary the package installs (an executable, not a Node launcher, so the pid is workerd's own). */
const WORKERD_BIN = join(PROJECT_ROOT, 'node_modules', 'workerd', 'bin', 'workerd');
/** Not after the binary's own date (1.20261123.1), which refuses later ones. */
const COMPATIBILITY_DATE = '2026-11-01';
const READY_TIMEOUT_MS = 30_000;

const daemon = (layout: StackLayout) => ({ name: 'workerd', runDir: join(layout.runDir, 'workerd') });

/** workerd's port: next to the layout's web origin (the API's port + 1), a port no other layout uses. */
export const workerdPort = (layout: StackLayout): number => layout.controller.webPort + 1;

/** The module worker: the web action's function, called with the JSON body as its params, its result as JSON. */
export function workerModule(): string {
  return `// Written by test/bench/workerd.ts for one bench run: the same function as the bench's web action.
${TRIVIAL_ACTION}

export default {
  async fetch(request) {
    return Response.json(main(await request.json()));
  },
};
`;
}

/** workerd's Cap'n Proto config: one service running the module, one HTTP socket on 127.0.0.1:`port`. */
export function workerdConfig(port: number): string {
  return `# Written by test/bench/workerd.ts for one bench run.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.mjs") ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);
`;
}

export interface Workerd {
  origin: string;
  pid: number;
}

/** Writes the config and module, starts workerd and waits until it answers the trivial call. */
export async function startWorkerd(layout: StackLayout): Promise<Workerd> {
  const spec = daemon(layout);
  await stopDaemon(spec, 5_000); // one left by an interrupted run would serve an older config
  mkdirSync(spec.runDir, { recursive: true });
  const port = workerdPort(layout);
  writeFileSync(join(spec.runDir, 'config.capnp'), workerdConfig(port));
  writeFileSync(join(spec.runDir, 'worker.mjs'), workerModule());
  const pid = startDaemon({ ...spec, command: WORKERD_BIN, args: ['serve', 'config.capnp', 'config'], cwd: spec.runDir });
  const origin = `http://127.0.0.1:${port}`;
  let outcome: 'ready' | 'exited' | Error;
  try {
    outcome = await waitFor(
      'workerd',
      async () => {
        if (runningPid(spec) === undefined) return 'exited';
        const res = await fetch(origin, { method: 'POST', headers: { 'content-type': 'application/json' }, body: INVOKE_BODY });
        return res.ok ? 'ready' : undefined;
      },
      READY_TIMEOUT_MS,
    );
  } catch (err) {
    outcome = err as Error;
  }
  if (outcome !== 'ready') {
    await stopDaemon(spec, 5_000);
    const why = outcome === 'exited' ? 'workerd exited while starting' : outcome.message;
    throw new Error(`${why}\n--- workerd log ---\n${logTail(spec)}`);
  }
  return { origin, pid };
}

/** Stops workerd if it runs (safe when it does not). */
export async function stopWorkerd(layout: StackLayout): Promise<boolean> {
  return stopDaemon(daemon(layout), 5_000);
}
