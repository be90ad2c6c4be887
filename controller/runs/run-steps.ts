// The steps of a sequence or composition, made durable: before a component starts, its activation id is fixed and
// the run's state written (run-store.ts); after a resume (run-resumer.ts), the step that was started is never started
// again: its record is awaited instead. What a resumed step does with the component it finds:
//   - its record is stored → that is the step's outcome;
//   - a nested sequence or composition with a state of its own → that run is resumed, and its record is the outcome;
//   - a nested run without state or record → it had not started a component: it is started again, under the same id;
//   - an atomic component: its claim is taken as a tombstone (`tombstone:controller<N>`, the tombstone rule of
//     docs/durability.md). Taken → no invoker ran it and none ever will: the step starts again with a new id (the old
//     one never gets a record and is not listed). Held by an invoker (or a controller forcing its record) → it runs
//     or ran: its record is polled for until its start deadline + its timeout + the completion margin; if none
//     appears by then (its invoker died mid-run, and the controller that would have forced a record is the dead
//     one), the resuming controller stores the forced "lost" record itself (write-once, so it never replaces one
//     an invoker or a sweeper stored first).
// Without a run store (tests of the API on a scripted activator), steps start as they always did.
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { RedisClient } from '../../shared/redis-connection.ts';
import { forcedErrorRecord } from '../activator/forced-record.ts';
import { TOMBSTONE_PREFIX, activationClaims, controllerHolder, tombstoneHolder } from '../durability/claims.ts';
import { COMPLETION_MARGIN_MS, giveUpTime } from '../activator/kafka-activator.ts';
import type { ActionRef } from '../entities/models/action.ts';
import type { ActivationStarted } from '../activator/activator.ts';
import type { Logger } from '../middleware/logging.ts';
import { type InvokeAction, type InvokeActionRequest, componentRequest } from '../invoke/invoke-action.ts';
import type { RunState, RunStore, StartedComponent } from './run-store.ts';
import type { RunKind, RunScope } from './run-scope.ts';

/** A run in memory: its durable state, its scope (shared with the runs nested in it) and the request it acts for. */
export interface Run {
  state: RunState;
  scope: RunScope;
  /** Identity (with the caller's key while the original request lives), transaction and wait of its components. */
  caller: InvokeActionRequest;
}

/** What the runs of this controller need to be durable and resumable. */
export interface Durability {
  redis: RedisClient;
  keys: RedisKeys;
  runs: RunStore;
  activations: ActivationStore;
  controllerId: number;
  /** A request's start deadline is its acceptance + this (ISOWHISK_COMPLETION_GRACE_MS). */
  startGraceMs: number;
  recordTtlSeconds: number;
  /** Resumes a nested run from its stored state, in its parent's scope; undefined when it has no state. */
  resumeNested: (activationId: string, parent: RunScope) => Promise<ActivationStarted | undefined>;
  logger: Logger;
}

/** What the resuming controller adds past the activator's own bound before it forces a component's record. */
const RESUME_MARGIN_MS = 5_000;
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 2_000;

/** The state of a run about to start (top-level or nested), from its request. */
export function newRun(
  req: InvokeActionRequest,
  scope: RunScope,
  target: { location: ActionRef; binding?: string; action: RunState['action'] },
  kind: RunKind,
  activationId: string,
  owner: number,
): Run {
  const { apiKey: _key, ...identity } = req.identity;
  const state: RunState = {
    activationId,
    kind,
    owner,
    root: scope.root,
    ...(req.scope && req.cause !== undefined ? { cause: req.cause } : {}),
    identity,
    transactionId: req.transactionId,
    waitMs: req.waitMs,
    receivedAt: req.receivedAt,
    start: Date.now(),
    location: target.location,
    ...(target.binding !== undefined ? { binding: target.binding } : {}),
    action: target.action,
    chain: [...scope.chain],
    maxLength: scope.budget.maxLength,
    ids: [],
    duration: 0,
    memory: 0,
    index: 0,
    payload: req.payload,
  };
  return { state, scope, caller: req };
}

/** A run rebuilt from its stored state, in `scope` (its own for a top-level run, its parent's budget when nested). */
export function storedRun(state: RunState, scope: RunScope): Run {
  const caller: InvokeActionRequest = {
    identity: state.identity,
    ref: state.location,
    payload: state.payload,
    blocking: false,
    waitMs: state.waitMs,
    transactionId: state.transactionId,
    receivedAt: state.receivedAt,
    ...(state.cause !== undefined ? { cause: state.cause } : {}),
  };
  return { state, scope, caller };
}

/** The controller stops: its runs stop where they are, without a record, for a restart or another controller to resume. */
export class RunHalted extends Error {
  constructor() {
    super('the controller is stopping; the run is left for a resume');
    this.name = 'RunHalted';
  }
}

export interface RunSteps {
  /** A top-level run becomes durable before its caller hears of it (the 202 or the blocking wait). */
  begin(run: Run): Promise<void>;
  /** Starts the run's next component, or, for a resumed run, finds the one it had started. */
  start(run: Run, component: Pick<InvokeActionRequest, 'ref' | 'payload' | 'atomic'>): Promise<ActivationStarted>;
  /** The run's record is stored: its state goes. */
  end(run: Run): Promise<void>;
  /** Throws `RunHalted` once the controller is stopping (called after every step, before its outcome is used). */
  check(): void;
}

/** Set when the controller stops (services' `haltRuns`): durable runs then end without a record, to be resumed. */
export interface RunHalt {
  halted: boolean;
}

export function runSteps(invoke: InvokeAction, durable: Durability | undefined, halt: RunHalt = { halted: false }): RunSteps {
  if (!durable) {
    return {
      begin: async () => {},
      start: (run, component) => invoke(componentRequest(run.caller, { ...component, cause: run.state.activationId, scope: run.scope })),
      end: async () => {},
      check: () => {},
    };
  }
  const check = () => {
    if (halt.halted) throw new RunHalted();
  };
  const save = (run: Run) => durable.runs.save(run.state, run.scope.budget);

  const startNew = (run: Run, component: Pick<InvokeActionRequest, 'ref' | 'payload' | 'atomic'>, activationId?: string) =>
    invoke({
      ...componentRequest(run.caller, { ...component, cause: run.state.activationId, scope: run.scope }),
      ...(activationId !== undefined ? { activationId } : {}),
      beforeStart: async (started) => {
        run.state.current = started;
        await save(run);
      },
    });

  return {
    begin: save,
    check,
    async start(run, component) {
      check();
      const current = run.state.current;
      if (!current) return startNew(run, component);
      const found = await resumeStarted(durable, run, current);
      if ('started' in found) return found.started;
      run.state.current = undefined;
      return startNew(run, component, found.sameId ? current.activationId : undefined);
    },
    end: (run) => durable.runs.remove(run.state),
  };
}

type Resumed = { started: ActivationStarted } | { sameId: boolean };

/** The outcome of a step a run had started before its controller died (see the header). */
async function resumeStarted(d: Durability, run: Run, current: StartedComponent): Promise<Resumed> {
  const { activationId } = current;
  const settled = (record: Promise<ActivationRecord | undefined>): Resumed => ({ started: { activationId, result: record } });
  const record = await d.activations.getRecord(activationId);
  if (record) return settled(Promise.resolve(record));
  if (current.kind === 'run') {
    const nested = await d.resumeNested(activationId, run.scope);
    return nested ? { started: nested } : { sameId: true };
  }
  // Taken now (undefined) or tombstoned before: no invoker ran it, and none will.
  const holder = await activationClaims(d.redis, d.keys).take(activationId, tombstoneHolder(d.controllerId));
  if (holder === undefined || holder.startsWith(TOMBSTONE_PREFIX)) {
    uncharge(run.scope, current.kind);
    return { sameId: false };
  }
  return settled(awaitComponentRecord(d, current));
}

/** The component never ran: its charge to the run's budget goes back, since the step is charged again. */
function uncharge(scope: RunScope, kind: StartedComponent['kind']): void {
  if (kind === 'conductor') scope.budget.conductorRuns = Math.max(0, scope.budget.conductorRuns - 1);
  else if (kind === 'action') scope.budget.actions = Math.max(0, scope.budget.actions - 1);
}

/** Polls for a running component's record (backoff to 2 s) until its bound; then stores the forced record. */
async function awaitComponentRecord(d: Durability, current: StartedComponent): Promise<ActivationRecord | undefined> {
  const plan = current.plan;
  // Past the activator's own give-up time (a cold start's init and the run), so the pending sweeper, which forces
  // the record of a dead controller's activation, normally gets there first.
  const giveUpAt = plan ? giveUpTime(plan.receivedAt + d.startGraceMs, plan.limits.timeout, COMPLETION_MARGIN_MS) + RESUME_MARGIN_MS : Date.now();
  for (let wait = POLL_FIRST_MS; ; wait = Math.min(POLL_MAX_MS, wait * 2)) {
    const record = await d.activations.getRecord(current.activationId);
    if (record) return record;
    if (Date.now() >= giveUpAt) break;
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, giveUpAt - Date.now()))));
  }
  if (!plan) return undefined;
  // Nothing else will write it: the controller that published it is gone. Write-once, so a record stored meanwhile wins.
  await activationClaims(d.redis, d.keys).take(current.activationId, controllerHolder(d.controllerId));
  const forced = forcedErrorRecord(plan, Date.now());
  const stored = (await d.activations.putRecord(forced, d.recordTtlSeconds)) ? forced : await d.activations.getRecord(current.activationId);
  if (stored === forced) d.logger.warn({ activationId: current.activationId }, 'a resumed run\'s component never completed; stored a whisk internal error record');
  return stored;
}
