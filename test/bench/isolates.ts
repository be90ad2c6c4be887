// Figure 5: warm isolates held per GiB of invoker memory, measured in a child process that holds only the
// invoker's IsolatePool (isolates-child.ts): by RSS growth, and by the pool's own accounting.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { IsolatesMeasurement } from './isolates-child.ts';
import { summarize, type Summary } from './stats.ts';

const GiB = 1024 ** 3;

export interface IsolatesResult {
  /** Cold acquire + init + run of each isolate, in-process. */
  summary: Summary;
  perGiBByRss: number;
  perGiBByPool: number;
  rssGrowthMB: number;
  poolUsedMB: number;
  idle: number;
  reusedWarm: boolean;
}

export async function warmIsolates(count: number, timeoutMs: number): Promise<IsolatesResult> {
  const child = join(import.meta.dirname, 'isolates-child.ts');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--no-node-snapshot', '--expose-gc', child, String(count)], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) =>
      err ? reject(new Error(`isolates child failed: ${err.message}\n${errOut}`)) : resolve(out),
    );
  });
  const m = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as IsolatesMeasurement;
  const rssGrowth = m.rssAfterBytes - m.rssBeforeBytes;
  return {
    summary: summarize(m.samples, m.elapsedMs),
    perGiBByRss: m.count / (rssGrowth / GiB),
    perGiBByPool: m.count / ((m.poolUsedMB * 1024 * 1024) / GiB),
    rssGrowthMB: rssGrowth / 1024 / 1024,
    poolUsedMB: m.poolUsedMB,
    idle: m.idle,
    reusedWarm: m.reusedWarm,
  };
}
