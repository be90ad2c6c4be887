// Invoking an action on behalf of an identity: the one path shared by the invoke route, trigger fires (one
// invocation per active rule), web actions, and the components of sequences and compositions. Loads the action,
// checks throttles and entitlement, and hands the activation to the activator (or, for a sequence or a
// composition, runs it here).
import type { Identity } from '../../shared/identity.ts';
import type { ActionService } from '../entities/action-service.ts';
import { type ActivationStarted, type Activator, StaleActionError } from '../activator/activator.ts';
import type { KnownActions } from './admission.ts';
import { planActivation } from './activation-plan.ts';
import type { Throttles } from '../throttles/throttles.ts';
import { type ActionRef, CONDUCTOR_ANNOTATION, isSequence } from '../entities/models/action.ts';
import type { StoreRecord } from './record-writer.ts';
import { sequenceRunner } from '../runs/sequence-runner.ts';
import { compositionRunner } from '../runs/composition-runner.ts';
import { isTruthy } from '../entities/models/parameters.ts';
import { type RunScope, chargeActivation, enterRun } from '../runs/run-scope.ts';
import type { RunState, StartedComponent } from '../runs/run-store.ts';
import { type Durability, runSteps } from '../runs/run-steps.ts';

export interface InvokeActionRequest {
  identity: Identity;
  ref: ActionRef;
  /** The request body, a JSON object. */
  payload: Record<string, unknown>;
  blocking: boolean;
  /** How long a blocking caller waits (ms). */
  waitMs: number;
  transactionId: string;
  /** Epoch ms the request arrived; the record's `waitTime` counts from here. */
  receivedAt: number;
  cause?: string;
  /**
   * Set for a component of a sequence or composition: the run it belongs to. Its activation counts against the
   * run's budget, a nested sequence or composition joins the run, and the caller waits for the component's own
   * timeout and a minute rather than `waitMs`.
   */
  scope?: RunScope;
  /** Run a conductor action itself, as one step of its composition, rather than the composition. */
  atomic?: boolean;
  /** The activation id to use (a nested run started again under the id its parent recorded: runs/run-steps.ts). */
  activationId?: string;
  /**
   * Called once everything is checked, just before the activation is handed to the activator (or a nested run
   * starts), with its id: a durable run writes its state here, so the id is known before anything runs.
   */
  beforeStart?: (started: StartedComponent) => Promise<void>;
}

export type InvokeAction = (req: InvokeActionRequest) => Promise<ActivationStarted>;

/** The invoke of one component of a run: blocking, on behalf of the run's caller, caused by the run's activation. */
export function componentRequest(
  caller: InvokeActionRequest,
  component: Pick<InvokeActionRequest, 'ref' | 'payload' | 'cause' | 'scope' | 'atomic'>,
): InvokeActionRequest {
  const { identity, transactionId, waitMs } = caller;
  return { identity, transactionId, waitMs, blocking: true, receivedAt: Date.now(), ...component };
}

export interface ActionInvokerDeps {
  actions: ActionService;
  activator: Activator;
  throttles?: Throttles;
  /**
   * Actions admitted from memory (./admission.ts): their invokes need one Redis round trip before the publish.
   * Only with `throttles` and an activator that offers `activateChecked`; not on a Redis Cluster, where the
   * document, the counter and the pending entry live on different nodes.
   */
  known?: KnownActions;
  /** Where sequences store their records; without it a sequence cannot be invoked (tests of atomic actions). */
  storeRecord?: StoreRecord;
  /** Most atomic actions one sequence may run. */
  sequenceMaxLength?: number;
  /** Sequences and compositions keep their state in Redis and can be resumed (runs/run-steps.ts); none: memory only. */
  durable?: Omit<Durability, 'resumeNested'>;
  onError?: (err: unknown, action: string) => void;
}

/** The invoke path, and the resumption of the runs it keeps in Redis. */
export interface ActionInvoker {
  invoke: InvokeAction;
  /**
   * Goes on with a stored top-level run (runs/run-resumer.ts); undefined when it has no state (it ended). Throws
   * when it has a state but no controller can run it here (no record store).
   */
  resume(activationId: string): Promise<ActivationStarted | undefined>;
  /**
   * The controller stops: durable runs stop after their current step without a record (to be resumed by this
   * controller restarted, or adopted), rather than end with the error of waits the shutdown cut short.
   */
  halt(): void;
}

/** A non-blocking activation's result is awaited by nobody; the activator reports its own failures. */
function unwatched(req: InvokeActionRequest, started: ActivationStarted): ActivationStarted {
  if (!req.blocking) started.result.catch(() => {});
  return started;
}

/** A component's wait for its result: its own timeout and a minute (OpenWhisk's). */
const COMPONENT_WAIT_MARGIN_MS = 60_000;

/**
 * Throttles first (429), as OpenWhisk's entitlement check does; every invoke is counted, components of sequences
 * and compositions too, as if the caller had invoked each (docs/tenant-isolation.md). Then entitlement: an action
 * outside a package is the owner's only, one in a package needs READ on the package (its owner, or published) →
 * 403. Then the name is resolved, through a binding to the bound package's action with the parameters merged
 * (missing → 404). A sequence (runs/sequence-runner.ts) or a conductor's composition (runs/composition-runner.ts)
 * is run by the controller; any other action is counted against its run's budget (runs/run-scope.ts) and goes to
 * the activator, whose refusals keep their typed errors (503 no invoker, 413 too large).
 */
export function actionInvoker(deps: ActionInvokerDeps): InvokeAction {
  return runningInvoker(deps).invoke;
}

/** `actionInvoker`, with the resumption of stored runs. */
export function runningInvoker(deps: ActionInvokerDeps): ActionInvoker {
  const { actions, activator, throttles, known } = deps;
  const plain = (req: InvokeActionRequest) => !req.scope && !req.atomic && !req.beforeStart && req.activationId === undefined;

  /** An invoke planned from the action kept in memory; undefined when it must take the full path. */
  const admitKnown = async (req: InvokeActionRequest): Promise<ActivationStarted | undefined> => {
    if (!known || !throttles || !activator.activateChecked || !plain(req)) return undefined;
    const cached = known.get(req.identity, req.ref);
    const checks = cached && known.checks(throttles, req.identity, cached);
    if (!cached || !checks) return undefined;
    const plan = planActivation({ ...req, ref: cached.location, action: cached.action });
    try {
      return unwatched(req, await activator.activateChecked(plan, checks));
    } catch (err) {
      if (!(err instanceof StaleActionError)) throw err;
      known.forget(req.ref);
      return undefined;
    }
  };

  const invoke: InvokeAction = async (req) => {
    const admitted = await admitKnown(req);
    if (admitted) return admitted;
    // The throttle's counter, the entitlement and the action's lookup are asked in the same tick, so their Redis
    // commands leave in one write (auto-pipelining) and come back in one round trip. The answers are taken in
    // OpenWhisk's order: a throttle refusal wins, then a missing entitlement (whatever the lookup found), then the
    // lookup's own outcome.
    const throttled = throttles?.invoke(req.identity);
    const entitled = actions.entitle(req.identity, req.ref);
    const lookup = actions.resolve(req.ref);
    const [throttle, entitlement, found] = await Promise.allSettled([throttled, entitled, lookup]);
    if (throttle.status === 'rejected') throw throttle.reason;
    if (entitlement.status === 'rejected') throw entitlement.reason;
    if (found.status === 'rejected') throw found.reason;
    const { action, location, binding } = found.value;
    if (isSequence(action.exec)) {
      if (!runners) throw new Error('sequences need a record store');
      return runners.sequence.start(req, found.value);
    }
    if (!req.atomic && isTruthy(action.annotations, CONDUCTOR_ANNOTATION)) {
      if (!runners) throw new Error('compositions need a record store');
      return runners.composition.start(req, found.value);
    }
    if (plain(req)) known?.remember(req.identity, req.ref, found.value);
    // a component of a run: counted in the run's budget, waited for as long as its own timeout and a minute
    const conductorRun = req.atomic === true && isTruthy(action.annotations, CONDUCTOR_ANNOTATION);
    if (req.scope) chargeActivation(req.scope, conductorRun);
    const waitMs = req.scope ? action.limits.timeout + COMPONENT_WAIT_MARGIN_MS : req.waitMs;
    const plan = planActivation({ ...req, waitMs, ref: location, action, binding });
    if (req.activationId !== undefined) plan.activationId = req.activationId;
    if (req.beforeStart) {
      const { params: _params, apiKey: _apiKey, ...kept } = plan;
      await req.beforeStart({ activationId: plan.activationId, kind: conductorRun ? 'conductor' : 'action', plan: kept });
    }
    return unwatched(req, await activator.activate(plan));
  };
  const onError = deps.onError;
  const halt = { halted: false };
  const durable: Durability | undefined = deps.durable && {
    ...deps.durable,
    resumeNested: async (activationId, parent) => {
      const stored = await deps.durable!.runs.load(activationId);
      return stored && resumeRun(stored.state, { root: parent.root, chain: stored.state.chain, budget: parent.budget });
    },
  };
  const runners = deps.storeRecord && {
    sequence: sequenceRunner({
      steps: runSteps(invoke, durable, halt),
      storeRecord: deps.storeRecord,
      maxLength: deps.sequenceMaxLength ?? 50,
      controllerId: deps.durable?.controllerId ?? 0,
      ...(onError ? { onError } : {}),
    }),
    composition: compositionRunner({
      steps: runSteps(invoke, durable, halt),
      storeRecord: deps.storeRecord,
      maxLength: deps.sequenceMaxLength ?? 50,
      controllerId: deps.durable?.controllerId ?? 0,
      ...(onError ? { onError } : {}),
    }),
  };
  const resumeRun = (state: RunState, scope: RunScope): ActivationStarted => {
    if (!runners) throw new Error('resuming a run needs a record store');
    return state.kind === 'sequence' ? runners.sequence.resume(state, scope) : runners.composition.resume(state, scope);
  };
  return {
    invoke,
    halt: () => {
      halt.halted = true;
    },
    async resume(activationId) {
      const durable = deps.durable;
      const stored = await durable?.runs.load(activationId);
      if (!durable || !stored) return undefined;
      const { state } = stored;
      if (await durable.activations.getRecord(activationId)) {
        await durable.runs.remove(state); // its record was stored just before its controller stopped
        return undefined;
      }
      state.owner = durable.controllerId; // adopted: listed under this controller from its next step on
      const scope = enterRun(undefined, state.chain[0] ?? '', state.kind, state.maxLength, state.activationId);
      if (stored.budget) Object.assign(scope.budget, stored.budget);
      return resumeRun(state, scope);
    },
  };
}
