// How one invoker's recent activations ended, from this controller's point of view, and the verdict OpenWhisk's
// invoker supervision draws from them (`InvokerSupervision.scala`, `InvokerActor.handleCompletionMessage`): the last
// OUTCOME_BUFFER_SIZE outcomes are kept in a ring buffer; more than OUTCOME_ERROR_TOLERANCE system errors among them
// make the invoker unhealthy, otherwise more than that many timeouts make it unresponsive, otherwise it is healthy.
// Application and developer errors are successes here: the invoker ran the action, the action failed.

/** `InvocationFinishedResult`: how an activation ended for the invoker's health. */
export type Outcome = 'success' | 'systemError' | 'timeout';

/** The outcomes' verdict; ping and liveness add the other states (invoker-registry.ts). */
export type OutcomeHealth = 'healthy' | 'unhealthy' | 'unresponsive';

/** `InvokerActor.bufferSize`. */
export const OUTCOME_BUFFER_SIZE = 10;
/** `InvokerActor.bufferErrorTolerance`: this many errors of one kind in the buffer are still tolerated. */
export const OUTCOME_ERROR_TOLERANCE = 3;

export class InvokerOutcomes {
  readonly #size: number;
  readonly #tolerance: number;
  readonly #ring: Outcome[] = [];
  #next = 0;

  constructor(size = OUTCOME_BUFFER_SIZE, tolerance = OUTCOME_ERROR_TOLERANCE) {
    this.#size = size;
    this.#tolerance = tolerance;
  }

  /** Keeps `outcome`, dropping the oldest one once the buffer is full. */
  add(outcome: Outcome): void {
    this.#ring[this.#next] = outcome;
    this.#next = (this.#next + 1) % this.#size;
  }

  /** Forgets every outcome: a successful test action proves the invoker works again. */
  clear(): void {
    this.#ring.length = 0;
    this.#next = 0;
  }

  health(): OutcomeHealth {
    const count = (o: Outcome) => this.#ring.reduce((n, x) => (x === o ? n + 1 : n), 0);
    if (count('systemError') > this.#tolerance) return 'unhealthy';
    if (count('timeout') > this.#tolerance) return 'unresponsive';
    return 'healthy';
  }
}
