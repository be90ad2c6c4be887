// The launcher's side of supervision: a platform process (controller, invoker) runs under a supervisor of its own
// (deploy/local/supervisor.ts), a small detached process that restarts it after a crash, so neither `npm start`
// in the foreground, `npm start -- --detach` nor the test stack needs a launcher that stays up to keep it alive.
//
// Files in the service's run folder, for a service named <name>:
//   <name>.pid                 the service's own pid, while it runs (written by the supervisor)
//   <name>.log                 the service's stdout and stderr, and the supervisor's line about each exit and restart
//   <name>.supervisor.pid      the supervisor's pid; `npm stop` stops the supervisor, which stops the service
//   <name>.supervisor.log      the supervisor's own lines
//   <name>.supervisor.json     restarts so far and the last exit, for `npm run status`
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DaemonSpec, runningPid, startDaemon, stopDaemon, waitFor } from './daemon.ts';

/** What the supervisor needs to know to start the service (its environment is the supervisor's own). */
export type SupervisedSpec = Pick<DaemonSpec, 'name' | 'runDir' | 'command' | 'args' | 'cwd'>;

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Epoch ms. */
  at: number;
  uptimeMs: number;
}

export interface SupervisorState {
  /** Restarts after a crash since the supervisor started. */
  restarts: number;
  lastExit?: ExitInfo;
  /** Epoch ms of the next start, while a restart waits out its backoff. */
  nextStartAt?: number;
}

/** The environment variable that tells a restarted process how often it was restarted (shared/config.ts). */
export const RESTARTS_ENV = 'ISOWHISK_PROCESS_RESTARTS';

const SUPERVISOR_ENTRY = join(import.meta.dirname, 'supervisor.ts');

export const supervisorDaemon = (spec: Pick<DaemonSpec, 'name' | 'runDir'>) => ({ name: `${spec.name}.supervisor`, runDir: spec.runDir });
export const stateFile = (spec: Pick<DaemonSpec, 'name' | 'runDir'>): string => join(spec.runDir, `${spec.name}.supervisor.json`);

export function writeState(spec: Pick<DaemonSpec, 'name' | 'runDir'>, state: SupervisorState): void {
  writeFileSync(stateFile(spec), `${JSON.stringify(state)}\n`);
}

export function readState(spec: Pick<DaemonSpec, 'name' | 'runDir'>): SupervisorState | undefined {
  const file = stateFile(spec);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorState;
  } catch {
    return undefined; // caught mid-write: the next read sees it whole
  }
}

/** "killed by SIGKILL" / "exited with code 1". */
export const describeExit = (exit: Pick<ExitInfo, 'code' | 'signal'>): string =>
  exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;

/**
 * Starts the service under a supervisor unless one already runs; resolves with the service's pid once it is
 * started. A copy of the service left running without a supervisor (its supervisor was killed) is stopped first.
 */
export async function startSupervised(spec: DaemonSpec): Promise<number> {
  const supervisor = supervisorDaemon(spec);
  if (runningPid(supervisor) === undefined) {
    await stopDaemon(spec);
    const { name, runDir, command, args, cwd } = spec;
    const supervised: SupervisedSpec = { name, runDir, command, args, ...(cwd === undefined ? {} : { cwd }) };
    startDaemon({
      ...supervisor,
      command: process.execPath,
      args: ['--no-node-snapshot', SUPERVISOR_ENTRY, JSON.stringify(supervised)],
      env: spec.env ?? process.env,
      ...(cwd === undefined ? {} : { cwd }),
    });
  }
  return waitFor(
    `${spec.name} (started by its supervisor)`,
    async () => {
      const pid = runningPid(spec);
      if (pid !== undefined) return pid;
      if (runningPid(supervisor) === undefined) throw new Error(`the supervisor of ${spec.name} exited; see ${supervisor.name}.log`);
      return undefined;
    },
    15_000,
    50,
  );
}

/** Stops the supervisor (which stops the service without restarting it) and any unsupervised copy. */
export async function stopSupervised(spec: Pick<DaemonSpec, 'name' | 'runDir'>): Promise<boolean> {
  const supervised = await stopDaemon(supervisorDaemon(spec));
  const leftover = await stopDaemon(spec);
  return supervised || leftover;
}

/** Whether the service is looked after: its supervisor runs (the service itself may be between restarts). */
export const isSupervised = (spec: Pick<DaemonSpec, 'name' | 'runDir'>): boolean => runningPid(supervisorDaemon(spec)) !== undefined;
