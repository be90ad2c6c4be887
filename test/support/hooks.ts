// Root hooks for every mocha run: after the last suite, the test stack is stopped, so a run leaves no
// processes behind. ISOWHISK_KEEP_STACK=1 keeps it up, which makes the next run start in seconds.
import { TEST_LAYOUT } from './stack.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    if (process.env.ISOWHISK_KEEP_STACK === '1') return;
    this.timeout(60_000);
    const { stopStack } = await import('../../deploy/local/stack.ts');
    await stopStack(TEST_LAYOUT);
  },
};
