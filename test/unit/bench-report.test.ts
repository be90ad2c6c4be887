// The bench's written output without a bench run: BENCHMARKS.md keeps its hand-written log when the bench
// regenerates the page, and the chart draws every figure it is given, to scale.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartSvg } from '../bench/chart.ts';
import { existingLog, type Results, writeBenchmarksPage } from '../bench/report.ts';

const results: Results = {
  date: '2026-12-08T10:00:00.000Z',
  mode: 'full',
  node: 'v24.0.0',
  cpus: 2,
  cpuModel: 'Test CPU',
  durationMs: 120_000,
  loadAverage: { before: 0, after: 0 },
  rows: [{ id: 'warm', name: 'warm invoke (HTTP → HTTP)', n: 10, p50: 2.5, p99: 9, rate: 300, target: 'p50 ≤ floor + 1 ms', met: true }],
  notes: ['A note of this run.'],
  details: {},
};

describe('bench report', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('regenerates BENCHMARKS.md around its log, which it carries over as it is', () => {
    const file = join(dir, 'BENCHMARKS.md');
    const log = '## Log\n\nIntro.\n\n- **Change A** (abc123): warm p50 8.16 → 3.10 ms, floor 2.05 → 2.01 ms.\n  second line | with a pipe\n';
    writeFileSync(file, `# Benchmarks\n\nold text\n\n## Latest results\n\n| old | table |\n\n${log}`);
    writeBenchmarksPage(file, results);
    const page = readFileSync(file, 'utf8');
    assert.ok(page.endsWith(`\n${log}`), 'the log section ends the page unchanged');
    assert.equal(page.split('## Log').length, 2, 'one log section');
    assert.ok(!page.includes('old text') && !page.includes('| old | table |'), 'the rest is regenerated');
    assert.ok(page.includes('A note of this run.'));
    writeBenchmarksPage(file, results);
    assert.equal(readFileSync(file, 'utf8'), page, 'a second run keeps the same page');
  });

  it('takes the log up to the next section only', () => {
    const file = join(dir, 'BENCHMARKS.md');
    writeFileSync(file, '# B\n\n## Log\n\n- entry\n\n## Later\n\ntext\n');
    assert.equal(existingLog(file), '## Log\n\n- entry\n');
  });

  it('gives a page without a log an empty one', () => {
    const file = join(dir, 'BENCHMARKS.md');
    writeBenchmarksPage(file, results);
    const page = readFileSync(file, 'utf8');
    assert.match(page, /\n## Log\n\nEach change made for speed/);
    assert.ok(!existingLog(file).includes('- **'), 'no entries made up');
  });

  it('draws every bar to scale with its value, and escapes labels', () => {
    const svg = chartSvg({
      title: 'Run <1> & co',
      latency: [
        { label: 'warm invoke', p50: 4, p99: 20 },
        { label: 'workerd', p50: 0.3, p99: Number.NaN },
      ],
      throughput: [
        { label: 'sustained', concurrency: 16, rate: 500 },
        { label: 'workerd', concurrency: 32, rate: 8_000 },
      ],
    });
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.includes('Run &lt;1&gt; &amp; co'));
    for (const value of ['4.00 ms', '20.0 ms', '0.30 ms', '—', '500/s', '8,000/s', '16 in flight', '32 in flight']) assert.ok(svg.includes(`>${value}<`), value);
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="12"/g)].map((m) => Number(m[1]));
    assert.equal(widths.length, 6, 'two bars per latency figure, one per throughput figure');
    const [warm50, warm99, wd50, , sustained, workerd] = widths as [number, number, number, number, number, number];
    assert.ok(Math.abs(warm50 / warm99 - 4 / 20) < 0.01, 'latency bars share one scale');
    assert.ok(wd50 < warm50);
    assert.ok(Math.abs(sustained / workerd - 500 / 8_000) < 0.01, 'throughput bars share one scale');
  });
});
