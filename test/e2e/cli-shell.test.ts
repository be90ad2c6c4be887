// The `wsk` CLI as a shell user meets it: its own banner on --help, a reader that stops early (`| head -5`) ends
// it quietly, the launcher (cli/bin/wsk) runs it through a symlink from any folder under the project's Node, and
// `activation trace` asks again while the trace backend has no spans yet.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BANNER } from '../../cli/main.ts';
import { CLI_PATH, cliNamespace, scratchConfig, type CliNamespace } from '../support/cli.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LAUNCHER = join(ROOT, 'cli', 'bin', 'wsk');
const CACHED_NODE = join(ROOT, '.cache', 'node', 'node_modules', 'node', 'bin', 'node');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the CLI with the read end of one of its pipes closed before it writes anything, as `| head` does once it has
 * read enough: every write to that stream then fails with EPIPE.
 */
function runWithClosedPipe(args: readonly string[], closed: 'stdout' | 'stderr', env: NodeJS.ProcessEnv): Promise<Ended> {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  if (closed === 'stdout') {
    child.stdout.destroy();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  } else {
    child.stderr.destroy();
    child.stdout.resume();
  }
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stderr }));
  });
}

const KEY = `11111111-2222-3333-4444-555555555555:${'k'.repeat(64)}`;

/** A stand-in for the API on a loopback port, recording the paths asked for. */
async function fakeApi(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function cliEnv(configFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WSK_CONFIG_FILE: configFile, NO_COLOR: '1' };
  delete env.WHISK_AUTH;
  delete env.WHISK_APIHOST;
  return env;
}

describe('wsk CLI: in the shell', function () {
  this.timeout(60_000);

  describe('without a platform', () => {
    let scratch: ReturnType<typeof scratchConfig>;
    beforeEach(() => (scratch = scratchConfig('cli-shell')));
    afterEach(() => scratch.cleanup());

    it("--help opens with Isowhisk's banner, not OpenWhisk's logo, and keeps wsk's usage", async () => {
      const help = await scratch.wsk(['--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.ok(help.stdout.startsWith(BANNER), help.stdout);
      assert.match(BANNER, /an OpenWhisk-compatible function platform/);
      assert.doesNotMatch(help.stdout, /\btm\b/, 'no trademark logo');
      assert.doesNotMatch(help.stdout, /_ __   ___ _ __ /, "no line of OpenWhisk's ASCII logo");
      assert.match(help.stdout, /Usage: wsk \[command\]/);
      assert.match(help.stdout, /action\s+work with actions/);
      // subcommands show no banner
      assert.ok(!(await scratch.wsk(['action', '--help'])).stdout.includes(BANNER));
    });

    it('exits quietly with 0 when the reader of stdout has gone', async () => {
      // an API that lists three activations: the table is written after the answer arrives, to a closed pipe
      const records = [1, 2, 3].map((n) => ({ activationId: String(n).repeat(32), name: 'hello', namespace: 'ns', start: 1, end: 2, version: '0.0.1', annotations: [] }));
      const api = await fakeApi((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.url?.startsWith('/api/v1/namespaces/_/activations') ? records : {}));
      });
      try {
        writeFileSync(scratch.configFile, `APIHOST=${api.url}\nAUTH=${KEY}\n`);
        const ended = await runWithClosedPipe(['activation', 'list'], 'stdout', cliEnv(scratch.configFile));
        assert.deepEqual(ended, { code: 0, signal: null, stderr: '' });
        assert.equal(api.requests.length, 1);
      } finally {
        await api.close();
      }
    });

    it('exits quietly with 0 when the reader of stderr has gone', async () => {
      // no API host configured: the command's error goes to stderr
      const ended = await runWithClosedPipe(['action', 'list'], 'stderr', cliEnv(scratch.configFile));
      assert.deepEqual([ended.code, ended.signal], [0, null]);
    });

    it('trace asks again while the API answers that the trace is not in the backend yet', async () => {
      const id = 'a'.repeat(32);
      const trace = {
        traceID: 'b'.repeat(32),
        spans: [{ spanID: 'c'.repeat(16), operationName: 'run', startTime: 1_000_000, duration: 2_000, processID: 'p1', references: [] }],
        processes: { p1: { serviceName: 'isowhisk-invoker' } },
      };
      const api = await fakeApi((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === `/api/v1/namespaces/_/activations/${id}/trace` && api.requests.length >= 3) {
          res.end(JSON.stringify(trace));
        } else if (req.url === `/api/v1/namespaces/_/activations/${id}/trace`) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: `The trace of activation ${id} is not in the trace backend (yet); try again later.`, code: 'r1' }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: 'The requested resource does not exist.', code: 'r2' }));
        }
      });
      const asked = api.requests;
      try {
        writeFileSync(scratch.configFile, `APIHOST=${api.url}\nAUTH=${KEY}\n`);
        const res = await scratch.wsk(['activation', 'trace', id]);
        assert.equal(res.code, 0, res.stderr);
        assert.equal(asked.length, 3, 'two answers "not yet", then the trace');
        assert.match(res.stdout, new RegExp(`^trace ${'b'.repeat(32)} \\(1 spans, 2\\.0 ms\\)\\n`));

        // a trace that can never come (no such activation) fails at once, with wsk's exit code for 404
        asked.length = 0;
        const missing = await scratch.wsk(['activation', 'trace', 'f'.repeat(32)]);
        assert.equal(missing.code, 148);
        assert.equal(asked.length, 1);
        assert.match(missing.stderr, /^error: Unable to get the trace of activation 'f{32}': The requested resource does not exist\. \(code r2\)\n$/);
      } finally {
        await api.close();
      }
    });
  });

  describe('the launcher, cli/bin/wsk', () => {
    let dirs: string[] = [];
    const tempDir = (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), `isowhisk-${prefix}-`));
      dirs.push(dir);
      return dir;
    };
    afterEach(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      dirs = [];
    });

    function launch(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      return new Promise((r, reject) => {
        child.on('error', reject);
        child.on('close', (code) => r({ code, stdout, stderr }));
      });
    }

    it('is what package.json installs as `wsk`, and is executable', () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      assert.equal(pkg.bin.wsk, 'cli/bin/wsk');
      accessSync(LAUNCHER, constants.X_OK);
      assert.match(readFileSync(LAUNCHER, 'utf8'), /^#!\/bin\/sh\n/);
    });

    it("runs through a chain of symlinks from another folder, keeping the caller's working directory", async () => {
      const bin = tempDir('bin');
      symlinkSync(LAUNCHER, join(bin, 'wsk-real'));
      symlinkSync('wsk-real', join(bin, 'wsk')); // relative link to a link
      const work = tempDir('work');
      const scratch = scratchConfig('launcher');
      try {
        const env = { ...cliEnv(scratch.configFile) };
        const help = await launch(join(bin, 'wsk'), ['--help'], work, env);
        assert.equal(help.code, 0, help.stderr);
        assert.ok(help.stdout.startsWith(BANNER));
        // `sdk install bashauto` writes into the working directory: the caller's, not the project's
        const installed = await launch(join(bin, 'wsk'), ['sdk', 'install', 'bashauto'], work, env);
        assert.equal(installed.code, 0, installed.stderr);
        assert.ok(existsSync(join(work, 'wsk_cli_bash_completion.sh')));
        assert.ok(!existsSync(join(ROOT, 'wsk_cli_bash_completion.sh')));
      } finally {
        scratch.cleanup();
      }
    });

    it("uses the project's Node 24 when the node on PATH is older", async function () {
      if (!existsSync(CACHED_NODE)) this.skip(); // the project's Node exists only where the system's is older than 24
      const fakeBin = tempDir('old-node');
      // a node that says it is version 20 and can run nothing
      writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\necho 20\n', { mode: 0o755 });
      const bin = tempDir('bin');
      symlinkSync(LAUNCHER, join(bin, 'wsk'));
      const work = tempDir('work');
      mkdirSync(join(work, 'sub'));
      const scratch = scratchConfig('launcher');
      try {
        const env = { ...cliEnv(scratch.configFile), PATH: `${fakeBin}:/usr/bin:/bin` };
        const res = await launch(join(bin, 'wsk'), ['property', 'get', '--cliversion'], join(work, 'sub'), env);
        assert.equal(res.code, 0, res.stderr);
        assert.match(res.stdout, /^whisk CLI version\s+isowhisk-/);
      } finally {
        scratch.cleanup();
      }
    });
  });

  describe('against the platform', () => {
    let ns: CliNamespace;
    before(async function () {
      this.timeout(180_000); // the first suite to run starts the platform
      ns = await cliNamespace('clishell');
      writeFileSync(join(ns.dir, 'hello.js'), "function main() { return { hello: 'world' }; }\n");
    });
    after(() => ns?.cleanup());

    it('`activation list | head` ends quietly; `activation trace --last` right after an invoke prints the trace', async () => {
      assert.equal((await ns.wsk(['action', 'create', 'hello', 'hello.js'])).code, 0);
      for (let i = 0; i < 3; i++) assert.equal((await ns.wsk(['action', 'invoke', 'hello', '--blocking'])).code, 0);

      const listed = await runWithClosedPipe(['activation', 'list'], 'stdout', cliEnv(ns.configFile));
      assert.deepEqual(listed, { code: 0, signal: null, stderr: '' });

      const trace = await ns.wsk(['activation', 'trace', '--last']);
      assert.equal(trace.code, 0, trace.stderr);
      assert.match(trace.stdout, /^trace [0-9a-f]{32} \(\d+ spans, \d+\.\d ms\)\n/);
    });
  });
});
