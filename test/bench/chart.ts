// The bench's chart, test/bench/results.svg: latency percentiles of each figure beside its floors (left), and
// throughput by concurrency (right), as horizontal bars on linear scales with each value written at its bar's end.
// Plain SVG text, so it renders on any Markdown page that shows the bench's results.

export interface LatencyBar {
  label: string;
  p50: number;
  p99: number;
}

export interface ThroughputBar {
  label: string;
  /** Requests in flight. */
  concurrency: number;
  /** Per second. */
  rate: number;
}

export interface ChartInput {
  title: string;
  latency: LatencyBar[];
  throughput: ThroughputBar[];
}

const PANEL_WIDTH = 440;
const LABEL_WIDTH = 150;
const BAR_HEIGHT = 12;
const ROW_GAP = 10;
/** Below the title and each panel's heading and legend. */
const TOP = 72;
const COLORS = { p50: '#2b6cb0', p99: '#90cdf4', rate: '#2f855a' };

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const finite = (v: number) => (Number.isFinite(v) ? v : 0);
const msText = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms` : '—');
const rateText = (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')}/s` : '—');

/** Room for the value written after the longest bar. */
const VALUE_ROOM = 70;

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${escape(content)}</text>`;
}

function bar(x: number, y: number, width: number, color: string, value: string): string {
  const w = Math.max(1, width);
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"/>${text(x + w + 4, y + BAR_HEIGHT - 2, value, 'class="v"')}`;
}

function latencyPanel(x0: number, bars: LatencyBar[]): { svg: string; height: number } {
  const scale = (PANEL_WIDTH - LABEL_WIDTH - VALUE_ROOM) / Math.max(1e-9, ...bars.map((b) => finite(b.p99)), ...bars.map((b) => finite(b.p50)));
  const parts = [text(x0, TOP - 26, 'Latency at 1 in flight (ms)', 'class="h"')];
  parts.push(`<rect x="${x0}" y="${TOP - 18}" width="10" height="10" fill="${COLORS.p50}"/>`, text(x0 + 14, TOP - 9, 'p50'));
  parts.push(`<rect x="${x0 + 50}" y="${TOP - 18}" width="10" height="10" fill="${COLORS.p99}"/>`, text(x0 + 64, TOP - 9, 'p99'));
  let y = TOP;
  for (const b of bars) {
    parts.push(text(x0, y + BAR_HEIGHT + 4, b.label));
    parts.push(bar(x0 + LABEL_WIDTH, y, finite(b.p50) * scale, COLORS.p50, msText(b.p50)));
    parts.push(bar(x0 + LABEL_WIDTH, y + BAR_HEIGHT, finite(b.p99) * scale, COLORS.p99, msText(b.p99)));
    y += 2 * BAR_HEIGHT + ROW_GAP;
  }
  return { svg: parts.join('\n'), height: y };
}

function throughputPanel(x0: number, bars: ThroughputBar[]): { svg: string; height: number } {
  const scale = (PANEL_WIDTH - LABEL_WIDTH - VALUE_ROOM) / Math.max(1e-9, ...bars.map((b) => finite(b.rate)));
  const parts = [text(x0, TOP - 26, 'Throughput by requests in flight (/s)', 'class="h"')];
  let y = TOP;
  for (const b of bars) {
    parts.push(text(x0, y + BAR_HEIGHT, b.label));
    parts.push(text(x0, y + 2 * BAR_HEIGHT + 1, `${b.concurrency} in flight`, 'class="s"'));
    parts.push(bar(x0 + LABEL_WIDTH, y + BAR_HEIGHT / 2, finite(b.rate) * scale, COLORS.rate, rateText(b.rate)));
    y += 2 * BAR_HEIGHT + ROW_GAP;
  }
  return { svg: parts.join('\n'), height: y };
}

/** The whole chart as an SVG document. */
export function chartSvg(input: ChartInput): string {
  const margin = 16;
  const left = latencyPanel(margin, input.latency);
  const right = throughputPanel(margin + PANEL_WIDTH + 2 * margin, input.throughput);
  const width = 2 * PANEL_WIDTH + 4 * margin;
  const height = Math.max(left.height, right.height) + margin;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<style>.h { font-weight: bold; font-size: 12px; } .v { fill: #333; font-size: 10px; } .s { fill: #666; font-size: 9px; } .t { font-size: 13px; font-weight: bold; }</style>
<rect width="100%" height="100%" fill="#fff"/>
${text(margin, 18, input.title, 'class="t"')}
${left.svg}
${right.svg}
</svg>
`;
}
