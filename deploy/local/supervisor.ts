// The supervisor of one platform process (see deploy/local/supervision.ts for its files): starts the process with
// its stdout and stderr appended to the service's log, restarts it after any exit it did not ask for, with
// backoff (deploy/local/restart-backoff.ts), and tells each new process its restart count in ISOWHISK_PROCESS_RESTARTS
// (shown on its /metrics). An exit with EX_CONFIG is not retried: the configuration must be fixed first.
// SIGTERM or SIGINT stops the process (SIGTERM, its own clean shutdown) and then the supervisor, with no restart.
// Node reaps every child it spawned, so a crashed process never lingers as a zombie.
//
// Usage (by startSupervised): node supervisor.ts '<SupervisedSpec as JSON>'
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { EX_CONFIG } from '../../shared/config.ts';
import { logFile, pidFile } from './daemon.ts';
import { RestartBackoff } from './restart-backoff.ts';
import { RESTARTS_ENV, type ExitInfo, type SupervisedSpec, type SupervisorState, describeExit, writeState } from './supervision.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as SupervisedSpec;
if (!spec.name || !spec.runDir || !spec.command) {
  console.error('usage: supervisor.ts \'{"name":..., "runDir":..., "command":..., "args":[...]}\'');
  process.exit(2);
}

const backoff = new RestartBackoff();
const state: SupervisorState = { restarts: 0 };
let child: ChildProcess | undefined;
let startedAt = 0;
let restartTimer: NodeJS.Timeout | undefined;
let stopping = false;

/** One JSON line, in the shape of the services' own log lines, to the supervisor's log and the service's. */
function note(level: 'info' | 'error' | 'fatal', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), component: 'supervisor', pid: process.pid, service: spec.name, ...fields, msg });
  console.log(line);
  appendFileSync(logFile(spec), `${line}\n`);
}

function start(): void {
  restartTimer = undefined;
  delete state.nextStartAt;
  const log = openSync(logFile(spec), 'a');
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd ?? spec.runDir,
      env: { ...process.env, [RESTARTS_ENV]: String(state.restarts) },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  startedAt = Date.now();
  const started = child;
  // A command that cannot be spawned at all reports 'error' and no 'exit'.
  started.once('error', (err) => started.exitCode === null && started.signalCode === null && exited(null, null, err));
  started.once('exit', (code, signal) => exited(code, signal));
  if (started.pid !== undefined) writeFileSync(pidFile(spec), `${started.pid}\n`);
  writeState(spec, state);
  note('info', `started ${spec.name}`, { childPid: started.pid, restarts: state.restarts });
}

function exited(code: number | null, signal: NodeJS.Signals | null, err?: Error): void {
  if (child === undefined) return;
  child = undefined;
  rmSync(pidFile(spec), { force: true });
  const exit: ExitInfo = { code, signal, at: Date.now(), uptimeMs: Date.now() - startedAt };
  state.lastExit = exit;
  const how = err ? `could not be started (${err.message})` : describeExit(exit);
  if (stopping) {
    writeState(spec, state);
    note('info', `${spec.name} stopped (${how})`);
    process.exit(0);
  }
  if (code === EX_CONFIG) {
    writeState(spec, state);
    note('fatal', `${spec.name} ${how}: its configuration is invalid (see the lines above); not restarting`);
    process.exit(1);
  }
  const delay = backoff.delayAfter(exit.uptimeMs);
  state.restarts += 1;
  state.nextStartAt = Date.now() + delay;
  writeState(spec, state);
  note('error', `${spec.name} ${how} after ${exit.uptimeMs} ms; restart ${state.restarts} in ${delay} ms`, { code, signal, restarts: state.restarts, delayMs: delay });
  restartTimer = setTimeout(start, delay);
}

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  clearTimeout(restartTimer);
  if (child === undefined) {
    note('info', `supervisor stopped (${signal})`);
    process.exit(0);
  }
  note('info', `stopping ${spec.name} (${signal})`);
  child.kill('SIGTERM'); // the process may have had it already, with the whole group: its shutdown runs once
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => {}); // a closed terminal is no reason to stop the platform
start();
