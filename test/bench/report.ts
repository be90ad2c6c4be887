// The bench's output: the table on stdout, test/bench/results.json for machines, and for people BENCHMARKS.md, the
// chart (test/bench/results.svg) and the README's quote. BENCHMARKS.md's "## Log" section is written by hand and
// carried over as it is each time the rest of the page is regenerated.
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type ChartInput, chartSvg } from './chart.ts';
import type { Summary } from './stats.ts';

/** One printed figure. Latencies in ms; `rate` is per second unless `rateUnit` says otherwise. */
export interface Row {
  id: string;
  name: string;
  n?: number;
  errors?: number;
  p50?: number;
  p99?: number;
  rate?: number;
  rateUnit?: '/s' | '/GiB';
  /** CPU ms per operation (shown in the throughput column, for rows that have no rate). */
  cpuMs?: number;
  floor?: { name: string; p50?: number; p99?: number; rate?: number; cpuMs?: number };
  /** How far above (or below) the floor, e.g. "+1.9 ms p50" or "0.4× rate". */
  ratio?: string;
  target: string;
  /** Whether the target is met; undefined when the row has none. */
  met?: boolean;
}

export interface Results {
  date: string;
  mode: 'quick' | 'full';
  node: string;
  cpus: number;
  cpuModel: string;
  durationMs: number;
  /** The machine's 1-minute load average when the run began and ended: above the core count, figures are noisy. */
  loadAverage: { before: number; after: number };
  rows: Row[];
  /** Sentences printed under the table. */
  notes: string[];
  /** Raw summaries and extra measurements, by figure. */
  details: Record<string, unknown>;
}

export function latencyRow(id: string, name: string, s: Summary, extra: Omit<Row, 'id' | 'name'>): Row {
  return { id, name, n: s.n, errors: s.errors, p50: s.p50, p99: s.p99, rate: s.throughput, ...extra };
}

export const timesP50 = (value: number | undefined, floor: number | undefined): string | undefined =>
  value !== undefined && floor !== undefined && floor > 0 ? `${(value / floor).toFixed(1)}× p50` : undefined;

/** "+1.23 ms p50": how far a latency lies above its floor. */
export const plusMs = (value: number, floor: number, which = 'p50'): string => `${value - floor >= 0 ? '+' : '−'}${Math.abs(value - floor).toFixed(2)} ms ${which}`;

/** "0.42× rate": a throughput against its floor's. */
export const timesRate = (value: number, floor: number): string => `${(value / floor).toFixed(2)}× rate`;

export function environment(mode: Results['mode']): Pick<Results, 'date' | 'mode' | 'node' | 'cpus' | 'cpuModel'> {
  return { date: new Date().toISOString(), mode, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };
}

// ---- formatting

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
const count = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const cpu = (v: number) => `${v.toFixed(2)} ms CPU`;
const rate = (r: Row) => (r.cpuMs !== undefined ? cpu(r.cpuMs) : r.rate === undefined ? '—' : `${count(r.rate)}${r.rateUnit ?? '/s'}`);
const floorCell = (r: Row) => {
  if (!r.floor) return '—';
  const parts = [
    r.floor.p50 !== undefined ? `${ms(r.floor.p50)} / ${ms(r.floor.p99)}` : undefined,
    r.floor.rate !== undefined ? `${count(r.floor.rate)}/s` : undefined,
    r.floor.cpuMs !== undefined ? cpu(r.floor.cpuMs) : undefined,
  ];
  return parts.filter(Boolean).join(', ');
};
const metCell = (r: Row) => (r.met === undefined ? '' : r.met ? 'yes' : 'NO');

const HEADERS = ['figure', 'n', 'p50', 'p99', 'throughput', 'floor p50 / p99', 'vs floor', 'target', 'met'];

function cells(r: Row): string[] {
  const n = r.n === undefined ? '—' : `${count(r.n)}${r.errors ? ` (${r.errors} err)` : ''}`;
  return [r.name, n, ms(r.p50), ms(r.p99), rate(r), floorCell(r), r.ratio ?? '—', r.target, metCell(r)];
}

export function textTable(rows: Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((_, i) => (i === 0 || i === 7 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)].join('\n');
}

// ---- files

export function writeResults(file: string, results: Results): void {
  const rounded = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value);
  writeFileSync(file, `${JSON.stringify(results, rounded, 2)}\n`);
}

const README_BEGIN = '<!-- bench:begin -->';
const README_END = '<!-- bench:end -->';

/** Where the chart is written, relative to the project's root (the README and BENCHMARKS.md link it from there). */
export const CHART_PATH = 'test/bench/results.svg';

/** Writes the chart of this run's figures. */
export function writeChart(file: string, results: Results, input: Omit<ChartInput, 'title'>): void {
  const title = `Isowhisk bench, ${results.mode} run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, ${results.cpus} × ${results.cpuModel}`;
  writeFileSync(file, chartSvg({ title, ...input }));
}

/** Replaces the README's quoted figures (between its bench markers) with this run's chart and table. */
export function quoteInReadme(file: string, results: Results): void {
  const readme = readFileSync(file, 'utf8');
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`${file} has no ${README_BEGIN} … ${README_END} block to quote the figures in`);
  const quoted = `${README_BEGIN}
${results.mode} run of ${results.date.slice(0, 10)}, ${results.cpus} × ${results.cpuModel}:

![The bench's latency and throughput figures beside their floors](${CHART_PATH})

${markdownTable(results.rows)}
`;
  writeFileSync(file, readme.slice(0, begin) + quoted + readme.slice(end));
}

const LOG_HEADING = '## Log';

/** The log a page gets when it has none yet. */
const EMPTY_LOG = `${LOG_HEADING}

Each change made for speed, with the figures before and after it measured in the same run. \`npm run bench\` never
writes this section: it carries it over as it is when it regenerates the rest of the page.
`;

/**
 * The page's "## Log" section as it stands (up to the next "## " heading or the end), so a regenerated page keeps
 * it; the empty log when the page or the section does not exist yet.
 */
export function existingLog(file: string): string {
  if (!existsSync(file)) return EMPTY_LOG;
  const page = readFileSync(file, 'utf8');
  const start = page.search(/^## Log[ \t]*$/m);
  if (start < 0) return EMPTY_LOG;
  const next = page.slice(start + LOG_HEADING.length).search(/^## /m);
  const section = next < 0 ? page.slice(start) : page.slice(start, start + LOG_HEADING.length + next);
  return `${section.trimEnd()}\n`;
}

export function writeBenchmarksPage(file: string, results: Results): void {
  const log = existingLog(file);
  const page = `# Benchmarks

\`npm run bench\` measures the platform's performance figures on this machine and prints them next to a **floor measured in
the same run**, so a busy or slow machine moves both and the ratio still says something; the targets are ratios to
those floors for the same reason. Speed is only measured here, never asserted by a test.

\`\`\`sh
npm run bench              # full run, about 4 minutes on 2 cores; rewrites this page, test/bench/results.json and the chart
npm run bench -- --quick   # smaller samples, about 2 minutes (starting processes is most of it); prints only (--write keeps it)
ISOWHISK_BENCH_QUICK=1 npm run bench   # the same quick run, for runners that pass no arguments
\`\`\`

The bench starts a stack of its own (\`.run/bench\`, every port +200: Kafka 19292, Redis 16580, controller 13433, its
web origin 13434) and workerd beside it (13435, a config and module written into \`.run/bench/workerd\` for the run),
stops them at the end (also on failure, on the watchdog or Ctrl-C), and talks to them on 127.0.0.1 only. Every loop
is bounded in count and time, and a watchdog ends the run after 12 minutes (7 with \`--quick\`) whatever hangs. The
latency and throughput figures are measured in rounds alternating with their floors (warm, transport, HTTP, web
action, workerd, warm, ...; sustained, transport at the same concurrency, ...; web action, workerd at 32, ...), so
both see the same machine even when other work comes and goes. Invokes are blocking
(\`?blocking=true&result=true\`) unless said otherwise, from an undici keep-alive pool, by a fresh namespace whose
rate limits are lifted; the action is \`function main(params) { return { ok: true, n: params.n ?? 0 }; }\`.

![The bench's latency and throughput figures beside their floors](${CHART_PATH})

## What each figure is

| figure | how it is measured | floor next to it |
|---|---|---|
| warm invoke | one client, one warm action, sequential calls after a warm-up: HTTP in → controller → Kafka → invoker isolate → Redis record + completion stream → HTTP out | the transport floor: p50 ≤ floor + 1 ms, p99 ≤ 2× floor |
| cold start | N new actions created, then each invoked once, sequentially: the first activation of each (a stem cell gets the code, or a new isolate is made) | the warm invoke: p50 ≤ warm + 3 ms |
| sustained | C clients in a closed loop on one warm action (128 MB, so C isolates fit the invoker's 2 GB) for a fixed time after a warm-up; throughput and p99 | the transport floor at the same concurrency: ≥ 50 % of its rate, and p99 ≤ 50 ms |
| CPU per invoke, whole stack | CPU time (from /proc) of the stack's processes (controller, invoker, Kafka, Redis, Jaeger) during the sustained rounds, per invoke; the bench process itself is left out | the transport floor's, per round trip; target ≤ 1.2 ms |
| non-blocking invoke (202) | C clients in a closed loop on POSTs without \`blocking\`, each answered 202 with the activation's id, for a fixed time after a warm-up (blocking invokes, so the isolates exist); the latency of the 202 and accepted invokes per second | the sustained (blocking) figure's rate |
| record latency after a 202 | for up to N of those activations, evenly spread over the run: the record's \`end\` (the invoker's clock; same machine) minus the time the bench sent the POST, read from \`GET /api/v1/namespaces/_/activations/<id>\` once it answers 200 (the bench waits, bounded, until the records are readable, so the backlog is gone before the next figure). When 202s come faster than the invoker finishes, this includes the queue | — |
| transport floor | the same hops without the controller's HTTP stack and without an isolate: an Avro ActivationRequest produced to a bench topic on the same Kafka (the controller's producer), read by a BoundedConsumer (the invoker's), answered with \`publishCompletion\` (a record-sized XADD), delivered by a CompletionReader (the controller's); all in the bench process | — |
| HTTP floor | the same undici client and request against a bare \`node:http\` server answering JSON of the warm invoke's response size | — |
| web action, 1 / 32 in flight | the same function created as a web action (\`web-export\` true, 128 MB) and called anonymously on the stack's web origin (\`POST /api/v1/web/<namespace>/default/bench-web.json\`, body \`{"n":1}\`): p50/p99 at 1 in flight, throughput at 32 (more than the invoker's 2 GB holds isolates of 128 MB, so some wait in the invoker, as they would in production) | workerd: p50 ≤ 5× workerd's; throughput ≥ 0.6× workerd's |
| workerd, 1 / 32 in flight | Cloudflare's workerd (the \`workerd\` dev dependency) serving the same function as a module worker (the JSON body as params, the result as JSON), called with the same request through the same client | — |
| overhead above floor | warm invoke p50 − transport floor p50 (and the same for p99): what the controller's HTTP stack, the invoker's work and the isolate add. The HTTP floor is part of it | — |
| CPU per invoke (notes) | CPU time each process of the stack (from /proc) and the bench itself spent during the sustained rounds, per invoke; the sum bounds the throughput the machine's cores allow. "other processes" is what the rest of the machine used meanwhile | the same for the transport floor |
| sustained, 1 invoker / 3 invokers | C clients in a closed loop over 6 actions (128 MB each), first on the stack's one invoker, then over 6 fresh actions once invokers 1 and 2 (processes of their own, metrics ports next to invoker0's) are listed up; the fresh actions are chosen so that each invoker is the balancer's home of two. Measured one after the other (the invoker count cannot alternate), after a warm-up each | the 1-invoker figure, for the 3-invoker one |
| warm isolates held | a child process holding only the invoker's \`IsolatePool\` (no stem cells) acquires, activates and releases N distinct actions (128 MB limit each), leaving N warm isolates; isolates per GiB of RSS growth, and per GiB of the pool's own accounting (resident heap, external and malloced memory of idle isolates). p50/p99 are each isolate's in-process cold start (new isolate + init + run) | target ≥ 500/GiB |

## Latest results

${results.mode} run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, ${results.cpus} × ${results.cpuModel}, ${(results.durationMs / 1000).toFixed(0)} s. Other work on the machine inflates every figure, floors included:
the last note says how much CPU it took.

${markdownTable(results.rows)}

${results.notes.map((n) => `- ${n}`).join('\n')}

The raw figures are in [test/bench/results.json](test/bench/results.json), the chart in [${CHART_PATH}](${CHART_PATH}).

${log}`;
  writeFileSync(file, page);
}
