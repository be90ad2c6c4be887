// Telling a running process from a zombie (exited, not reaped) and from a pid that is gone: `npm run status` and
// every pid-file check of the local stack rely on it, since kill(pid, 0) succeeds for a zombie.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { waitFor } from '../../../deploy/local/daemon.ts';
import { isRunning, procStatState, processState } from '../../../deploy/local/process-state.ts';

describe('process state', () => {
  it('reads the state letter after the command name, whatever that name holds', () => {
    assert.equal(procStatState('42 (node) S 1 42 42 0 -1 4194560'), 'S');
    assert.equal(procStatState('42 (a) Z (b)) Z 1 42'), 'Z');
    assert.equal(procStatState('7 (with space) R 1'), 'R');
    assert.equal(procStatState('garbage'), undefined);
  });

  it('this process runs; a pid no process has is gone', () => {
    assert.equal(processState(process.pid), 'running');
    assert.equal(processState(2 ** 22 + 12345), 'gone');
  });

  it('a zombie answers kill(pid, 0) but is not running', async function () {
    if (process.platform !== 'linux') this.skip();
    // `sh` starts a short child, then becomes `sleep`, which never reaps it: the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      await waitFor('the child to become a zombie', async () => (processState(pid) === 'zombie' ? true : undefined), 5_000, 20);
      assert.doesNotThrow(() => process.kill(pid, 0), 'the signal check alone takes it for alive');
      assert.equal(isRunning(pid), false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
