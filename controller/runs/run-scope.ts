// What one top-level run the controller makes (a sequence or a composition, and everything nested in it) shares:
// the chain of sequences and compositions it is inside, and one budget of activations. OpenWhisk counts the atomic
// actions of nested sequences together (`CTL/actions/SequenceActions.scala`) and lets nested compositions share
// their caller's accounting (`CTL/actions/PrimitiveActions.scala`); here sequences and compositions nested in each
// other in any order share one budget too, so no nesting escapes the limits. The chain stops a sequence that
// reaches itself again (a cycle the create-time check could not see: the graph changed after it) and bounds how
// deep runs nest, so the controller's stack and heap stay bounded whatever is stored. See docs/tenant-isolation.md.

/** Why a nested run or an activation inside a run was refused. */
export type RunLimit =
  /** A sequence already on the chain: running it again would never end. */
  | 'cycle'
  /** Runs nested deeper than the limit. */
  | 'depth'
  /** More actions (not conductor runs) than the limit, across the whole run. */
  | 'actions'
  /** More conductor runs than twice the limit, across the whole run. */
  | 'conductor-runs';

/** A refusal by the run's own limits; the sequence or composition that asked turns it into OpenWhisk's texts. */
export class RunLimitError extends Error {
  readonly limit: RunLimit;
  constructor(limit: RunLimit) {
    super(`run limit reached: ${limit}`);
    this.name = 'RunLimitError';
    this.limit = limit;
  }
}

/** Counts shared by every part of one top-level run. */
export interface RunBudget {
  /** The most actions one run may start; conductor runs may be twice as many. */
  readonly maxLength: number;
  actions: number;
  conductorRuns: number;
}

export interface RunScope {
  /** The activation id of the top-level run (where a durable run keeps the budget: run-store.ts). */
  readonly root: string;
  /** Fully qualified names of the sequences and compositions entered, outermost first. */
  readonly chain: readonly string[];
  readonly budget: RunBudget;
}

export type RunKind = 'sequence' | 'composition';

/**
 * The scope inside a sequence or composition `fqn` (activation `activationId`): a new one for a top-level run, else the caller's, one level
 * deeper. Throws `RunLimitError` for a sequence already on the chain, or nesting deeper than `maxLength`.
 */
export function enterRun(parent: RunScope | undefined, fqn: string, kind: RunKind, maxLength: number, activationId: string): RunScope {
  if (!parent) return { root: activationId, chain: [fqn], budget: { maxLength, actions: 0, conductorRuns: 0 } };
  // a composition may steer to itself (OpenWhisk allows it); the shared budget and the depth bound end it
  if (kind === 'sequence' && parent.chain.includes(fqn)) throw new RunLimitError('cycle');
  if (parent.chain.length >= parent.budget.maxLength) throw new RunLimitError('depth');
  return { root: parent.root, chain: [...parent.chain, fqn], budget: parent.budget };
}

/** Counts one activation an invoker will run for this scope: a conductor's own run, or any other action. */
export function chargeActivation(scope: RunScope, conductorRun: boolean): void {
  const { budget } = scope;
  if (conductorRun) {
    if (budget.conductorRuns >= 2 * budget.maxLength) throw new RunLimitError('conductor-runs');
    budget.conductorRuns += 1;
  } else {
    if (budget.actions >= budget.maxLength) throw new RunLimitError('actions');
    budget.actions += 1;
  }
}
