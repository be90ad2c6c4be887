// `npm run bench:profile [-- --seconds N] [-- --clients C] [-- --plain]`: where the hot path's CPU goes. Starts the bench's own
// stack with the controller and invoker under `--cpu-prof`, runs C clients of blocking invokes of the trivial action
// for N seconds (after a warm-up), stops the stack (the processes write their profiles as they exit) and prints, per
// process, the CPU per invoke and its self time by library (the innermost package or project file of each sample),
// the busiest functions, and the project functions with the most time under them. The profiles stay in
// .run/bench-profile/ for Chrome DevTools or speedscope. `--plain` runs without the profiler: CPU per invoke only.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../deploy/local/layout.ts';
import { UNTHROTTLED_ENV, runningProcesses, startStack, stopStack } from '../../deploy/local/stack.ts';
import { ownStackLayout } from '../support/stack.ts';
import { BenchClient, benchNamespace } from './client.ts';
import { describeCpu, perOperation, withCpu } from './cpu.ts';
import { closedLoop } from './stats.ts';
import { sustainedInvoke } from './sustained.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, clients: { type: 'string', default: '16' }, plain: { type: 'boolean', default: false } } });
const LAYOUT = ownStackLayout('bench', 200);
const PROFILES = join(PROJECT_ROOT, '.run', 'bench-profile');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The library a frame belongs to: a package, a project file, node's internals, or V8's own buckets. */
function libraryOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url.startsWith('file://') ? relative(PROJECT_ROOT, new URL(url).pathname) : url;
}

function frameName(frame: ProfileNode['callFrame']): string {
  return `${frame.functionName || '(anonymous)'} ${libraryOf(frame)}:${frame.lineNumber + 1}`;
}

interface Attribution {
  busyMs: number;
  byLibrary: Map<string, number>;
  selfByFunction: Map<string, number>;
  /** Time under each project function (each sample counted once per function on its stack). */
  underProjectFunction: Map<string, number>;
}

/**
 * Attributes the samples taken in the measured window, given as ms before the profile's end (a process writes its
 * profile as it exits, right after the stack was stopped): start-up, warm-up and shutdown are left out.
 */
function attribute(profile: CpuProfile, window: { fromEndMs: number; toEndMs: number }): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const a: Attribution = { busyMs: 0, byLibrary: new Map(), selfByFunction: new Map(), underProjectFunction: new Map() };
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  const from = profile.endTime - window.fromEndMs * 1000;
  const to = profile.endTime - window.toEndMs * 1000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to || node.callFrame.functionName === '(idle)') return;
    a.busyMs += ms;
    add(a.byLibrary, libraryOf(node.callFrame), ms);
    add(a.selfByFunction, frameName(node.callFrame), ms);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const frame = byId.get(up)!.callFrame;
      const lib = libraryOf(frame);
      if (!/^(controller|invoker|shared)\//.test(lib)) continue;
      const name = frameName(frame);
      if (!seen.has(name)) add(a.underProjectFunction, name, ms);
      seen.add(name);
    }
  });
  return a;
}

function top(m: Map<string, number>, total: number, n: number): string {
  return [...m]
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([k, ms]) => `    ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
}

const say = (text: string) => process.stderr.write(`profile: ${text}\n`);

rmSync(PROFILES, { recursive: true, force: true });
mkdirSync(PROFILES, { recursive: true });
await stopStack(LAYOUT);
say(`starting the bench stack${args.plain ? '' : ' under --cpu-prof'}`);
const stack = await startStack(LAYOUT, { ...UNTHROTTLED_ENV, ...(args.plain ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILES}` }) });
const { controller0: controller, invoker0: invoker, ...infrastructure } = runningProcesses(LAYOUT);
const pids = { controller, invoker, ...infrastructure };
let invokes = 0;
let cpu: Record<string, number> = {};
const measured = { from: 0, to: 0 };
try {
  const ns = await benchNamespace(stack.redisUrl);
  const clients = Number(args.clients);
  const client = new BenchClient(stack.apiHost, ns.apiKey, clients);
  const op = await sustainedInvoke(client, { concurrency: clients, warmupMs: 3_000 });
  say(`${clients} clients for ${args.seconds} s`);
  measured.from = Date.now();
  const run = await withCpu(pids, () => closedLoop({ concurrency: clients, maxCount: Number.MAX_SAFE_INTEGER, maxMs: Number(args.seconds) * 1000, maxErrors: 20 }, op));
  measured.to = Date.now();
  invokes = run.result.summary.n;
  cpu = run.cpuMs;
  say(`${invokes} invokes, ${run.result.summary.throughput.toFixed(0)}/s, p50 ${run.result.summary.p50.toFixed(2)} ms, p99 ${run.result.summary.p99.toFixed(2)} ms`);
  await client.close();
} finally {
  await stopStack(LAYOUT);
}
const stoppedAt = Date.now();
const window = { fromEndMs: stoppedAt - measured.from, toEndMs: stoppedAt - measured.to };

process.stdout.write(`CPU per invoke: ${describeCpu(perOperation(cpu, invokes))}\n`);
const roleOf = new Map(Object.entries({ controller, invoker }).map(([role, pid]) => [String(pid), role]));
for (const file of readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile'))) {
  const role = roleOf.get(file.split('.')[3] ?? ''); // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
  if (!role) continue;
  const a = attribute(JSON.parse(readFileSync(join(PROFILES, file), 'utf8')) as CpuProfile, window);
  process.stdout.write(`\n${role} (${file}): busy ${a.busyMs.toFixed(0)} ms while measured, ${((a.busyMs * 1000) / Math.max(1, invokes)).toFixed(0)} µs per invoke\n`);
  process.stdout.write(`  self time by library:\n${top(a.byLibrary, a.busyMs, 16)}\n`);
  process.stdout.write(`  busiest functions (self):\n${top(a.selfByFunction, a.busyMs, 25)}\n`);
  process.stdout.write(`  project functions, time under them:\n${top(a.underProjectFunction, a.busyMs, 30)}\n`);
}
process.exit(0);
