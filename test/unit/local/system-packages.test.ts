// deploy/local/system-packages.sh, run with a PATH of stand-ins: it names the Debian packages a machine lacks and,
// without root or password-less sudo, prints the one command to run and stops instead of installing anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../deploy/local/layout.ts';

const SCRIPT = join(PROJECT_ROOT, 'deploy', 'local', 'system-packages.sh');

/** Runs the script as a non-root user on a PATH holding only the named programs (and `id`). */
function runWith(programs: string[]): { status: number | null; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), 'iw-syspkg-'));
  try {
    for (const name of programs) {
      writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 1000\n');
    chmodSync(join(bin, 'id'), 0o755);
    const run = spawnSync('/bin/bash', [SCRIPT], { env: { PATH: bin }, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('system packages for the local stack', () => {
  it('does nothing when every program is there', () => {
    assert.deepEqual(runWith(['redis-server', 'java', 'mvn', 'zip', 'npm']), { status: 0, stderr: '' });
  });

  it('without root or sudo, prints the one apt-get command naming what is missing, and stops', () => {
    const { status, stderr } = runWith(['java', 'zip', 'npm']);
    assert.equal(status, 1);
    assert.match(stderr, /sudo apt-get install -y --no-install-recommends redis-server maven\n/);
  });
});
