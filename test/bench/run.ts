// `npm run bench [-- --quick] [-- --write]`: starts the bench's own stack and workerd beside it, measures the
// performance figures next to floors measured in the same run, prints the table, writes test/bench/results.json,
// the chart and BENCHMARKS.md (full runs, or quick ones with --write), and always stops the stack and workerd.
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../deploy/local/layout.ts';
import { UNTHROTTLED_ENV, runningProcesses, startStack, stopStack } from '../../deploy/local/stack.ts';
import { ownStackLayout } from '../support/stack.ts';
import { BenchClient, benchNamespace } from './client.ts';
import { coldStart } from './cold.ts';
import { cpuSince, cpuSnapshot, describeCpu } from './cpu.ts';
import { type IsolatesResult, warmIsolates } from './isolates.ts';
import { type NonBlockingResult, nonBlockingInvoke } from './nonblocking.ts';
import { CHART_PATH, environment, latencyRow, plusMs, quoteInReadme, type Results, type Row, textTable, timesP50, timesRate, writeBenchmarksPage, writeChart, writeResults } from './report.ts';
import { type LoopResult, sideBySide, type Summary } from './stats.ts';
import { addInvokers, homedNames, spreadInvoke, stopExtraInvokers, warmUp } from './scale.ts';
import { sustainedInvoke } from './sustained.ts';
import { openTransportFloor, type TransportFloor } from './transport-floor.ts';
import { httpFloor, warmInvoke } from './warm.ts';
import { webAction, workerdCall } from './web.ts';
import { startWorkerd, stopWorkerd } from './workerd.ts';

/** `--quick`, or ISOWHISK_BENCH_QUICK=1 (for runners that cannot pass arguments through npm), makes a short run. */
const quick = process.argv.includes('--quick') || process.env.ISOWHISK_BENCH_QUICK === '1';
const write = !quick || process.argv.includes('--write');
/** .run/bench, ports +200; beside a developer's own test stack (ISOWHISK_TEST_STACK) when one is chosen. */
const LAYOUT = ownStackLayout('bench', 200);
const CORES = availableParallelism();

/**
 * Figure 6, sustained with 1 and with 3 invokers: 12 clients over 6 actions of 128 MB, so the 12 isolates they need
 * fit one invoker's 2 GB (no eviction) and spread 2 actions per invoker over three.
 */
const SCALE = { concurrency: 12, actionsPerInvoker: 2 };

/** The web action's and workerd's throughput figure: requests in flight (the issue's comparison point). */
const WEB_CONCURRENCY = 32;

/** The stack's processes whose CPU the whole-stack figure sums (the bench process and workerd are left out). */
const STACK_PROCESSES = ['controller', 'invoker', 'kafka', 'redis', 'jaeger'] as const;

/**
 * Sample sizes and time bounds. The latency figures alternate with their floors in rounds, and so do the sustained
 * figure and the transport floor at the same concurrency, and the web action and workerd at WEB_CONCURRENCY. After
 * the stack's start (10–30 s), a full run measures for about 2½ minutes, a quick one for about 40 s.
 */
const PLAN = quick
  ? {
      latency: { rounds: 2, perRound: 200, roundMs: 2_000 }, warmup: 100, cold: 10, concurrency: 16, loadWarmupMs: 1_500, load: { rounds: 2, roundMs: 1_500 },
      nonBlocking: { ms: 1_500, sample: 200, drainMs: 60_000 }, isolates: 100, scale: SCALE,
    }
  : {
      latency: { rounds: 5, perRound: 600, roundMs: 4_000 }, warmup: 300, cold: 60, concurrency: 16, loadWarmupMs: 3_000, load: { rounds: 3, roundMs: 5_000 },
      nonBlocking: { ms: 3_000, sample: 1_000, drainMs: 120_000 }, isolates: 500, scale: SCALE,
    };
/**
 * Past this the run is abandoned (stack and workerd stopped, exit 1), whatever hangs. Raised from 10 and 6 minutes
 * when the web action, workerd and non-blocking figures joined (about 1½ minutes more on a busy machine, and the
 * non-blocking figure may wait up to its `drainMs` for a backlog).
 */
const WATCHDOG_MS = quick ? 420_000 : 720_000;

const say = (text: string) => process.stderr.write(`bench: ${text}\n`);

function check<T extends LoopResult>(what: string, r: T): T {
  if (r.summary.errors > 0) say(`${what}: ${r.summary.errors} failed calls (first: ${r.firstError})`);
  if (r.summary.n === 0) throw new Error(`${what}: no call succeeded (${r.firstError})`);
  return r;
}

interface Figures {
  stackStartMs: number;
  responseBytes: number;
  warm: Summary;
  transport: Summary;
  http: Summary;
  cold: Summary;
  sustained: Summary;
  transportSustained: Summary;
  /** The web action and workerd at 1 in flight (alternating with the latency floors) and at WEB_CONCURRENCY. */
  web: Summary;
  workerd: Summary;
  webLoad: Summary;
  workerdLoad: Summary;
  nonBlocking: { accepted: Summary; record: Summary; missing: number };
  cpuUsPerOp: { sustained: Record<string, number>; transportSustained: Record<string, number>; webLoad: Record<string, number>; workerdLoad: Record<string, number> };
  /** Share of the machine's CPU that other processes used while figures 1–4 and 7–9 ran. */
  otherCpuShare: number;
  isolates: IsolatesResult;
  /** Figure 6: the same load on 1 invoker and on 3. */
  scaling: { one: Summary; three: Summary; cpuUsPerOp: { one: Record<string, number>; three: Record<string, number> } };
}

async function measure(): Promise<Figures> {
  const began = Date.now();
  say(`starting the bench stack in ${LAYOUT.runDir}`);
  await stopExtraInvokers(LAYOUT);
  await stopStack(LAYOUT); // a stack left over by an interrupted run would carry its state (and older code)
  const stack = await startStack(LAYOUT, UNTHROTTLED_ENV);
  const stackStartMs = Date.now() - began;
  const { controller0: controller, invoker0: invoker, ...infrastructure } = runningProcesses(LAYOUT);
  const pids = { controller, invoker, ...infrastructure };
  const ns = await benchNamespace(stack.redisUrl);
  const client = new BenchClient(stack.apiHost, ns.apiKey, PLAN.concurrency);
  let floor: TransportFloor | undefined;
  const closing: (() => Promise<void>)[] = [];
  try {
    floor = await openTransportFloor(stack.kafkaBrokers, stack.redisUrl);
    say('starting workerd beside the stack');
    const workerd = await startWorkerd(LAYOUT);
    const web = await webAction(client, { namespace: ns.name, webUrl: stack.webUrl, connections: WEB_CONCURRENCY });
    const onWorkerd = workerdCall(workerd.origin, WEB_CONCURRENCY);
    closing.push(web.close, onWorkerd.close);
    /** The stack's processes and workerd, so that neither counts as other work on the machine. */
    const allPids = { ...pids, workerd: workerd.pid };
    const cpuAtStart = cpuSnapshot(allPids);
    const measuringSince = Date.now();

    say('1 + 4 + 7. warm invoke, transport floor, HTTP floor, web action and workerd, side by side');
    const warm = await warmInvoke(client, PLAN.warmup);
    const http = await httpFloor(warm.responseBytes);
    closing.push(http.close);
    const latency = await sideBySide({ warm: warm.op, transport: floor.roundTrip, http: http.op, web: web.op, workerd: onWorkerd.op }, { concurrency: 1, warmup: 50, ...PLAN.latency });

    say(`2. cold start of ${PLAN.cold} new actions`);
    const cold = check('cold start', await coldStart(client, { actions: PLAN.cold, maxMs: 60_000 }));

    const c = PLAN.concurrency;
    say(`3 + 4. sustained invokes and transport floor, ${c} clients each, side by side`);
    const sustained = await sustainedInvoke(client, { concurrency: c, warmupMs: PLAN.loadWarmupMs });
    const load = await sideBySide({ sustained, transport: floor.roundTrip }, { concurrency: c, warmup: 10 * c, perRound: Number.MAX_SAFE_INTEGER, pids, ...PLAN.load });

    const wc = WEB_CONCURRENCY;
    say(`8. web action and workerd, ${wc} in flight each, side by side`);
    const webLoad = await sideBySide({ web: web.op, workerd: onWorkerd.op }, { concurrency: wc, warmup: 10 * wc, perRound: Number.MAX_SAFE_INTEGER, pids: allPids, ...PLAN.load });

    say(`9. non-blocking invokes, ${c} clients, and the latency of their records`);
    const nonBlocking = await nonBlockingInvoke(client, { concurrency: c, warmupMs: PLAN.loadWarmupMs, ...PLAN.nonBlocking });
    const otherCpuShare = (cpuSince(cpuAtStart, cpuSnapshot(allPids)).other ?? Number.NaN) / ((Date.now() - measuringSince) * CORES);

    say(`5. warm isolates held: ${PLAN.isolates} in the invoker's pool`);
    const isolates = await warmIsolates(PLAN.isolates, 120_000);

    const sc = PLAN.scale;
    const actions = sc.actionsPerInvoker * 3;
    say(`6. sustained, ${sc.concurrency} clients over ${actions} actions: on 1 invoker, then on 3`);
    const onOne = await spreadInvoke(client, homedNames(ns.name, 'bench-one', actions, 1));
    await warmUp(onOne, sc.concurrency, PLAN.loadWarmupMs);
    const one = await sideBySide({ one: onOne }, { concurrency: sc.concurrency, warmup: 0, perRound: Number.MAX_SAFE_INTEGER, pids, ...PLAN.load });
    const morePids = { ...pids, ...(await addInvokers(LAYOUT, stack, UNTHROTTLED_ENV)) };
    const onThree = await spreadInvoke(client, homedNames(ns.name, 'bench-three', sc.actionsPerInvoker, 3));
    await warmUp(onThree, sc.concurrency, PLAN.loadWarmupMs);
    const three = await sideBySide({ three: onThree }, { concurrency: sc.concurrency, warmup: 0, perRound: Number.MAX_SAFE_INTEGER, pids: morePids, ...PLAN.load });
    return {
      stackStartMs,
      responseBytes: warm.responseBytes,
      warm: check('warm invoke', latency.warm).summary,
      transport: check('transport floor', latency.transport).summary,
      http: check('HTTP floor', latency.http).summary,
      cold: cold.summary,
      sustained: check('sustained', load.sustained).summary,
      transportSustained: check('transport floor sustained', load.transport).summary,
      web: check('web action', latency.web).summary,
      workerd: check('workerd', latency.workerd).summary,
      webLoad: check(`web action, ${wc} in flight`, webLoad.web).summary,
      workerdLoad: check(`workerd, ${wc} in flight`, webLoad.workerd).summary,
      nonBlocking: nonBlockingFigure(nonBlocking),
      cpuUsPerOp: {
        sustained: load.sustained.cpuUsPerOp,
        transportSustained: load.transport.cpuUsPerOp,
        webLoad: webLoad.web.cpuUsPerOp,
        workerdLoad: webLoad.workerd.cpuUsPerOp,
      },
      otherCpuShare,
      isolates,
      scaling: {
        one: check('sustained on 1 invoker', one.one).summary,
        three: check('sustained on 3 invokers', three.three).summary,
        cpuUsPerOp: { one: one.one.cpuUsPerOp, three: three.three.cpuUsPerOp },
      },
    };
  } finally {
    await Promise.allSettled([floor?.close(), client.close(), ...closing.map((close) => close())]);
  }
}

function nonBlockingFigure(r: NonBlockingResult): Figures['nonBlocking'] {
  check('non-blocking invoke', r.accepted);
  if (r.missing > 0) say(`non-blocking invoke: ${r.missing} sampled records were not readable in time`);
  if (r.record.n === 0) throw new Error('non-blocking invoke: no record became readable');
  return { accepted: r.accepted.summary, record: r.record, missing: r.missing };
}

/** CPU ms per operation of the stack's own processes (controller, invoker, Kafka, Redis, Jaeger). */
function stackCpuMs(perOp: Record<string, number>): number {
  return STACK_PROCESSES.reduce((sum, name) => sum + (perOp[name] ?? 0), 0) / 1000;
}

function rowsOf(f: Figures): Row[] {
  const { warm: w, transport: t, cold, sustained: s, transportSustained: tc, isolates } = f;
  const c = PLAN.concurrency;
  const wc = WEB_CONCURRENCY;
  const floorOf = (name: string, x: Summary, withRate = false) => ({ name, p50: x.p50, p99: x.p99, ...(withRate ? { rate: x.throughput } : {}) });
  const stackCpu = stackCpuMs(f.cpuUsPerOp.sustained);
  const nb = f.nonBlocking;
  return [
    latencyRow('warm', 'warm invoke (HTTP → HTTP)', w, {
      floor: floorOf('transport floor', t),
      ratio: `${plusMs(w.p50, t.p50)}, ${(w.p99 / t.p99).toFixed(1)}× p99`,
      target: 'p50 ≤ floor + 1 ms, p99 ≤ 2× floor',
      met: w.p50 <= t.p50 + 1 && w.p99 <= 2 * t.p99,
    }),
    latencyRow('cold', 'cold start (first invoke)', cold, {
      floor: floorOf('warm invoke', w),
      ratio: plusMs(cold.p50, w.p50),
      target: 'p50 ≤ warm + 3 ms',
      met: cold.p50 <= w.p50 + 3,
    }),
    latencyRow('sustained', `sustained, ${c} clients`, s, {
      floor: floorOf(`transport floor, ${c} clients`, tc, true),
      ratio: `${((s.throughput / tc.throughput) * 100).toFixed(0)}% of rate`,
      target: '≥ 50% of floor rate, p99 ≤ 50 ms',
      met: s.throughput >= 0.5 * tc.throughput && s.p99 <= 50,
    }),
    {
      id: 'cpu-per-invoke',
      name: 'CPU per sustained invoke, whole stack',
      cpuMs: stackCpu,
      floor: { name: 'transport floor', cpuMs: stackCpuMs(f.cpuUsPerOp.transportSustained) },
      ratio: `${(stackCpu / Math.max(1e-9, stackCpuMs(f.cpuUsPerOp.transportSustained))).toFixed(1)}× floor`,
      target: '≤ 1.2 ms',
      met: stackCpu <= 1.2,
    },
    latencyRow('non-blocking', `non-blocking invoke (202), ${c} clients`, nb.accepted, {
      floor: { name: `sustained, ${c} clients (blocking)`, rate: s.throughput },
      ratio: `${(nb.accepted.throughput / s.throughput).toFixed(1)}× rate`,
      target: '—',
    }),
    {
      id: 'non-blocking-record',
      name: 'record latency after a 202 (send → end)',
      n: nb.record.n,
      errors: nb.missing,
      p50: nb.record.p50,
      p99: nb.record.p99,
      target: '—',
    },
    latencyRow('web', 'web action, 1 in flight', f.web, {
      floor: floorOf('workerd', f.workerd),
      ratio: timesP50(f.web.p50, f.workerd.p50),
      target: 'p50 ≤ 5× workerd',
      met: f.web.p50 <= 5 * f.workerd.p50,
    }),
    latencyRow('workerd', 'workerd, 1 in flight', f.workerd, { target: '—' }),
    latencyRow('web-load', `web action, ${wc} in flight`, f.webLoad, {
      floor: floorOf(`workerd, ${wc} in flight`, f.workerdLoad, true),
      ratio: timesRate(f.webLoad.throughput, f.workerdLoad.throughput),
      target: '≥ 0.6× workerd rate',
      met: f.webLoad.throughput >= 0.6 * f.workerdLoad.throughput,
    }),
    latencyRow('workerd-load', `workerd, ${wc} in flight`, f.workerdLoad, { target: '—' }),
    latencyRow('transport-floor', 'transport floor (Kafka + Redis echo)', t, { target: '—' }),
    latencyRow('transport-floor-sustained', `transport floor, ${c} clients`, tc, { target: '—' }),
    latencyRow('http-floor', 'HTTP floor (bare node:http)', f.http, { target: '—' }),
    {
      id: 'overhead',
      name: 'overhead above transport floor',
      p50: w.p50 - t.p50,
      p99: w.p99 - t.p99,
      floor: floorOf('transport floor', t),
      target: 'p50 ≤ 1 ms',
      met: w.p50 - t.p50 <= 1,
    },
    latencyRow('sustained-1-invoker', `sustained, ${PLAN.scale.concurrency} clients, 1 invoker`, f.scaling.one, { target: '—' }),
    latencyRow('sustained-3-invokers', `sustained, ${PLAN.scale.concurrency} clients, 3 invokers`, f.scaling.three, {
      floor: floorOf('1 invoker', f.scaling.one, true),
      ratio: `${(f.scaling.three.throughput / f.scaling.one.throughput).toFixed(2)}× rate`,
      target: '—',
    }),
    {
      id: 'isolates-rss',
      name: 'warm isolates held, by RSS',
      n: PLAN.isolates,
      p50: isolates.summary.p50,
      p99: isolates.summary.p99,
      rate: isolates.perGiBByRss,
      rateUnit: '/GiB',
      target: '≥ 500/GiB',
      met: isolates.perGiBByRss >= 500,
    },
    {
      id: 'isolates-pool',
      name: 'warm isolates held, pool accounting',
      n: PLAN.isolates,
      rate: isolates.perGiBByPool,
      rateUnit: '/GiB',
      target: '≥ 500/GiB',
      met: isolates.perGiBByPool >= 500,
    },
  ];
}

function notesOf(f: Figures): string[] {
  const { isolates: i } = f;
  return [
    `Overhead above the transport floor: ${(f.warm.p50 - f.transport.p50).toFixed(2)} ms at p50, of which the HTTP hop itself (HTTP floor) is ${f.http.p50.toFixed(2)} ms.`,
    `CPU per sustained invoke: ${describeCpu(f.cpuUsPerOp.sustained)}; on ${CORES} cores that alone caps throughput near ${capacity(f.cpuUsPerOp.sustained)}/s.`,
    `CPU per transport-floor round trip (both ends in the bench process; controller and invoker idle): ${describeCpu(f.cpuUsPerOp.transportSustained)}; cap near ${capacity(f.cpuUsPerOp.transportSustained)}/s.`,
    `CPU per invoke, whole stack: the sum of controller, invoker, Kafka, Redis and Jaeger over the sustained rounds (${stackCpuMs(f.cpuUsPerOp.sustained).toFixed(2)} ms), leaving out the bench process, which stands for the clients.`,
    `Web action and workerd at ${WEB_CONCURRENCY} in flight, CPU per request: the web action's whole stack ${stackCpuMs(f.cpuUsPerOp.webLoad).toFixed(2)} ms (${describeCpu(f.cpuUsPerOp.webLoad)}); workerd's own ${((f.cpuUsPerOp.workerdLoad.workerd ?? Number.NaN) / 1000).toFixed(2)} ms.`,
    `Non-blocking invokes: ${count(f.nonBlocking.accepted.n)} accepted in ${(f.nonBlocking.accepted.elapsedMs / 1000).toFixed(1)} s; the record latency is the record's \`end\` minus the POST's send time over ${count(f.nonBlocking.record.n)} of them spread over the run${f.nonBlocking.missing ? ` (${f.nonBlocking.missing} records were not readable in time)` : ''}; where it is far above the warm invoke, the 202s came faster than the invoker finished and it is mostly queue.`,
    `Cold start in-process (the invoker's pool alone, new isolate + init + run, no stem cell): p50 ${i.summary.p50.toFixed(2)} ms, p99 ${i.summary.p99.toFixed(2)} ms.`,
    `Warm isolates: ${i.idle} idle in the pool after ${PLAN.isolates} cold starts (+1 made first, to leave one-off costs out); RSS grew ${i.rssGrowthMB.toFixed(0)} MB (${((i.rssGrowthMB * 1024) / PLAN.isolates).toFixed(0)} KiB each), the pool accounts ${i.poolUsedMB.toFixed(0)} MB; the first isolate was ${i.reusedWarm ? '' : 'NOT '}reused warm afterwards.`,
    `Sustained with 1 and 3 invokers (${PLAN.scale.concurrency} clients over ${PLAN.scale.actionsPerInvoker * 3} actions, measured one after the other, not alternating): CPU per invoke on 1 invoker ${describeCpu(f.scaling.cpuUsPerOp.one)}; on 3 invokers ${describeCpu(f.scaling.cpuUsPerOp.three)}. On ${CORES} cores the invokers share the same CPU, so more of them add throughput only where an invoker, not the machine, was the limit.`,
    `Processes other than the bench and its stack used ${(f.otherCpuShare * 100).toFixed(0)}% of the machine's CPU while figures 1–4 and 7–9 ran${f.otherCpuShare > 0.1 ? ': the figures are noisy, compare them with their floors' : ''}. The stack took ${(f.stackStartMs / 1000).toFixed(0)} s to start.`,
  ];
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');

/** The chart's bars: latencies at 1 in flight beside their floors, and throughput by requests in flight. */
function chartOf(f: Figures) {
  const c = PLAN.concurrency;
  const wc = WEB_CONCURRENCY;
  const lat = (label: string, x: Summary) => ({ label, p50: x.p50, p99: x.p99 });
  const tput = (label: string, concurrency: number, x: Summary) => ({ label, concurrency, rate: x.throughput });
  return {
    latency: [lat('warm invoke', f.warm), lat('transport floor', f.transport), lat('web action', f.web), lat('workerd', f.workerd), lat('HTTP floor', f.http)],
    throughput: [
      tput('sustained (blocking)', c, f.sustained),
      tput('transport floor', c, f.transportSustained),
      tput('web action', wc, f.webLoad),
      tput('workerd', wc, f.workerdLoad),
      tput('non-blocking (202)', c, f.nonBlocking.accepted),
    ],
  };
}

/** Operations per second the machine's cores allow at `cpuUsPerOp` (the stack's processes and the bench summed). */
function capacity({ other: _other, ...ours }: Record<string, number>): string {
  const total = Object.values(ours).reduce((a, b) => a + b, 0);
  return total > 0 ? Math.round((CORES * 1e6) / total).toLocaleString('en-US') : '—';
}

async function shutdown(): Promise<void> {
  say('stopping workerd and the bench stack');
  await stopWorkerd(LAYOUT).catch((err) => say(`stopping workerd failed: ${(err as Error).message}`));
  await stopExtraInvokers(LAYOUT).catch((err) => say(`stopping invokers 1 and 2 failed: ${(err as Error).message}`));
  await stopStack(LAYOUT).catch((err) => say(`stopping the stack failed: ${(err as Error).message}`));
}

setTimeout(() => {
  say(`giving up after ${WATCHDOG_MS / 1000} s`);
  void shutdown().finally(() => process.exit(1));
}, WATCHDOG_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void shutdown().finally(() => process.exit(130)));
}

const began = Date.now();
const loadBefore = loadavg()[0]!;
let exitCode = 0;
try {
  const figures = await measure();
  const { isolates: { summary: isolateColdStart, ...isolates }, ...details } = figures;
  const results: Results = {
    ...environment(quick ? 'quick' : 'full'),
    durationMs: Date.now() - began,
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
    rows: rowsOf(figures),
    notes: notesOf(figures),
    details: { plan: PLAN, ...details, isolates, isolateColdStart },
  };
  process.stdout.write(`\n${textTable(results.rows)}\n\n${results.notes.join('\n')}\n\n`);
  if (write) {
    writeResults(join(PROJECT_ROOT, 'test', 'bench', 'results.json'), results);
    writeChart(join(PROJECT_ROOT, CHART_PATH), results, chartOf(figures));
    writeBenchmarksPage(join(PROJECT_ROOT, 'BENCHMARKS.md'), results);
    quoteInReadme(join(PROJECT_ROOT, 'README.md'), results);
    say(`wrote test/bench/results.json, ${CHART_PATH}, BENCHMARKS.md and the README's figures`);
  }
} catch (err) {
  say(`failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await shutdown();
}
process.exit(exitCode);
