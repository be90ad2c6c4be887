// `npm start`, `npm stop`, `npm run status`: the local platform from one command.
// `start` stays in the foreground and stops everything on Ctrl-C; `start --detach` returns once all is up. Either
// way the controller and the invoker run under supervisors that restart them after a crash (supervision.ts).
// A Jaeger whose binary is not built yet builds in the background (jaeger-build.ts): the API does not wait for it.
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { devLayout, PROJECT_ROOT } from './layout.ts';
import { PLATFORM_PROCESSES, platformProcess, provision, runningProcesses, startStack, stopStack, type StackInfo } from './stack.ts';
import { recordedPid } from './daemon.ts';
import { processState } from './process-state.ts';
import { describeExit, isSupervised, readState, supervisorDaemon } from './supervision.ts';
import { jaegerBuildStatus, jaegerBuilderPid } from './jaeger-build.ts';
import { jaegerPid } from './jaeger.ts';

const layout = devLayout();
const [command = 'start', ...flags] = process.argv.slice(2);

function printInfo(info: StackInfo): void {
  const runDir = relative(PROJECT_ROOT, info.runDir) || info.runDir;
  const jaeger =
    info.jaeger === 'building'
      ? `being built in the background (first start only, several minutes); it comes up at ${info.jaegerUrl}
              and receives the spans made meanwhile. Follow the build: npm run status, or
              tail -f ${relative(PROJECT_ROOT, info.jaegerBuildLog ?? '') || info.jaegerBuildLog}`
      : `${info.jaegerUrl}   (operator's view of every tenant's traces: /trace/<trace id>; HTTP API: /api/traces/<trace id>)`;
  console.log(`
Isowhisk is up.
  API host    ${info.apiHost}   (described at ${info.apiHost}/api/v1/docs)
  Web actions ${info.webUrl}/api/v1/web/<namespace>/<package or default>/<action>
  Guest key   ${info.guestKey}
  Jaeger      ${jaeger}
              tenants read their own traces through the API: wsk activation trace <activation id>
  Kafka       ${info.kafkaBrokers.join(',')}
  Redis       ${info.redisUrl}
  Logs        ${runDir}/<service>/<service>.log

Point the wsk CLI at it (cli/bin/wsk; see cli/README.md to put it on PATH):
  wsk property set --apihost ${info.apiHost} --auth ${info.guestKey}
More namespaces and keys: npm run admin -- user create <subject>
`);
}

async function start(): Promise<void> {
  const detach = flags.includes('--detach');
  console.log('Starting Redis, Kafka, Jaeger, controller0 and invoker0 (the first start fetches Kafka: about 20 s; Jaeger, if not built yet, builds in the background)...');
  const info = await startStack(layout, {}, { jaeger: 'background' });
  printInfo(info);
  if (detach) {
    console.log('Stop it with: npm stop');
    return;
  }
  console.log('Press Ctrl-C to stop everything, or run `npm stop` from another terminal.');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    const stopped = await stopStack(layout);
    console.log(`Stopped: ${stopped.join(', ') || 'nothing was running'}.`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The supervisors restart a crashed process; this launcher reports each restart. `npm stop` from another
  // terminal stops the supervisors; then this launcher has nothing left to do.
  const reported = new Map(PLATFORM_PROCESSES.map((name) => [name, readState(platformProcess(layout, name))?.restarts ?? 0]));
  let jaegerBuilding = info.jaeger === 'building';
  while (!stopping) {
    await sleep(1000);
    if (stopping) break;
    if (jaegerBuilding && jaegerBuilderPid(layout) === undefined) {
      jaegerBuilding = false;
      const up = jaegerPid(layout) !== undefined;
      console.log(
        up
          ? `${new Date().toISOString()} Jaeger is built and up: ${info.jaegerUrl}`
          : `${new Date().toISOString()} Jaeger did not come up: ${jaegerBuildStatus(layout) ?? 'stopped'}`,
      );
    }
    if (!isSupervised(platformProcess(layout, 'controller0'))) {
      console.log('The controller is no longer running (stopped elsewhere?); exiting.');
      process.exit(0);
    }
    for (const name of PLATFORM_PROCESSES) {
      const state = readState(platformProcess(layout, name));
      if (state === undefined || state.restarts <= (reported.get(name) ?? 0)) continue;
      reported.set(name, state.restarts);
      const how = state.lastExit ? describeExit(state.lastExit) : 'exited';
      console.log(`${new Date().toISOString()} ${name} ${how}; restarted by its supervisor (restart ${state.restarts}; see ${name}.log)`);
    }
  }
}

async function stop(): Promise<void> {
  const stopped = await stopStack(layout);
  console.log(stopped.length ? `Stopped: ${stopped.join(', ')}.` : 'Nothing was running.');
}

/** One line per process: running, a zombie (exited, not reaped: not running), restarting, or stopped. */
function status(): void {
  const platform = new Set<string>(PLATFORM_PROCESSES);
  const names = ['redis', 'kafka', ...PLATFORM_PROCESSES, 'jaeger'];
  // Read before runningProcesses too: the builder's pid file goes when it exits.
  const jaegerBuild = jaegerBuildStatus(layout);
  // Read before runningProcesses, which removes the pid files of processes that no longer run.
  const zombies = new Map(names.map((name) => [name, zombieNote({ name, runDir: join(layout.runDir, name) })]));
  for (const [name, pid] of Object.entries(runningProcesses(layout))) {
    const zombie = zombies.get(name);
    const line =
      platform.has(name) ? platformStatus(name as (typeof PLATFORM_PROCESSES)[number], pid, zombie)
      : pid !== undefined ? `running (pid ${pid})`
      : (zombie ?? (name === 'jaeger' ? jaegerBuild : undefined) ?? 'stopped');
    console.log(`${name.padEnd(12)} ${line}`);
  }
}

function platformStatus(name: (typeof PLATFORM_PROCESSES)[number], pid: number | undefined, zombie: string | undefined): string {
  const spec = platformProcess(layout, name);
  const supervisor = recordedPid(supervisorDaemon(spec));
  const state = readState(spec);
  const restarts = state ? `, ${state.restarts} restart${state.restarts === 1 ? '' : 's'}` : '';
  const last = state?.lastExit ? `, last ${describeExit(state.lastExit)} at ${new Date(state.lastExit.at).toISOString()}` : '';
  if (supervisor === undefined || processState(supervisor) !== 'running') {
    if (pid !== undefined) return `running (pid ${pid}), NOT supervised: a crash will not be restarted`;
    return zombie ?? 'stopped';
  }
  if (pid !== undefined) return `running (pid ${pid}; supervisor pid ${supervisor}${restarts}${last})`;
  const next = state?.nextStartAt ? ` in ${Math.max(0, Math.ceil((state.nextStartAt - Date.now()) / 1000))} s` : '';
  return `NOT running: restarting${next} (supervisor pid ${supervisor}${restarts}${last})`;
}

/** "stopped (pid N is a zombie: it exited but was not reaped)" when the pid file names a zombie. */
function zombieNote(spec: { name: string; runDir: string }): string | undefined {
  const pid = recordedPid(spec);
  if (pid === undefined || processState(pid) !== 'zombie') return undefined;
  return `stopped (pid ${pid} is a zombie: it exited but was not reaped)`;
}

const commands: Record<string, () => Promise<void> | void> = { start, stop, status, provision };
const run = commands[command];
if (!run) {
  console.error(`unknown command "${command}"; use start [--detach], stop, status or provision`);
  process.exit(2);
}
try {
  await run();
} catch (err) {
  console.error(`isowhisk: ${(err as Error).message}`);
  process.exit(1);
}
