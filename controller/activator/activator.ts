// The seam between the HTTP API and whatever runs activations (load balancer → Kafka → invoker → completion).
// The invoke route builds an `ActivationPlan` and hands it to `Activator.activate`; everything after that —
// choosing an invoker, publishing, waiting for the completion, writing a record when none arrives — is the
// activator's job.
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActionLimits } from '../entities/models/limits.ts';
import type { AdmissionChecks } from '../durability/pending-table.ts';

/** Everything an invoker needs to run one activation. */
export interface ActivationPlan {
  activationId: string;
  transactionId: string;
  /** When the controller received the request (epoch ms); the record's `waitTime` counts from here. */
  receivedAt: number;
  action: {
    /** The namespace that owns the action (root, without package). */
    namespace: string;
    /** The package the action lives in, if any. */
    package?: string;
    name: string;
    /** Fully qualified name without version, `ns/name` or `ns/pkg/name`: the record's `path` annotation. */
    path: string;
    /** The stored document's revision: fetch exactly this one (`keys.entity(namespace, 'actions', [pkg/]name)`). */
    revision: number;
    version: string;
    kind: string;
    /** Code is base64 (a zip) rather than JavaScript text. */
    binary: boolean;
    main?: string;
    /** The action's `publish` flag (the record copies it). */
    publish: boolean;
  };
  /** The action's limits, resolved (defaults filled in). */
  limits: ActionLimits;
  /** Arguments for the run: package < binding < action parameters < request body (later wins). */
  params: Record<string, unknown>;
  /** Names of parameters marked `init: true`: offered at initialisation as environment, not as run arguments. */
  initParams: string[];
  /** Who invokes (the record's `namespace` and `subject`; may differ from the action's namespace). */
  identity: { subject: string; namespace: string; uuid: string };
  /**
   * The invoker's `uuid:key`, for `__OW_API_KEY`. Present only when the action's `provide-api-key` annotation
   * is truthy or absent (OpenWhisk's rule; new actions get `false`). Never log or persist it.
   */
  apiKey?: string;
  blocking: boolean;
  /** How long a blocking caller waits for the result (ms, ≤ 60 000); after that it gets 202 and the id. */
  waitMs: number;
  /** Parent activation (sequences, conductors). */
  cause?: string;
  /** `ns/binding` when the action was named through a package binding: the record's `binding` annotation. */
  binding?: string;
}

export interface ActivationStarted {
  activationId: string;
  /**
   * Settles with the stored record when the activation completes, or with undefined when a blocking wait of
   * `plan.waitMs` expires first (the activation keeps running and is recorded as usual). For a non-blocking
   * plan the HTTP layer does not wait on it.
   */
  result: Promise<ActivationRecord | undefined>;
}

export interface Activator {
  /**
   * Accepts an activation. Rejects with typed errors from shared/errors.ts, which the HTTP layer maps:
   * `NoInvokerError` (503), `TooLargeError` (413, message too large for the bus), `ThrottledError` (429).
   */
  activate(plan: ActivationPlan): Promise<ActivationStarted>;
  /**
   * `activate`, with the invoke's last checks made in the same Redis command as the pending entry's write
   * (controller/invoke/admission.ts). Also rejects with `ThrottledError` (the rate, counted) and
   * `StaleActionError` (the action's document changed since the plan was made: nothing was counted or published).
   * Activators without a pending table do not offer it.
   */
  activateChecked?(plan: ActivationPlan, checks: AdmissionChecks): Promise<ActivationStarted>;
  /** Activations of the invoking namespace accepted here and not completed yet (the concurrency throttle). */
  inFlightFor(namespace: string): number;
}

/** The action's stored document is no longer the one an activation was planned from; plan it again. */
export class StaleActionError extends Error {
  constructor() {
    super('the action changed since it was read');
    this.name = 'StaleActionError';
  }
}
