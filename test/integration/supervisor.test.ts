// The local launcher's supervisor with small stand-in programs in a folder of their own (no platform needed): a
// crash is restarted with backoff and logged with its reason (an uncaught error's stack, V8's out-of-memory
// "FATAL ERROR"), the restart count reaches the new process, a deliberate stop restarts nothing, and a
// configuration error is not retried.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, logFile, runningPid, waitFor } from '../../deploy/local/daemon.ts';
import { isSupervised, readState, startSupervised, stopSupervised, supervisorDaemon } from '../../deploy/local/supervision.ts';
import { EX_CONFIG } from '../../shared/config.ts';

describe('supervisor (local launcher)', function () {
  this.timeout(30_000);
  let dir: string;
  const specs: Array<{ name: string; runDir: string }> = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'isowhisk-supervisor-'));
  });
  after(async () => {
    for (const spec of specs) await stopSupervised(spec);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A supervised node program; `code` runs with ISOWHISK_PROCESS_RESTARTS in its environment. */
  const supervise = async (name: string, code: string, nodeArgs: string[] = []) => {
    const script = join(dir, `${name}.mjs`);
    writeFileSync(script, code);
    const spec = { name, runDir: join(dir, name) };
    specs.push(spec);
    const pid = await startSupervised({ ...spec, command: process.execPath, args: [...nodeArgs, script], env: { ...process.env, ISOWHISK_PROCESS_RESTARTS: '' } });
    return { spec, pid, log: () => readFileSync(logFile(spec), 'utf8') };
  };

  it('restarts a process that crashed with an uncaught error, with its stack and the restart in its log', async () => {
    // Crashes on its first run, then stays up.
    const { spec, pid, log } = await supervise(
      'crasher',
      `const n = Number(process.env.ISOWHISK_PROCESS_RESTARTS);
       console.log('run', n);
       if (n === 0) setTimeout(() => { throw new Error('deliberate crash 7f3a'); }, 50);
       else setInterval(() => {}, 1000);`,
    );
    const second = await waitFor('the restarted process', async () => {
      const now = runningPid(spec);
      return now !== undefined && now !== pid ? now : undefined;
    }, 10_000, 20);
    assert.ok(!isAlive(pid), 'the crashed process is gone, not a zombie');
    await waitFor('the second run to log', async () => (log().includes('run 1') ? true : undefined), 5_000, 20);
    const text = log();
    assert.match(text, /Error: deliberate crash 7f3a\n\s+at /, 'the stack trace of the crash');
    assert.match(text, /"msg":"crasher exited with code 1 after \d+ ms; restart 1 in 500 ms"/);
    assert.deepEqual({ restarts: readState(spec)?.restarts, code: readState(spec)?.lastExit?.code }, { restarts: 1, code: 1 });
    assert.ok(isAlive(second));
  });

  it("shows V8's out-of-memory FATAL ERROR in the log, and restarts", async () => {
    const { spec, pid, log } = await supervise(
      'oom',
      `if (process.env.ISOWHISK_PROCESS_RESTARTS === '0') { const a = []; for (;;) a.push(new Array(1e5).fill(Math.random())); }
       setInterval(() => {}, 1000);`,
      ['--max-old-space-size=16'],
    );
    await waitFor('the restart', async () => { const now = runningPid(spec); return now !== undefined && now !== pid ? true : undefined; }, 20_000, 50);
    assert.match(log(), /FATAL ERROR: .*JavaScript heap out of memory/);
    assert.match(log(), /"msg":"oom killed by SIGABRT after \d+ ms; restart 1 in 500 ms"|"msg":"oom exited with code \d+ after/);
  });

  it('a deliberate stop stops the process and its supervisor, with no restart', async () => {
    const { spec, pid, log } = await supervise('steady', 'process.on("SIGTERM", () => { console.log("clean exit"); process.exit(0); }); console.log("ready"); setInterval(() => {}, 1000);');
    await waitFor('the process to be ready', async () => (log().includes('ready') ? true : undefined), 5_000, 20);
    const supervisor = runningPid(supervisorDaemon(spec));
    assert.ok(supervisor !== undefined && isSupervised(spec));
    assert.equal(await stopSupervised(spec), true);
    assert.ok(!isAlive(pid) && !isAlive(supervisor), 'both gone (and reaped)');
    assert.equal(runningPid(spec), undefined);
    assert.match(log(), /clean exit/);
    assert.equal(readState(spec)?.restarts, 0);
    assert.doesNotMatch(log(), /restart 1/);
  });

  it('does not retry a process that exits with EX_CONFIG', async () => {
    const { spec, log } = await supervise('misconfigured', `console.error('ISOWHISK_X must be a number'); process.exit(${EX_CONFIG});`);
    await waitFor('the supervisor to give up', async () => (isSupervised(spec) ? undefined : true), 10_000, 20);
    assert.match(log(), /ISOWHISK_X must be a number/);
    assert.match(log(), /exited with code 78: its configuration is invalid/);
    assert.equal(readState(spec)?.restarts, 0);
  });
});
