// The background Jaeger build of a first `npm start`: building Jaeger takes minutes (deploy/local/jaeger.ts), and
// nothing else in the stack needs it, so the launcher starts the other services at once and leaves the build to a
// detached builder process (deploy/local/jaeger-builder.ts). The builder builds the binary (or waits for a build
// another process runs: one at a time, by the lock file beside the binary), then starts this layout's Jaeger as the
// usual daemon (<runDir>/jaeger/jaeger.pid), so `npm stop` and `npm run status` see it like any other start.
// Meanwhile the controller and the invoker keep their spans (shared/span-buffer.ts) until Jaeger takes them.
//
// Files in <runDir>/jaeger/:
//   jaeger-build.pid   the builder's pid, while it runs; `npm stop` stops it (and the go processes under it)
//   jaeger-build.log   its output: the build's progress lines, then Jaeger's start
import { join, relative } from 'node:path';
import { logFile, logTail, runningPid, startDaemon, stopDaemon } from './daemon.ts';
import { type BuildProgress, jaegerBuildState } from './jaeger.ts';
import { PROJECT_ROOT, type StackLayout } from './layout.ts';

const BUILDER_ENTRY = join(import.meta.dirname, 'jaeger-builder.ts');

export const jaegerBuilderDaemon = (layout: StackLayout) => ({ name: 'jaeger-build', runDir: join(layout.runDir, 'jaeger') });

/** The builder's log, which `tail -f` follows. */
export const jaegerBuildLog = (layout: StackLayout): string => logFile(jaegerBuilderDaemon(layout));

/** The builder's pid while it runs. */
export const jaegerBuilderPid = (layout: StackLayout): number | undefined => runningPid(jaegerBuilderDaemon(layout));

/** Starts the builder for this layout unless one runs; returns its pid. It exits once Jaeger answers (or failed). */
export function startJaegerBuild(layout: StackLayout): number {
  return startDaemon({
    ...jaegerBuilderDaemon(layout),
    command: process.execPath,
    args: [BUILDER_ENTRY, JSON.stringify(layout)],
  });
}

/** Stops the builder and its go processes (their module and build caches keep what is done); whether it ran. */
export async function stopJaegerBuild(layout: StackLayout): Promise<boolean> {
  return stopDaemon(jaegerBuilderDaemon(layout), 5_000);
}

/** "compiling: 812 of about 1402 packages compiled, 3 min 05 s elapsed; go: github.com/…" */
export function describeProgress(progress: BuildProgress, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - progress.startedAt) / 1000));
  const elapsed = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
  const about = progress.total && progress.count <= progress.total ? ` of about ${progress.total}` : '';
  const count = progress.unit ? `${progress.count}${about} ${progress.unit}, ` : '';
  const step = progress.step ? ` (step ${progress.step})` : '';
  const last = progress.lastLine ? `; last line: ${progress.lastLine.slice(0, 120)}` : '';
  return `${progress.phase}${step}: ${count}${elapsed} elapsed${last}`;
}

/**
 * The Jaeger line of `npm run status` when Jaeger does not run: building (how far), waiting for the build to start
 * Jaeger, failed (why), or stopped.
 */
export function jaegerBuildStatus(layout: StackLayout, now = Date.now()): string | undefined {
  const builder = jaegerBuilderPid(layout);
  const build = jaegerBuildState();
  const log = relative(PROJECT_ROOT, jaegerBuildLog(layout));
  if (build.state === 'building') {
    const what = build.progress ? describeProgress(build.progress, now) : 'starting';
    if (builder === undefined) return `stopped (a build of Jaeger for another stack runs: pid ${build.pid}, ${what})`;
    const owner = build.pid === builder ? '' : `, by pid ${build.pid} for another stack; this stack's builder ${builder} waits for it`;
    return `NOT running: being built, ${what}${owner} (follow it: tail -f ${log})`;
  }
  if (build.state === 'failed') {
    return `NOT running: the build failed: ${build.progress.failed} (see ${log}; npm start tries again)`;
  }
  if (builder !== undefined) return `NOT running: built, starting (builder pid ${builder}; ${log})`;
  // A builder that ended without starting Jaeger (no Go, a port taken, stopped by `npm stop`) said why last.
  const tail = logTail(jaegerBuilderDaemon(layout), 1);
  if (tail !== '(no log)' && !tail.includes(JAEGER_UP_LINE)) return `stopped (the Jaeger builder's last line: ${tail.trim().slice(0, 200)}; see ${log})`;
  return undefined;
}

/** What the builder's log ends with once it started Jaeger. */
export const JAEGER_UP_LINE = 'isowhisk: Jaeger is up at';
