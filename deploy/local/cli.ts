// `npm start`, `npm stop`, `npm run status`: the local platform from one command.
// `start` stays in the foreground and stops everything on Ctrl-C; `start --detach` returns once all is up.
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { devLayout, PROJECT_ROOT } from './layout.ts';
import { provision, runningProcesses, startStack, stopStack, type StackInfo } from './stack.ts';

const layout = devLayout();
const [command = 'start', ...flags] = process.argv.slice(2);

function printInfo(info: StackInfo): void {
  const runDir = relative(PROJECT_ROOT, info.runDir) || info.runDir;
  console.log(`
Isowhisk is up.
  API host    ${info.apiHost}
  Web actions ${info.webUrl}/api/v1/web/<namespace>/<package or default>/<action>
  Guest key   ${info.guestKey}
  Jaeger      ${info.jaegerUrl}   (operator's view of every tenant's traces: /trace/<trace id>; HTTP API: /api/traces/<trace id>)
              tenants read their own traces through the API: wsk activation trace <activation id>
  Kafka       ${info.kafkaBrokers.join(',')}
  Redis       ${info.redisUrl}
  Logs        ${runDir}/<service>/<service>.log

Point the wsk CLI at it:
  wsk property set --apihost ${info.apiHost} --auth ${info.guestKey}
`);
}

async function start(): Promise<void> {
  const detach = flags.includes('--detach');
  console.log('Starting Redis, Kafka, Jaeger, controller0 and invoker0 (the first start fetches Kafka and builds Jaeger: minutes)...');
  const info = await startStack(layout);
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
  // `npm stop` from another terminal ends the platform's processes; then this launcher has nothing left to do.
  while (!stopping) {
    await sleep(1000);
    if (!stopping && runningProcesses(layout).controller0 === undefined) {
      console.log('The controller is no longer running (stopped elsewhere?); exiting.');
      process.exit(0);
    }
  }
}

async function stop(): Promise<void> {
  const stopped = await stopStack(layout);
  console.log(stopped.length ? `Stopped: ${stopped.join(', ')}.` : 'Nothing was running.');
}

function status(): void {
  for (const [name, pid] of Object.entries(runningProcesses(layout))) {
    console.log(`${name.padEnd(12)} ${pid ? `running (pid ${pid})` : 'stopped'}`);
  }
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
