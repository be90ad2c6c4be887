// What the caller of an activation the controller runs itself (a sequence, a composition) gets back: the id at
// once, and the record when it is done, or undefined when a blocking caller's wait runs out first (the run goes on
// and its record appears later), as for an activation run by an invoker. A run nested in another (it has a scope)
// is always waited for to its end: its caller's own limits bound it.
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { activeTraceId } from '../../shared/tracing.ts';
import type { Identity } from '../../shared/identity.ts';
import type { ActionDoc } from '../entities/models/action.ts';
import type { ActivationStarted } from '../activator/activator.ts';
import type { RunScope } from './run-scope.ts';

export function controllerRun(
  activationId: string,
  recorded: Promise<ActivationRecord>,
  wait: { blocking: boolean; waitMs: number; scope?: RunScope },
  onError: (err: unknown) => void,
): ActivationStarted {
  const done = recorded.then(
    (record) => record,
    (err: unknown) => {
      onError(err);
      return undefined;
    },
  );
  if (!wait.blocking || wait.scope) return { activationId, result: done };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, wait.waitMs, undefined)));
  return { activationId, result: Promise.race([done, expired]).finally(() => clearTimeout(timer)) };
}

export interface ControllerRunRecord {
  identity: Identity;
  action: Pick<ActionDoc, 'name' | 'version' | 'publish'>;
  activationId: string;
  start: number;
  cause?: string;
  response: StoredActivationResponse;
  /** The activation ids of the runs it made. */
  logs: string[];
  annotations: Annotation[];
  /** The sum of its runs' durations. */
  duration: number;
}

/** The record of a run the controller made, ending now, with the active trace's id among its annotations. */
export function controllerRunRecord(run: ControllerRunRecord): ActivationRecord {
  const traceId = activeTraceId();
  return {
    namespace: run.identity.namespace,
    name: run.action.name,
    subject: run.identity.subject,
    activationId: run.activationId,
    start: run.start,
    end: Date.now(),
    ...(run.cause !== undefined ? { cause: run.cause } : {}),
    response: run.response,
    logs: run.logs,
    version: run.action.version,
    publish: run.action.publish,
    annotations: traceId ? [...run.annotations, { key: 'traceId', value: traceId }] : run.annotations,
    duration: run.duration,
  };
}
