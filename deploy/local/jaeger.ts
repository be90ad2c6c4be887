// The local stack's Jaeger: one Jaeger v2 all-in-one process (an OpenTelemetry Collector with Jaeger's
// extensions) with in-memory storage. It receives OTLP (HTTP and gRPC) and serves the query API on
// layout.jaeger.uiPort; every listener binds 127.0.0.1. Its configuration (rendered from
// deploy/local/jaeger/config.yaml), pid file and log live in <runDir>/jaeger/.
//
// Debian has no Jaeger, so the binary is built once with Go from the Go module proxy into
// .cache/jaeger/<version>/jaeger (ISOWHISK_JAEGER_CACHE_DIR moves that folder; the Go module and build caches make a
// rebuild fast). One build runs at a time across processes (a lock file beside the binary); it writes its progress
// to a file there too, which `npm run status` reads while `npm start` lets the build run in the background
// (deploy/local/jaeger-build.ts). A binary built this way
// carries no UI (its assets are built from the jaeger-ui repository), only a placeholder page; so Jaeger serves
// the compact trace viewer in deploy/local/jaeger-ui instead (config `ui: assets_path`). Its HTTP API is complete:
// /api/services, /api/traces?service=NAME, /api/traces/{traceId}.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, logFile, logTail, runningPid, startDaemon, stopDaemon } from './daemon.ts';
import { loadLauncherConfig } from '../../shared/config.ts';
import { CACHE_DIR, PROJECT_ROOT } from './layout.ts';
import type { StackLayout } from './layout.ts';
import { hasCommand, requireCommands } from './prerequisites.ts';
import type { Prerequisite } from './prerequisites.ts';

// ---------------------------------------------------------------------------------------------------------------
// Version
//
// Jaeger's v2 tags are not valid versions of the Go module github.com/jaegertracing/jaeger (no /v2 suffix), so
// a v2 release can only be had by its commit, or by the v1.x tag on the same commit while v1 and v2 were
// released together (up to v1.76.0 = v2.13.0, the last v1 release). The Go module proxy reachable here is
// partial: it refuses every v2-only release commit (v2.14.0 … v2.20.0; v2.20.0 = 798e4b0fcf22…: "403 Forbidden:
// This module version is not available") and serves v1.76.0. v1.76.0's go.mod has a `replace` directive, which
// `go install module/cmd/jaeger@version` rejects; so the build runs in a throwaway main module that requires
// Jaeger and repeats its go.mod's `go` line and replaces (MVS then selects exactly the versions Jaeger's go.mod
// names). For v2.20.0 with a complete proxy: JAEGER_VERSION 'v2.20.0', JAEGER_COMMIT and JAEGER_MODULE_VERSION
// '798e4b0fcf22609e381df764a01461affd813e1e', JAEGER_COMMIT_DATE its date; nothing else changes.

/** The Jaeger release, as `jaeger version` reports it and as the cache folder is named. */
export const JAEGER_VERSION = 'v2.13.0';
/** The commit of that release (tags v2.13.0 and v1.76.0). */
export const JAEGER_COMMIT = '63b27e1810a710ac54dc4522da0538e540bdc545';
const JAEGER_COMMIT_DATE = '2025-12-03T16:07:08Z';
const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';
/** What the Go module proxy is asked for: the module version of that commit (or the commit itself). */
const JAEGER_MODULE_VERSION = 'v1.76.0';
const JAEGER_PACKAGE = `${JAEGER_MODULE}/cmd/jaeger`;

export const GO: Prerequisite = {
  command: 'go',
  hint: 'install Go 1.21 or newer (https://go.dev/dl/; it fetches the toolchain Jaeger asks for); it builds Jaeger once into .cache/jaeger',
};

/** The folder of Jaeger binaries by version: ISOWHISK_JAEGER_CACHE_DIR, or .cache/jaeger. */
export const jaegerCacheDir = (): string => loadLauncherConfig().jaegerCacheDir || join(CACHE_DIR, 'jaeger');
const binDir = (): string => join(jaegerCacheDir(), JAEGER_VERSION);
/** Where the binary of JAEGER_VERSION is (or will be, once built). */
export const jaegerBinary = (): string => join(binDir(), 'jaeger');
/** Holds the pid of the process building the binary; one build at a time across processes. */
const lockFile = (): string => join(binDir(), 'build.lock');
/** The build's progress (BuildProgress), for `npm run status`; kept after a failed build, removed after success. */
const progressFile = (): string => join(binDir(), 'build-progress.json');
const CONFIG_TEMPLATE = join(import.meta.dirname, 'jaeger', 'config.yaml');
/** The trace viewer Jaeger serves at its UI port: index.html and static/ (see jaeger-ui/index.html). */
export const JAEGER_UI_DIR = join(import.meta.dirname, 'jaeger-ui');

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

const say = (message: string): void => {
  process.stderr.write(`isowhisk: ${message}\n`);
};

// ---------------------------------------------------------------------------------------------------------------
// Binary

/** What `go env GOVERSION` prints, e.g. "go1.26.8" ("" when go does not answer). */
async function goRelease(): Promise<string> {
  return new Promise<string>((done) => {
    const child = spawn('go', ['env', 'GOVERSION'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => done(''));
    child.once('close', () => done(out.trim()));
  });
}

interface BuildStep {
  title: string;
  args: string[];
  /** Counts the lines of go's output that mark progress. */
  counts: (line: string) => boolean;
  unit: string;
}

/** What a build in progress (or a failed one) reports, in build-progress.json. */
export interface BuildProgress {
  pid: number;
  /** Epoch ms. */
  startedAt: number;
  updatedAt: number;
  /** "2/3". */
  step: string;
  /** "downloading modules", "compiling". */
  phase: string;
  count: number;
  unit: string;
  /**
   * Packages the binary is made of (from the download step), for "N of about M packages compiled": an estimate, as
   * `go build -v` may name more packages than `go list -deps` counts (it is left out once passed).
   */
  total?: number;
  /** go's latest line. */
  lastLine: string;
  /** The error's first line, once the build failed. */
  failed?: string;
}

export type JaegerBuildState =
  | { state: 'built'; binary: string }
  | { state: 'building'; pid: number; progress?: BuildProgress }
  | { state: 'failed'; progress: BuildProgress }
  | { state: 'absent' };

/** Whether the binary is there, being built (by which process, how far), failed last time, or absent. */
export function jaegerBuildState(): JaegerBuildState {
  const binary = jaegerBinary();
  if (existsSync(binary)) return { state: 'built', binary };
  const progress = readProgress();
  const pid = lockHolder();
  if (pid !== undefined) return { state: 'building', pid, ...(progress && progress.pid === pid ? { progress } : {}) };
  if (progress?.failed) return { state: 'failed', progress };
  return { state: 'absent' };
}

function readProgress(): BuildProgress | undefined {
  try {
    return JSON.parse(readFileSync(progressFile(), 'utf8')) as BuildProgress;
  } catch {
    return undefined; // none, or caught mid-write
  }
}

function writeProgress(progress: BuildProgress): void {
  // Written whole then renamed, so a reader never sees half a file.
  const temp = `${progressFile()}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(progress)}\n`);
  renameSync(temp, progressFile());
}

/** The pid in the lock file if that process runs. */
function lockHolder(): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/**
 * Takes the build lock unless a live process holds it. A lock left by a process that died is taken over; two
 * processes doing so at the same instant could both build, which costs time but no harm (each writes a
 * temporary file and renames it over the same binary).
 */
function takeBuildLock(): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile(), `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lockHolder() !== undefined) return false;
    rmSync(lockFile(), { force: true });
  }
  return false;
}

function releaseBuildLock(): void {
  try {
    if (Number(readFileSync(lockFile(), 'utf8').trim()) === process.pid) rmSync(lockFile(), { force: true });
  } catch {
    /* not ours, or gone */
  }
}

/**
 * The path of the Jaeger binary, built first when <cache>/<version>/jaeger is missing: with Go, from the Go
 * module proxy, into a temporary file that replaces nothing until the build succeeded. The first build downloads
 * a few hundred modules and compiles for minutes; it runs under `nice` and reports progress on stderr and in
 * build-progress.json. While another process builds it, this one waits for that build (and takes over if it dies).
 */
export async function ensureJaegerBinary(): Promise<string> {
  const binary = jaegerBinary();
  if (existsSync(binary)) return binary;
  mkdirSync(binDir(), { recursive: true });
  let announced = false;
  while (!takeBuildLock()) {
    if (!announced) {
      say(`waiting for the Jaeger build under way (pid ${lockHolder() ?? '?'}; \`npm run status\` shows its progress)`);
      announced = true;
    }
    await sleep(1000);
    if (existsSync(binary)) return binary;
  }
  try {
    if (existsSync(binary)) return binary; // built by the process that held the lock a moment ago
    return await buildJaeger(binary);
  } finally {
    releaseBuildLock();
  }
}

async function buildJaeger(binary: string): Promise<string> {
  requireCommands(GO);
  const release = await goRelease();
  const [, major, minor] = /^go(\d+)\.(\d+)/.exec(release) ?? [];
  if (!major || Number(major) < 1 || (Number(major) === 1 && Number(minor) < 21)) {
    // Go 1.21 and later fetch the toolchain a module needs by themselves; older ones cannot build Jaeger.
    throw new Error(`building Jaeger needs Go 1.21 or newer; the go on PATH is ${release || 'of unknown version'}: ${GO.hint}`);
  }

  const work = join(jaegerCacheDir(), `build-${process.pid}`);
  const output = join(binDir(), `jaeger.tmp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Enough of a module for step 1; buildModule() replaces it once Jaeger's own go.mod is at hand.
  writeFileSync(join(work, 'go.mod'), 'module isowhisk.local/jaeger-build\n');
  const ldflags = [
    `-X ${JAEGER_MODULE}/internal/version.commitSHA=${JAEGER_COMMIT}`,
    `-X ${JAEGER_MODULE}/internal/version.latestVersion=${JAEGER_VERSION}`,
    `-X ${JAEGER_MODULE}/internal/version.date=${JAEGER_COMMIT_DATE}`,
  ].join(' ');
  const steps: BuildStep[] = [
    {
      // The Jaeger module alone, verified against sum.golang.org. Its go.sum then seeds the build module's: the
      // proxy here serves the modules but not every checksum-database lookup (404), and Jaeger's go.sum (inside
      // the verified module) holds the checksums of everything it builds with, so every download is still checked.
      title: `fetching ${JAEGER_MODULE}@${JAEGER_MODULE_VERSION}`,
      args: ['mod', 'download', '-json', `${JAEGER_MODULE}@${JAEGER_MODULE_VERSION}`],
      counts: (line) => line.startsWith('go: downloading '),
      unit: 'modules downloaded',
    },
    {
      title: 'downloading modules',
      args: ['list', '-deps', '-f', '{{with .Module}}{{.Path}}{{end}}', JAEGER_PACKAGE],
      counts: (line) => line.startsWith('go: downloading '),
      unit: 'modules downloaded',
    },
    {
      title: 'compiling',
      // -trimpath and the version's -X flags as in Jaeger's own Makefile; -v names each package it compiles.
      args: ['build', '-v', '-trimpath', `-ldflags=${ldflags}`, '-o', output, JAEGER_PACKAGE],
      counts: (line) => /^[\w.~-]+(\/[\w.~+-]+)*$/.test(line),
      unit: 'packages compiled',
    },
  ];

  const started = Date.now();
  say(
    `building Jaeger ${JAEGER_VERSION} from the Go module proxy (first time only, several minutes) into ` +
      `${shown(binDir())} with ${release}`,
  );
  const progress: BuildProgress = { pid: process.pid, startedAt: started, updatedAt: started, step: '', phase: 'starting', count: 0, unit: '', lastLine: '' };
  writeProgress(progress);
  try {
    let packages: number | undefined;
    for (const [i, step] of steps.entries()) {
      const stdout = await runGo(step, `${i + 1}/${steps.length}`, work, progress, i === 2 ? packages : undefined);
      if (i === 0) buildModule(work, stdout);
      // `go list -deps` prints one line per package the binary is made of.
      if (i === 1) packages = stdout.split('\n').length - 1;
    }
    chmodSync(output, 0o755);
    renameSync(output, binary);
  } catch (err) {
    writeProgress({ ...progress, updatedAt: Date.now(), failed: (err as Error).message.split('\n')[0] ?? 'failed' });
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(output, { force: true });
  }
  rmSync(progressFile(), { force: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const megabytes = (statSync(binary).size / 1e6).toFixed(0);
  writeFileSync(
    join(binDir(), 'build.json'),
    `${JSON.stringify({ version: JAEGER_VERSION, commit: JAEGER_COMMIT, module: `${JAEGER_MODULE}@${JAEGER_MODULE_VERSION}`, go: release, seconds: Number(seconds), builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  say(`Jaeger ${JAEGER_VERSION} built in ${seconds} s (${megabytes} MB): ${shown(binary)}`);
  return binary;
}

/** A path relative to the project when inside it. */
const shown = (path: string): string => (path.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, path) : path);

/**
 * Writes the build module from what `go mod download -json` said of the Jaeger module: a go.mod that requires it
 * with its `go` line (so GODEBUG defaults are upstream's) and its `replace` directives, and a copy of its go.sum.
 */
function buildModule(work: string, downloadJson: string): void {
  const info = JSON.parse(downloadJson) as { Version?: string; Dir?: string; GoMod?: string; Error?: string };
  if (info.Error || !info.Version || !info.Dir || !info.GoMod) {
    throw new Error(`go mod download ${JAEGER_MODULE}@${JAEGER_MODULE_VERSION} failed: ${info.Error ?? downloadJson}`);
  }
  const upstream = readFileSync(info.GoMod, 'utf8');
  const goLine = /^go\s+(\S+)\s*$/m.exec(upstream)?.[1];
  if (!goLine) throw new Error(`${info.GoMod} has no go line`);
  const replaces: string[] = [];
  let inBlock = false;
  for (const raw of upstream.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock && line === ')') inBlock = false;
    else if (line === 'replace (') inBlock = true;
    else if (inBlock && line.includes('=>')) replaces.push(line);
    else if (line.startsWith('replace ') && line.includes('=>')) replaces.push(line.slice('replace '.length).trim());
  }
  const local = replaces.find((r) => /=>\s*\.{0,2}\//.test(r));
  if (local) throw new Error(`${JAEGER_MODULE}@${info.Version}'s go.mod replaces a module by a local folder (${local}): it cannot be built from the proxy`);
  writeFileSync(
    join(work, 'go.mod'),
    [
      '// Written by deploy/local/jaeger.ts to build Jaeger; deleted after the build.',
      'module isowhisk.local/jaeger-build',
      '',
      `go ${goLine}`,
      '',
      `require ${JAEGER_MODULE} ${info.Version}`,
      '',
      ...replaces.map((r) => `replace ${r}`),
      '',
    ].join('\n'),
  );
  writeFileSync(join(work, 'go.sum'), readFileSync(join(info.Dir, 'go.sum')));
}

/**
 * Runs one `go` step (under nice) with a progress line on stderr, and returns its stdout; fails with the step, the
 * module at fault and go's last lines.
 */
async function runGo(step: BuildStep, position: string, cwd: string, progress: BuildProgress, total?: number): Promise<string> {
  const started = progress.startedAt;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CGO_ENABLED: '0',
    GO111MODULE: 'on',
    GOWORK: 'off',
    // The build module's go.mod may gain indirect requirements; go.sum holds Jaeger's checksums (see buildModule).
    GOFLAGS: '-mod=mod',
  };
  const [command, args] = hasCommand('nice') ? ['nice', ['-n', '10', 'go', ...step.args]] : ['go', step.args];
  const tty = process.stderr.isTTY === true;
  const tail: string[] = [];
  let count = 0;
  let lastLine = '';
  const line = (): string =>
    `Jaeger build step ${position} (${step.title}): ${count}${total && count <= total ? ` of about ${total}` : ''} ${step.unit}, ` +
    `${Math.round((Date.now() - started) / 1000)} s elapsed`;
  let lastDrawn = 0;
  let lastWritten = 0;
  const draw = (force = false): void => {
    const now = Date.now();
    if (force || now - lastWritten >= 1000) {
      lastWritten = now;
      Object.assign(progress, { updatedAt: now, step: position, phase: step.title, count, unit: step.unit, lastLine });
      if (total === undefined) delete progress.total;
      else progress.total = total;
      writeProgress(progress);
    }
    if (!force && now - lastDrawn < (tty ? 200 : 5000)) return;
    lastDrawn = now;
    if (tty) process.stderr.write(`\r\x1b[Kisowhisk: ${line()}`);
    else say(line());
  };
  const ticker = setInterval(() => draw(), tty ? 1000 : 5000);
  draw(true);

  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const onLine = (line: string): void => {
    lastLine = line;
    draw();
    if (step.counts(line)) {
      count++;
      if (!line.startsWith('go: downloading ')) return; // compiled package names: counted, not kept
    }
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  createInterface({ input: child.stderr }).on('line', onLine);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('close', (code, signal) => done({ code, signal }));
  });
  clearInterval(ticker);
  if (tty) process.stderr.write('\r\x1b[K');
  if (!exit.error && exit.code === 0) return stdout;

  const why = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  // go mod download -json reports its errors in the JSON on stdout.
  const jsonErrors = [...stdout.matchAll(/"Error":\s*("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string);
  const problems = [...tail.filter((line) => !line.startsWith('go: downloading ')), ...jsonErrors];
  // The first module path@version in go's complaints (not a file path in the module cache).
  const module = problems
    .map((line) => /(?:^|[\s:])([\w-]+(?:\.[\w-]+)+(?:\/[\w.~+-]+)+)@(v[\w.+-]+)/.exec(line) ?? /https:\/\/\S+?\/(?:sumdb\/\S+?\/lookup\/)?([\w-]+(?:\.[\w-]+)+(?:\/[\w.~+-]+)+)\/@v\/([\w.+-]+?)\.(?:info|mod|zip)/.exec(line))
    .find((m) => m);
  throw new Error(
    `building Jaeger ${JAEGER_VERSION} failed at step ${position} (${step.title}; ${why}, after ${seconds} s)` +
      `${module ? `: module ${module[1]}@${module[2]}` : ''}\n` +
      `  command: go ${step.args.join(' ')} (for ${JAEGER_MODULE}@${JAEGER_MODULE_VERSION})\n` +
      `--- last lines of go ---\n${(problems.length > 0 ? problems : tail).join('\n')}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Daemon

/** Every port this stack's Jaeger listens on (all on 127.0.0.1), derived from layout.jaeger. */
export interface JaegerPorts {
  otlpHttpPort: number;
  otlpGrpcPort: number;
  uiPort: number;
  queryGrpcPort: number;
  healthPort: number;
  metricsPort: number;
}

/**
 * The ports: the two of the layout, and the others next to the OTLP/HTTP port (4317 … 4321 for the dev stack,
 * 14317 … 14321 for the test stack). Test layouts move every port by a multiple of 100, so stacks never collide.
 */
export function jaegerPorts(layout: StackLayout): JaegerPorts {
  const { otlpHttpPort, uiPort } = layout.jaeger;
  return {
    otlpHttpPort,
    otlpGrpcPort: otlpHttpPort - 1,
    uiPort,
    queryGrpcPort: otlpHttpPort + 1,
    healthPort: otlpHttpPort + 2,
    metricsPort: otlpHttpPort + 3,
  };
}

export interface JaegerEndpoints {
  /** Base URL of the OTLP/HTTP receiver: exporters POST to `${otlpHttpEndpoint}/v1/traces`. */
  otlpHttpEndpoint: string;
  /** Base URL of the query API and the trace viewer: `${uiUrl}/api/traces/{traceId}`, `${uiUrl}/trace/{traceId}`. */
  uiUrl: string;
}

const daemon = (layout: StackLayout) => ({ name: 'jaeger', runDir: join(layout.runDir, 'jaeger') });

export const jaegerEndpoints = (layout: StackLayout): JaegerEndpoints => ({
  otlpHttpEndpoint: `http://127.0.0.1:${layout.jaeger.otlpHttpPort}`,
  uiUrl: `http://127.0.0.1:${layout.jaeger.uiPort}`,
});

/** Jaeger's pid if this stack's Jaeger runs. */
export const jaegerPid = (layout: StackLayout): number | undefined => runningPid(daemon(layout));

/**
 * The configuration for this layout: deploy/local/jaeger/config.yaml with its {{port}} placeholders filled in and
 * {{uiAssetsPath}} replaced by JAEGER_UI_DIR (JSON-quoted, which YAML reads as a string whatever the path holds).
 */
export function jaegerConfig(layout: StackLayout): string {
  const values: Record<string, string | undefined> = { uiAssetsPath: JSON.stringify(JAEGER_UI_DIR) };
  for (const [name, port] of Object.entries(jaegerPorts(layout))) values[name] = String(port);
  const text = readFileSync(CONFIG_TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${CONFIG_TEMPLATE}: unknown placeholder ${whole}`);
    return value;
  });
  return `# Written by deploy/local/jaeger.ts from ${relative(PROJECT_ROOT, CONFIG_TEMPLATE)} at every start; edits are lost.\n${text}`;
}

/** Whether the query API answers GET /api/services with 200 and Jaeger's JSON shape. */
async function answersAsJaeger(uiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${uiUrl}/api/services`, { signal: AbortSignal.timeout(2000) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return false;
    }
    const body = (await res.json()) as { data?: unknown };
    return Array.isArray(body.data) || body.data === null;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function portTaken(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (taken: boolean): void => {
      socket.destroy();
      done(taken);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const START_MARKER = '--- isowhisk: starting Jaeger';

/** The log's last lines, from the latest start on. */
function startLogTail(spec: { name: string; runDir: string }, lines = 30): string {
  const all = logTail(spec, 500).split('\n');
  const start = all.findLastIndex((line) => line.startsWith(START_MARKER));
  return all.slice(Math.max(start, all.length - lines)).join('\n');
}

/** Waits until GET /api/services answers 200; fails early if the process dies, with the log's tail. */
async function waitUntilReady(layout: StackLayout, pid: number): Promise<void> {
  const spec = daemon(layout);
  const { uiUrl } = jaegerEndpoints(layout);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!isAlive(pid)) {
      throw new Error(`Jaeger (pid ${pid}) exited while starting\n--- ${logFile(spec)} ---\n${startLogTail(spec)}`);
    }
    if (await answersAsJaeger(uiUrl)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Jaeger (pid ${pid}) did not answer GET ${uiUrl}/api/services within ${READY_TIMEOUT_MS / 1000} s\n` +
          `--- ${logFile(spec)} ---\n${startLogTail(spec)}`,
      );
    }
    await sleep(100);
  }
}

/**
 * Starts Jaeger unless it already runs (building its binary first if needed), and resolves with its endpoints
 * once the query API answers. Idempotent: a running, answering Jaeger is returned at once.
 */
export async function startJaeger(layout: StackLayout): Promise<JaegerEndpoints> {
  const spec = daemon(layout);
  const endpoints = jaegerEndpoints(layout);

  const existing = runningPid(spec);
  if (existing) {
    if (!(await answersAsJaeger(endpoints.uiUrl))) await waitUntilReady(layout, existing); // started a moment ago
    return endpoints;
  }

  const taken: string[] = [];
  for (const [name, port] of Object.entries(jaegerPorts(layout))) {
    if (await portTaken(port)) taken.push(`${port} (${name})`);
  }
  if (taken.length > 0) {
    const what = (await answersAsJaeger(endpoints.uiUrl)) ? `a Jaeger answers on ${endpoints.uiUrl}` : 'not a Jaeger of this layout';
    throw new Error(
      `127.0.0.1 port(s) ${taken.join(', ')} already in use (${what}), but this stack's Jaeger is not running ` +
        `(no live pid in ${join(spec.runDir, 'jaeger.pid')}); stop whatever listens there or choose other ports`,
    );
  }

  const binary = await ensureJaegerBinary();
  mkdirSync(spec.runDir, { recursive: true });
  const config = join(spec.runDir, 'config.yaml');
  writeFileSync(config, jaegerConfig(layout));
  writeFileSync(logFile(spec), `\n${START_MARKER} ${JAEGER_VERSION} at ${new Date().toISOString()} ---\n`, { flag: 'a' });
  const pid = startDaemon({ ...spec, command: binary, args: ['--config', config] });
  await waitUntilReady(layout, pid);
  return endpoints;
}

/** Stops Jaeger (SIGTERM; its traces are in memory only and are gone); returns whether it was running. */
export async function stopJaeger(layout: StackLayout): Promise<boolean> {
  return stopDaemon(daemon(layout), STOP_GRACE_MS);
}
