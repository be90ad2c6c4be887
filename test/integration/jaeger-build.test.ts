// The background Jaeger build of a first `npm start` (deploy/local/jaeger-build.ts, jaeger-builder.ts), with the real
// builder process and the real Jaeger binary, but no compiling: the Jaeger cache folder is a fresh one
// (ISOWHISK_JAEGER_CACHE_DIR) whose build lock this test holds, as a build under way in another process would. The
// builder waits for that build, `status` shows its progress, and once the binary appears the builder starts this
// layout's Jaeger and exits. `npm stop` (stopStack) stops a builder that is still waiting.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, logTail, waitFor } from '../../deploy/local/daemon.ts';
import { jaegerBuilderDaemon, jaegerBuilderPid, jaegerBuildStatus, startJaegerBuild } from '../../deploy/local/jaeger-build.ts';
import { type BuildProgress, ensureJaegerBinary, JAEGER_VERSION, jaegerBuildState, jaegerEndpoints, jaegerPid, stopJaeger } from '../../deploy/local/jaeger.ts';
import { stopStack } from '../../deploy/local/stack.ts';
import { ownStackLayout } from '../support/stack.ts';

const layout = ownStackLayout('jaeger-build', 700);
const STARTED_AT = Date.parse('2026-01-01T00:00:00Z');

describe('background Jaeger build', function () {
  this.timeout(5 * 60_000);
  let realBinary: string;
  let cache: string;
  let versionDir: string;
  const savedCacheDir = process.env.ISOWHISK_JAEGER_CACHE_DIR;

  /** Pretends this process is building Jaeger: the lock names it, and the progress file says how far it got. */
  function holdBuildLock(progress: Partial<BuildProgress>): void {
    mkdirSync(versionDir, { recursive: true });
    writeFileSync(join(versionDir, 'build.lock'), `${process.pid}\n`);
    const now = Date.now();
    const full: BuildProgress = { pid: process.pid, startedAt: STARTED_AT, updatedAt: now, step: '3/3', phase: 'compiling', count: 0, unit: 'packages compiled', lastLine: '', ...progress };
    writeFileSync(join(versionDir, 'build-progress.json'), JSON.stringify(full));
  }

  before(async () => {
    realBinary = await ensureJaegerBinary(); // the project's own, built by `npm test`'s provision
  });

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'isowhisk-jaeger-cache-'));
    versionDir = join(cache, JAEGER_VERSION);
    process.env.ISOWHISK_JAEGER_CACHE_DIR = cache; // read by this process and inherited by the builder it starts
  });

  afterEach(async () => {
    await stopStack(layout);
    if (savedCacheDir === undefined) delete process.env.ISOWHISK_JAEGER_CACHE_DIR;
    else process.env.ISOWHISK_JAEGER_CACHE_DIR = savedCacheDir;
    rmSync(cache, { recursive: true, force: true });
    rmSync(layout.runDir, { recursive: true, force: true }); // each case reads the builder's log from its own start
  });

  it('waits for the build under way, shows its progress, then starts Jaeger and exits', async () => {
    holdBuildLock({ count: 812, total: 2095, lastLine: 'github.com/jaegertracing/jaeger/cmd/jaeger' });
    assert.equal(jaegerBuildState().state, 'building');
    const builder = startJaegerBuild(layout);

    const status = jaegerBuildStatus(layout, STARTED_AT + 65_000) ?? '';
    assert.match(status, /^NOT running: being built, compiling \(step 3\/3\): 812 of about 2095 packages compiled, 1 min 05 s elapsed/);
    assert.match(status, new RegExp(`by pid ${process.pid} for another stack; this stack's builder ${builder} waits for it`));
    assert.match(status, /tail -f \.run\/.*jaeger-build\.log/);

    // The build "finishes": the binary appears whole (renamed into place, as a real build does) and the lock goes.
    copyFileSync(realBinary, join(versionDir, 'jaeger.tmp'));
    chmodSync(join(versionDir, 'jaeger.tmp'), 0o755);
    renameSync(join(versionDir, 'jaeger.tmp'), join(versionDir, 'jaeger'));
    rmSync(join(versionDir, 'build.lock'));

    await waitFor('the builder to exit', async () => (isAlive(builder) ? undefined : true), 120_000, 200);
    const pid = jaegerPid(layout) ?? assert.fail('the builder started no Jaeger');
    const res = await fetch(`${jaegerEndpoints(layout).uiUrl}/api/services`);
    assert.equal(res.status, 200, `Jaeger (pid ${pid}) answers`);
    assert.equal(jaegerBuilderPid(layout), undefined);
    assert.equal(jaegerBuildStatus(layout), undefined, 'status shows the running Jaeger, not the build');
  });

  it('reports a failed build with its reason', () => {
    holdBuildLock({ pid: 999_999_999, failed: 'building Jaeger v2.13.0 failed at step 2/3 (downloading modules; exit code 1)' });
    rmSync(join(versionDir, 'build.lock'));
    assert.equal(jaegerBuildState().state, 'failed');
    assert.match(jaegerBuildStatus(layout) ?? '', /^NOT running: the build failed: building Jaeger v2\.13\.0 failed at step 2\/3/);
  });

  it('npm stop stops a builder that is still waiting, and no Jaeger starts after', async () => {
    holdBuildLock({});
    const builder = startJaegerBuild(layout);
    await waitFor('the builder to wait for the build', async () => (logTail(jaegerBuilderDaemon(layout)).includes('waiting for the Jaeger build') ? true : undefined), 60_000, 100);
    const stopped = await stopStack(layout);
    assert.ok(stopped.includes('jaeger-build'), `stopped: ${stopped.join(', ')}`);
    assert.equal(isAlive(builder), false);
    assert.equal(jaegerPid(layout), undefined);
    assert.match(jaegerBuildStatus(layout) ?? '', new RegExp(`^stopped \\(a build of Jaeger for another stack runs: pid ${process.pid}`));
    // With that build gone too, status says where this stack's builder stopped.
    rmSync(join(versionDir, 'build.lock'));
    rmSync(join(versionDir, 'build-progress.json'));
    assert.match(jaegerBuildStatus(layout) ?? '', /^stopped \(the Jaeger builder's last line: isowhisk: waiting for the Jaeger build under way/);
    await stopJaeger(layout);
  });
});
