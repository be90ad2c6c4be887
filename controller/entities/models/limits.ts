// System limits (configuration), how a namespace's own limits (shared/namespace-limits.ts, stored in Redis like
// OpenWhisk's `<ns>/limits` document) apply over them, and the checks OpenWhisk applies to an action's limits (`E/*Limit.scala`, `E/Identity.scala`).
// Units follow OpenWhisk: memory and logs in MB, timeouts in ms, byte sizes in bytes.
import { BadRequestError } from '../../../shared/errors.ts';
import type { ActionLimits } from '../../../shared/action-doc.ts';
import { formatByteSize, type NamespaceLimitOverrides, parseByteSize } from '../../../shared/namespace-limits.ts';

export interface Range {
  min: number;
  max: number;
  /** The value an action gets when it does not set one. */
  std: number;
}

export interface SystemLimits {
  invocationsPerMinute: number;
  concurrentInvocations: number;
  firesPerMinute: number;
  sequenceMaxLength: number;
  /** Action memory in MB. */
  actionMemory: Range;
  /** Action timeout in ms. */
  actionTimeout: Range;
  /** Action log size in MB. */
  actionLogs: Range;
  /** Activations one isolate may process at once. */
  actionConcurrency: Range;
  /** Bytes allowed for an entity's parameters, and separately for its annotations. */
  maxParameterSize: number;
  /** Bytes allowed in an invoke or fire request body. */
  maxPayloadSize: number;
  /** Bytes allowed for an action's code (`exec`). */
  maxExecSize: number;
  /** Longest blocking wait (ms), also the bound of `?timeout=`. */
  maxWaitForBlockingActivation: number;
  /** Kafka feeds one namespace may have at once. */
  feedsPerNamespace: number;
}

const MB = 1024 * 1024;

/** OpenWhisk's shipped defaults (`reference.conf`, `ActionLimits.scala`). */
export const DEFAULT_LIMITS: SystemLimits = {
  invocationsPerMinute: 60,
  concurrentInvocations: 30,
  firesPerMinute: 60,
  sequenceMaxLength: 50,
  actionMemory: { min: 128, max: 512, std: 256 },
  actionTimeout: { min: 100, max: 300_000, std: 60_000 },
  actionLogs: { min: 0, max: 10, std: 10 },
  actionConcurrency: { min: 1, max: 1, std: 1 },
  maxParameterSize: MB,
  maxPayloadSize: MB,
  maxExecSize: 48 * MB,
  maxWaitForBlockingActivation: 60_000,
  feedsPerNamespace: 10,
};

/** The limits in force for one namespace: overrides applied within the system's bounds. */
export interface EffectiveLimits {
  invocationsPerMinute: number;
  concurrentInvocations: number;
  firesPerMinute: number;
  memory: { min: number; max: number };
  timeout: { min: number; max: number };
  logs: { min: number; max: number };
  concurrency: { min: number; max: number };
  maxParameterSize: number;
  maxPayloadSize: number;
  allowedKinds: string[] | undefined;
  storeActivations: boolean | undefined;
  maxFeeds: number;
}

const atMost = (value: number | undefined, bound: number) => (value === undefined ? bound : Math.min(value, bound));
const atLeast = (value: number | undefined, bound: number) => (value === undefined ? bound : Math.max(value, bound));

export function effectiveLimits(system: SystemLimits, o: NamespaceLimitOverrides = {}): EffectiveLimits {
  const bytes = (text: string | undefined) => (text === undefined ? undefined : parseByteSize(text));
  return {
    invocationsPerMinute: o.invocationsPerMinute ?? system.invocationsPerMinute,
    concurrentInvocations: o.concurrentInvocations ?? system.concurrentInvocations,
    firesPerMinute: o.firesPerMinute ?? system.firesPerMinute,
    memory: { min: atLeast(o.minActionMemory, system.actionMemory.min), max: atMost(o.maxActionMemory, system.actionMemory.max) },
    timeout: { min: atLeast(o.minActionTimeout, system.actionTimeout.min), max: atMost(o.maxActionTimeout, system.actionTimeout.max) },
    logs: { min: atLeast(o.minActionLogs, system.actionLogs.min), max: atMost(o.maxActionLogs, system.actionLogs.max) },
    concurrency: {
      min: atLeast(o.minActionConcurrency, system.actionConcurrency.min),
      max: atMost(o.maxActionConcurrency, system.actionConcurrency.max),
    },
    maxParameterSize: atMost(bytes(o.maxParameterSize), system.maxParameterSize),
    maxPayloadSize: atMost(bytes(o.maxPayloadSize), system.maxPayloadSize),
    allowedKinds: o.allowedKinds,
    storeActivations: o.storeActivations,
    maxFeeds: o.maxFeeds ?? system.feedsPerNamespace,
  };
}

/** The body of `GET /namespaces/{ns}/limits` (`CTL/Limits.scala`): effective values plus stored extras. */
export function limitsResponse(system: SystemLimits, o: NamespaceLimitOverrides): Record<string, unknown> {
  const e = effectiveLimits(system, o);
  const body: Record<string, unknown> = {
    invocationsPerMinute: e.invocationsPerMinute,
    concurrentInvocations: e.concurrentInvocations,
    firesPerMinute: e.firesPerMinute,
  };
  if (o.allowedKinds !== undefined) body.allowedKinds = o.allowedKinds;
  if (o.storeActivations !== undefined) body.storeActivations = o.storeActivations;
  Object.assign(body, {
    minActionMemory: e.memory.min,
    maxActionMemory: e.memory.max,
    minActionLogs: e.logs.min,
    maxActionLogs: e.logs.max,
    minActionTimeout: e.timeout.min,
    maxActionTimeout: e.timeout.max,
    minActionConcurrency: e.concurrency.min,
    maxActionConcurrency: e.concurrency.max,
    maxParameterSize: formatByteSize(e.maxParameterSize),
  });
  if (o.maxPayloadSize !== undefined) body.maxPayloadSize = o.maxPayloadSize;
  if (o.truncationSize !== undefined) body.truncationSize = o.truncationSize;
  body.maxActionInstances = o.maxActionInstances ?? e.concurrentInvocations;
  body.maxFeeds = e.maxFeeds;
  return body;
}

/** An action's limits as stored and as the API shows them. */
export type { ActionLimits };

export type ActionLimitsInput = Partial<ActionLimits>;

export function defaultActionLimits(system: SystemLimits): ActionLimits {
  return {
    timeout: system.actionTimeout.std,
    memory: system.actionMemory.std,
    logs: system.actionLogs.std,
    concurrency: system.actionConcurrency.std,
  };
}

/**
 * Checks the limits given in a PUT against the namespace's bounds, in OpenWhisk's order (memory, timeout, logs,
 * concurrency), with OpenWhisk's messages. `instances` is checked separately (`checkInstanceLimit`), later in
 * the PUT, as OpenWhisk does.
 */
export function checkActionLimits(input: ActionLimitsInput | undefined, limits: EffectiveLimits): void {
  if (!input) return;
  const { memory, timeout, logs, concurrency } = input;
  if (memory !== undefined) {
    if (memory > limits.memory.max) throw new BadRequestError(`memory size ${memory} MB exceeds allowed threshold of ${limits.memory.max} MB`);
    if (memory < limits.memory.min) throw new BadRequestError(`memory size ${memory} MB below allowed threshold of ${limits.memory.min} MB`);
  }
  if (timeout !== undefined) {
    if (timeout > limits.timeout.max) {
      throw new BadRequestError(`duration ${timeout} milliseconds exceeds allowed threshold of ${limits.timeout.max} milliseconds`);
    }
    if (timeout < limits.timeout.min) {
      throw new BadRequestError(`duration ${timeout} milliseconds below allowed threshold of ${limits.timeout.min} milliseconds`);
    }
  }
  if (logs !== undefined) {
    if (logs > limits.logs.max) throw new BadRequestError(`log size ${logs} MB exceeds allowed threshold of ${limits.logs.max} MB`);
    if (logs < limits.logs.min) throw new BadRequestError(`log size ${logs} MB below allowed threshold of ${limits.logs.min} MB`);
  }
  if (concurrency !== undefined) {
    if (concurrency > limits.concurrency.max) {
      throw new BadRequestError(`concurrency ${concurrency} exceeds allowed threshold of ${limits.concurrency.max}`);
    }
    if (concurrency < limits.concurrency.min) {
      throw new BadRequestError(`concurrency ${concurrency} below allowed threshold of ${limits.concurrency.min}`);
    }
  }
}

/** `instances` may not exceed the namespace's concurrent invocations. */
export function checkInstanceLimit(input: ActionLimitsInput | undefined, limits: EffectiveLimits): void {
  const instances = input?.instances;
  if (instances !== undefined && instances > limits.concurrentInvocations) {
    throw new BadRequestError(
      `Max action instance concurrency must not exceed your namespace concurrency of ${limits.concurrentInvocations}.`,
    );
  }
}

/** Field-by-field merge of a PUT's limits over the old (or default) limits. */
export function mergeActionLimits(base: ActionLimits, input: ActionLimitsInput | undefined): ActionLimits {
  if (!input) return base;
  const merged: ActionLimits = {
    timeout: input.timeout ?? base.timeout,
    memory: input.memory ?? base.memory,
    logs: input.logs ?? base.logs,
    concurrency: input.concurrency ?? base.concurrency,
  };
  const instances = input.instances ?? base.instances;
  if (instances !== undefined) merged.instances = instances;
  return merged;
}
