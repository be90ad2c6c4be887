// What the caller of an activation the controller runs itself (a sequence, a composition) gets back: the id at
// once, and the record when it is done, or undefined when a blocking caller's wait runs out first (the run goes on
// and its record appears later), as for an activation run by an invoker.
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationStarted } from '../entities/activator.ts';

export function controllerRun(
  activationId: string,
  recorded: Promise<ActivationRecord>,
  wait: { blocking: boolean; waitMs: number },
  onError: (err: unknown) => void,
): ActivationStarted {
  const done = recorded.then(
    (record) => record,
    (err: unknown) => {
      onError(err);
      return undefined;
    },
  );
  if (!wait.blocking) return { activationId, result: done };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, wait.waitMs, undefined)));
  return { activationId, result: Promise.race([done, expired]).finally(() => clearTimeout(timer)) };
}
