// deploy/docker/podman-host.sh, run with a PATH of stand-ins: without root or password-less sudo it names the Debian
// packages the image build lacks in the one command to run, and stops instead of installing anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../deploy/local/layout.ts';

const SCRIPT = join(PROJECT_ROOT, 'deploy', 'docker', 'podman-host.sh');

/** Runs the script as a non-root user on a PATH holding only the named programs (and `id`). */
function runWith(programs: string[]): { status: number | null; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), 'iw-podman-host-'));
  try {
    for (const name of [...programs, 'id']) {
      writeFileSync(join(bin, name), name === 'id' ? '#!/bin/sh\necho 1000\n' : '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, name), 0o755);
    }
    const run = spawnSync('/bin/bash', [SCRIPT], { env: { PATH: bin }, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('podman on the host, for the image build', () => {
  it('without root or sudo, prints the one apt-get command naming what is missing, and stops', () => {
    const { status, stderr } = runWith(['podman', 'apt-get']);
    assert.equal(status, 1);
    assert.match(stderr, /sudo apt-get install -y --no-install-recommends runc mmdebstrap\n/);
  });

  it('installs nothing it finds, and asks for nothing', () => {
    const { stderr } = runWith(['podman', 'runc', 'mmdebstrap']);
    assert.doesNotMatch(stderr, /apt-get/);
  });
});
