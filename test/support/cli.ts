// Runs the `wsk` CLI (cli/wsk.ts) as a subprocess, the way a user does, with a properties file of its own
// (WSK_CONFIG_FILE) in a temporary folder, and waits on its output with bounded timeouts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshNamespace, type TestNamespace } from './platform.ts';

export const CLI_PATH = resolve(import.meta.dirname, '..', '..', 'cli', 'wsk.ts');

export interface WskResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WskOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The environment of a CLI run: no colour, and none of the caller's wsk settings leaking in. */
function cliEnv(configFile: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WSK_CONFIG_FILE: configFile, NO_COLOR: '1' };
  for (const key of ['WHISK_AUTH', 'WHISK_APIHOST', 'WHISK_APIVERSION', 'WSK_CLI_DEBUG', 'FORCE_COLOR']) delete env[key];
  return { ...env, ...extra };
}

/** A running `wsk` whose output can be awaited line by line (e.g. `activation poll`). */
export class WskProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<WskResult>;

  constructor(args: readonly string[], configFile: string, options: WskOptions = {}) {
    this.child = spawn(process.execPath, ['--no-node-snapshot', CLI_PATH, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: cliEnv(configFile, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 90_000;
    this.exited = new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`wsk ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      this.child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? (signal ? 128 : -1), stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Resolves once stdout matches `pattern`; fails after `timeoutMs` or when the process ends first. */
  async waitForStdout(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`wsk ended before its output matched ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`wsk output did not match ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export type Wsk = (args: readonly string[], options?: WskOptions) => Promise<WskResult>;

/** A `wsk` runner bound to a properties file. */
export function wskWith(configFile: string): Wsk {
  return (args, options = {}) => new WskProcess(args, configFile, options).exited;
}

export interface CliNamespace extends TestNamespace {
  /** A temporary folder: working directory and home of the properties file. */
  dir: string;
  configFile: string;
  wsk: Wsk;
  /** Starts `wsk` without waiting for it. */
  start(args: readonly string[], options?: WskOptions): WskProcess;
  cleanup(): void;
}

/** A fresh namespace on the test platform, with a properties file naming its API host and key. */
export async function cliNamespace(prefix = 'cli'): Promise<CliNamespace> {
  const ns = await freshNamespace(prefix);
  const dir = mkdtempSync(join(tmpdir(), `isowhisk-${prefix}-`));
  const configFile = join(dir, 'wskprops');
  writeFileSync(configFile, `APIHOST=${ns.apiHost}\nAUTH=${ns.apiKey}\n`);
  const wsk = wskWith(configFile);
  return {
    ...ns,
    dir,
    configFile,
    wsk: (args, options = {}) => wsk(args, { cwd: dir, ...options }),
    start: (args, options = {}) => new WskProcess(args, configFile, { cwd: dir, ...options }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A temporary folder with an empty properties file, for runs that need no platform. */
export function scratchConfig(prefix = 'cli'): { dir: string; configFile: string; wsk: Wsk; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `isowhisk-${prefix}-`));
  const configFile = join(dir, 'wskprops');
  const wsk = wskWith(configFile);
  return { dir, configFile, wsk: (args, options = {}) => wsk(args, { cwd: dir, ...options }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The first 32-hex activation id in a text. */
export function activationIdIn(text: string): string {
  const match = /\b([0-9a-f]{32})\b/.exec(text);
  if (!match?.[1]) throw new Error(`no activation id in: ${text}`);
  return match[1];
}
