// The supervisor's restart delays: doubling from 0.5 s to a 30 s cap while crashes follow each other, and back to
// 0.5 s after a run that lasted a stable minute.
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, RestartBackoff } from '../../../deploy/local/restart-backoff.ts';

describe('restart backoff', () => {
  it('doubles from 0.5 s while crashes follow each other, and stays at 30 s', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 10 }, () => backoff.delayAfter(100));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('starts again at 0.5 s after a run of a stable minute, not after a shorter one', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 4; i++) backoff.delayAfter(10);
    assert.equal(backoff.delayAfter(DEFAULT_BACKOFF.stableMs - 1), 8000, 'a run just short of a minute is not stable');
    assert.equal(backoff.delayAfter(DEFAULT_BACKOFF.stableMs), 500);
    assert.equal(backoff.delayAfter(10), 1000);
  });

  it('follows the options it is given', () => {
    const backoff = new RestartBackoff({ initialMs: 10, maxMs: 25, stableMs: 1000 });
    assert.deepEqual([1, 1, 1, 5000, 1].map((uptime) => backoff.delayAfter(uptime)), [10, 20, 25, 10, 20]);
  });
});
