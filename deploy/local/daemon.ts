// Background processes of the local stack: each runs detached, with its pid in a file of its run folder and its
// output in a log file beside it, so a later `npm stop` (another process) can find and stop it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning } from './process-state.ts';

export interface DaemonSpec {
  /** Short name, used in messages and as the pid/log file name. */
  name: string;
  /** Folder that holds `<name>.pid` and `<name>.log`. */
  runDir: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const pidFile = (spec: Pick<DaemonSpec, 'name' | 'runDir'>): string => join(spec.runDir, `${spec.name}.pid`);
export const logFile = (spec: Pick<DaemonSpec, 'name' | 'runDir'>): string => join(spec.runDir, `${spec.name}.log`);

/** Whether the pid runs: a zombie (exited, not yet reaped by its parent) does not. */
export const isAlive = (pid: number): boolean => isRunning(pid);

/** The pid its pid file names, whether or not that process still runs. */
export function recordedPid(spec: Pick<DaemonSpec, 'name' | 'runDir'>): number | undefined {
  const file = pidFile(spec);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid of the daemon if its pid file names a live process (not a zombie); a stale pid file is removed. */
export function runningPid(spec: Pick<DaemonSpec, 'name' | 'runDir'>): number | undefined {
  const pid = recordedPid(spec);
  if (pid !== undefined && isAlive(pid)) return pid;
  rmSync(pidFile(spec), { force: true });
  return undefined;
}

/** Starts the daemon unless it already runs; returns its pid. Output is appended to its log file. */
export function startDaemon(spec: DaemonSpec): number {
  const existing = runningPid(spec);
  if (existing) return existing;
  mkdirSync(spec.runDir, { recursive: true });
  const log = openSync(logFile(spec), 'a');
  try {
    // detached: its own process group, so Ctrl-C in the launcher's terminal does not kill it behind our back.
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd ?? spec.runDir,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    child.unref();
    writeFileSync(pidFile(spec), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Stops the daemon: SIGTERM to its process group, SIGKILL after `graceMs`. Returns whether it was running. */
export async function stopDaemon(spec: Pick<DaemonSpec, 'name' | 'runDir'>, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(spec);
  if (!pid) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
  rmSync(pidFile(spec), { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Polls `check` until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s${cause}`);
    }
    await sleep(intervalMs);
  }
}

/** The last lines of a daemon's log, for error messages. */
export function logTail(spec: Pick<DaemonSpec, 'name' | 'runDir'>, lines = 20): string {
  const file = logFile(spec);
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
