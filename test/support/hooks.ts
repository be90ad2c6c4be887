// Root hooks for every mocha run: after the last suite, the test stack is stopped if the run used it, so a run
// leaves no processes behind (and a run of unit tests leaves alone a stack another run is using).
// ISOWHISK_KEEP_STACK=1 keeps it up, which makes the next run start in seconds.
import { TEST_LAYOUT, usedTestStack } from './stack.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    if (process.env.ISOWHISK_KEEP_STACK === '1' || !usedTestStack()) return;
    this.timeout(60_000);
    const { stopStack } = await import('../../deploy/local/stack.ts');
    await stopStack(TEST_LAYOUT);
  },
};
