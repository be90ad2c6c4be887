// Root hooks for every mocha run: before each test, the shared stacks its file does not use are stopped
// (shared-stacks.ts); after the last suite they are stopped too, and so is the test stack if the run used it, so a run
// leaves no processes behind (and a run of unit tests leaves alone a stack another run is using).
// ISOWHISK_KEEP_STACK=1 keeps the test stack up, which makes the next run start in seconds.
import { stopSharedStacks, stopSharedStacksNotServing } from './shared-stacks.ts';
import { TEST_LAYOUT, usedTestStack } from './stack.ts';

export const mochaHooks = {
  async beforeEach(this: Mocha.Context): Promise<void> {
    this.timeout(90_000);
    await stopSharedStacksNotServing(this.currentTest?.file);
  },

  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    await stopSharedStacks();
    if (process.env.ISOWHISK_KEEP_STACK === '1' || !usedTestStack()) return;
    const { stopStack } = await import('../../deploy/local/stack.ts');
    await stopStack(TEST_LAYOUT);
  },
};
