// The bench's output: the table on stdout, test/bench/results.json for machines and BENCHMARKS.md for people.
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
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
  floor?: { name: string; p50?: number; p99?: number; rate?: number };
  /** How far above (or below) the floor, e.g. "1.9× p50". */
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

export function environment(mode: Results['mode']): Pick<Results, 'date' | 'mode' | 'node' | 'cpus' | 'cpuModel'> {
  return { date: new Date().toISOString(), mode, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };
}

// ---- formatting

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
const count = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const rate = (r: Row) => (r.rate === undefined ? '—' : `${count(r.rate)}${r.rateUnit ?? '/s'}`);
const floorCell = (r: Row) => {
  if (!r.floor) return '—';
  const parts = [r.floor.p50 !== undefined ? `${ms(r.floor.p50)} / ${ms(r.floor.p99)}` : undefined, r.floor.rate !== undefined ? `${count(r.floor.rate)}/s` : undefined];
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

/** Replaces the README's quoted figures (between its bench markers) with this run's table. */
export function quoteInReadme(file: string, results: Results): void {
  const readme = readFileSync(file, 'utf8');
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`${file} has no ${README_BEGIN} … ${README_END} block to quote the figures in`);
  const quoted = `${README_BEGIN}\n${results.mode} run of ${results.date.slice(0, 10)}, ${results.cpus} × ${results.cpuModel}:\n\n${markdownTable(results.rows)}\n`;
  writeFileSync(file, readme.slice(0, begin) + quoted + readme.slice(end));
}

export function writeBenchmarksPage(file: string, results: Results): void {
  const page = `# Benchmarks

\`npm run bench\` measures the platform's performance figures on this machine and prints them next to a **floor measured in
the same run**, so a busy or slow machine moves both and the ratio still says something. Speed is only measured
here, never asserted by a test.

\`\`\`sh
npm run bench              # full run, about 2½ minutes on 2 cores; rewrites this page and test/bench/results.json
npm run bench -- --quick   # smaller samples, about 1½ minutes (starting processes is most of it); prints only (--write keeps it)
ISOWHISK_BENCH_QUICK=1 npm run bench   # the same quick run, for runners that pass no arguments
\`\`\`

The bench starts a stack of its own (\`.run/bench\`, every port +200: Kafka 19292, Redis 16580, controller 13433),
stops it at the end (also on failure or Ctrl-C), and talks to it on 127.0.0.1 only. Every loop is bounded in
count and time, and a watchdog ends the run after 10 minutes (6 with \`--quick\`) whatever hangs. The latency and
throughput figures are measured in rounds alternating with their floors (warm, transport, HTTP, warm, ...; sustained, transport at the same
concurrency, ...), so both see the same machine even when other work comes and goes. Invokes are blocking
(\`?blocking=true&result=true\`) from an undici keep-alive pool, by a fresh namespace whose rate limits are lifted;
the action is \`function main(params) { return { ok: true, n: params.n ?? 0 }; }\`.

## What each figure is

| figure | how it is measured | floor next to it |
|---|---|---|
| warm invoke | one client, one warm action, sequential calls after a warm-up: HTTP in → controller → Kafka → invoker isolate → Redis record + completion stream → HTTP out | the transport floor |
| cold start | N new actions created, then each invoked once, sequentially: the first activation of each (a stem cell gets the code, or a new isolate is made) | the warm invoke |
| sustained | C clients in a closed loop on one warm action (128 MB, so C isolates fit the invoker's 2 GB) for a fixed time after a warm-up; throughput and p99 | the transport floor at the same concurrency |
| transport floor | the same hops without the controller's HTTP stack and without an isolate: an Avro ActivationRequest produced to a bench topic on the same Kafka (the controller's producer), read by a BoundedConsumer (the invoker's), answered with \`publishCompletion\` (a record-sized XADD), delivered by a CompletionReader (the controller's); all in the bench process | — |
| HTTP floor | the same undici client and request against a bare \`node:http\` server answering JSON of the warm invoke's response size | — |
| overhead above floor | warm invoke p50 − transport floor p50 (and the same for p99): what the controller's HTTP stack, the invoker's work and the isolate add. The HTTP floor is part of it | — |
| CPU per invoke (notes) | CPU time each process of the stack (from /proc) and the bench itself spent during the sustained rounds, per invoke; the sum bounds the throughput the machine's cores allow. "other processes" is what the rest of the machine used meanwhile | the same for the transport floor |
| sustained, 1 invoker / 3 invokers | C clients in a closed loop over 6 actions (128 MB each), first on the stack's one invoker, then over 6 fresh actions once invokers 1 and 2 (processes of their own, metrics ports next to invoker0's) are listed up; the fresh actions are chosen so that each invoker is the balancer's home of two. Measured one after the other (the invoker count cannot alternate), after a warm-up each | the 1-invoker figure, for the 3-invoker one |
| warm isolates held | a child process holding only the invoker's \`IsolatePool\` (no stem cells) acquires, activates and releases N distinct actions (128 MB limit each), leaving N warm isolates; isolates per GiB of RSS growth, and per GiB of the pool's own accounting (resident heap, external and malloced memory of idle isolates). p50/p99 are each isolate's in-process cold start (new isolate + init + run) | — |

## Latest results

${results.mode} run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, ${results.cpus} × ${results.cpuModel}, ${(results.durationMs / 1000).toFixed(0)} s. Other work on the machine inflates every figure, floors included:
the last note says how much CPU it took.

${markdownTable(results.rows)}

${results.notes.map((n) => `- ${n}`).join('\n')}

The raw figures are in [test/bench/results.json](test/bench/results.json).
`;
  writeFileSync(file, page);
}
