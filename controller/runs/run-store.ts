// Where the state of every running sequence and composition lives, so that a run survives the controller that
// started it (docs/durability.md, "Sequences and compositions"). A run writes its state just before each component
// starts (one round trip per step), with the component's activation id, so whoever resumes the run knows what was
// started and never starts it twice. Top-level runs are listed in their owner controller's set; nested runs are
// reached through their parent's state. A run's hash is deleted once its record is stored; until then it expires
// only after a day without writes, far beyond any run's length.
//
// Layout (keys from shared/redis-keys.ts):
//   keys.run(id)                 hash: `state` (RunState JSON); on a top-level run also `actions`, `conductorRuns`
//                                (the budget shared by the whole tree of nested runs, written by every run of it)
//   keys.controllerRuns(cid)     set of the top-level run ids controller `cid` owns
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { Identity } from '../../shared/identity.ts';
import type { ActionDoc, ActionRef } from '../entities/models/action.ts';
import type { ActivationPlan } from '../activator/activator.ts';
import type { RunKind } from './run-scope.ts';

/** One day: a run's state outlives its longest possible run (50 actions of 5 minutes each) many times. */
export const RUN_STATE_TTL_MS = 24 * 3600 * 1000;

/** The activation plan of an atomic component as kept in a run's state: no parameters, never the API key. */
export type StartedPlan = Omit<ActivationPlan, 'params' | 'apiKey'>;

/** A component whose start the run recorded: its id is fixed before it is handed to the activator or a runner. */
export interface StartedComponent {
  activationId: string;
  /** Run by an invoker (`action`, or a conductor's own run: `conductor`), or by a controller (`run`: a nested sequence or composition). */
  kind: 'action' | 'conductor' | 'run';
  /** For `action` and `conductor`: what its deadline and a forced record are made from. */
  plan?: StartedPlan;
}

/** What the record of a run needs of its action (never the code, which a conductor has). */
export type RunAction = Pick<ActionDoc, 'name' | 'version' | 'publish' | 'limits'> & { components?: string[] };

/** The identity a run acts for, without the caller's key (keys are never stored: a resumed run has none to hand on). */
export type RunIdentity = Omit<Identity, 'apiKey'>;

export interface RunState {
  activationId: string;
  kind: RunKind;
  /** The controller that runs it (the owner of a top-level run's entry in keys.controllerRuns). */
  owner: number;
  /** The top-level run of its tree (itself when top-level): where the shared budget is kept. */
  root: string;
  /** The parent run's activation id, for a nested run. */
  cause?: string;
  identity: RunIdentity;
  transactionId: string;
  waitMs: number;
  receivedAt: number;
  /** When the run started (its record's `start`). */
  start: number;
  location: ActionRef;
  binding?: string;
  action: RunAction;
  /** The run scope's chain (run-scope.ts). */
  chain: string[];
  maxLength: number;
  /** The components' activation ids so far, and the sums their records gave. */
  ids: string[];
  duration: number;
  memory: number;
  /** A sequence: the index of the component to run (or running). */
  index: number;
  /** The input of the step to run: a sequence component's arguments, a conductor's input or a composition component's params. */
  payload: Record<string, unknown>;
  /** A composition: whether the next step is the conductor's run or the component it named. */
  phase?: 'conductor' | 'component';
  /** A composition's component step: the name the conductor gave, and the `state` it asked to keep. */
  componentName?: string;
  keep?: Record<string, unknown>;
  /** The step started last and not yet finished, if any. */
  current?: StartedComponent;
}

export interface RunBudgetCounts {
  actions: number;
  conductorRuns: number;
}

export interface StoredRun {
  state: RunState;
  /** The tree's budget (top-level runs only). */
  budget?: RunBudgetCounts;
}

export interface RunStore {
  /** Writes a run's state and the tree's budget counts in one round trip; lists a top-level run under its owner. */
  save(state: RunState, budget: RunBudgetCounts): Promise<void>;
  load(activationId: string): Promise<StoredRun | undefined>;
  /** Forgets a run whose record is stored. */
  remove(state: RunState): Promise<void>;
  /** The top-level runs a controller owns. */
  owned(controllerId: number): Promise<string[]>;
  /** Moves a top-level run from one owner's set to another's; false when it was no longer in `from`'s (taken or done). */
  adopt(from: number, to: number, activationId: string): Promise<boolean>;
}

export function runStore(redis: RedisClient, keys: RedisKeys): RunStore {
  return {
    async save(state, budget) {
      const key = keys.run(state.activationId);
      const tx = redis.multi().hset(key, 'state', JSON.stringify(state)).pexpire(key, RUN_STATE_TTL_MS);
      const root = keys.run(state.root);
      tx.hset(root, 'actions', String(budget.actions), 'conductorRuns', String(budget.conductorRuns)).pexpire(root, RUN_STATE_TTL_MS);
      if (state.root === state.activationId) tx.sadd(keys.controllerRuns(state.owner), state.activationId);
      await tx.exec();
    },

    async load(activationId) {
      const hash = await redis.hgetall(keys.run(activationId));
      if (hash.state === undefined) return undefined;
      const state = JSON.parse(hash.state) as RunState;
      if (hash.actions === undefined) return { state };
      return { state, budget: { actions: Number(hash.actions), conductorRuns: Number(hash.conductorRuns ?? 0) } };
    },

    async remove(state) {
      const tx = redis.multi().del(keys.run(state.activationId));
      if (state.root === state.activationId) tx.srem(keys.controllerRuns(state.owner), state.activationId);
      await tx.exec();
    },

    owned: (controllerId) => redis.smembers(keys.controllerRuns(controllerId)),

    adopt: async (from, to, activationId) => (await redis.smove(keys.controllerRuns(from), keys.controllerRuns(to), activationId)) === 1,
  };
}
