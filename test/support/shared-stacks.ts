// Stacks that several test files share (the fault-injection stack, test/support/fault-suite.ts). The first file that
// needs one starts it; the root hooks (hooks.ts) stop it as soon as a test of a file it does not serve runs, and at
// the end of the run, so starting it is paid once per run and no more than one such stack runs beside the test stack.

export interface SharedStack {
  /** Names it in logs. */
  readonly name: string;
  /** Whether the test file (mocha's `test.file`) uses this stack. */
  serves(file: string | undefined): boolean;
  stop(): Promise<void>;
}

const running = new Set<SharedStack>();

/** Called once the stack runs, so the root hooks stop it in time. */
export function sharedStackStarted(stack: SharedStack): void {
  running.add(stack);
}

/** Called by a stack that stopped itself (nothing left to stop). */
export function sharedStackStopped(stack: SharedStack): void {
  running.delete(stack);
}

/** Stops every running shared stack that does not serve `file` (the next test's file). */
export async function stopSharedStacksNotServing(file: string | undefined): Promise<void> {
  for (const stack of [...running]) {
    if (stack.serves(file)) continue;
    running.delete(stack);
    await stack.stop();
  }
}

/** Stops every shared stack still running (end of the run). */
export async function stopSharedStacks(): Promise<void> {
  await stopSharedStacksNotServing(undefined);
}
