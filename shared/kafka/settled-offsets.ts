// Which offsets of a consumer's partitions may be committed when messages are settled out of order. A message is
// settled once it needs no re-delivery (for the invoker: its activation was claimed, skipped as claimed elsewhere,
// recorded as expired, or unreadable). Kafka keeps one committed offset per partition, meaning "everything before
// it is done", so the commit point of a partition is the first message taken and not yet settled; when all are
// settled, the one after the last taken. Offsets are compared in the order messages were taken, not by arithmetic:
// a partition's offsets may have gaps (transaction markers, compaction), and Kafka delivers a partition in order.

interface Taken {
  offset: bigint;
  settled: boolean;
}

interface PartitionState {
  /** Messages taken and not yet passed by the commit point, in the order taken (ascending offsets). */
  queue: Taken[];
  /** Index of the first entry of `queue` still in it (entries before it are dropped lazily). */
  head: number;
  byOffset: Map<bigint, Taken>;
  lastTaken: bigint | undefined;
  /** Next offset to read after everything settled so far: what a commit would store. */
  commitPoint: bigint | undefined;
  /** The commit point last handed out by `toCommit`. */
  committed: bigint | undefined;
}

export interface PartitionOffset {
  partition: number;
  /** The offset to commit (the next one to read), as Kafka's API takes it: a decimal string. */
  offset: string;
}

export class SettledOffsets {
  readonly #partitions = new Map<number, PartitionState>();

  /**
   * A message was handed out for work. An offset at or before the last one taken means Kafka went back (a rebalance
   * or a restarted consumer re-delivers from the committed offset): the partition is tracked anew from there.
   */
  taken(partition: number, offset: string): void {
    const value = BigInt(offset);
    let state = this.#state(partition);
    if (state.lastTaken !== undefined && value <= state.lastTaken) {
      this.#partitions.delete(partition);
      state = this.#state(partition);
    }
    const entry = { offset: value, settled: false };
    state.lastTaken = value;
    state.queue.push(entry);
    state.byOffset.set(value, entry);
  }

  /** The message needs no re-delivery. Settling an offset not taken (or settled twice) changes nothing. */
  settled(partition: number, offset: string): void {
    const state = this.#partitions.get(partition);
    const entry = state?.byOffset.get(BigInt(offset));
    if (!state || !entry || entry.settled) return;
    entry.settled = true;
    while (state.head < state.queue.length && state.queue[state.head]!.settled) {
      const done = state.queue[state.head++]!;
      state.byOffset.delete(done.offset);
      state.commitPoint = done.offset + 1n;
    }
    // Drop the passed entries once they are the larger part, so the array does not grow without bound.
    if (state.head > 64 && state.head * 2 > state.queue.length) {
      state.queue = state.queue.slice(state.head);
      state.head = 0;
    }
  }

  /** Messages taken and not yet settled, over all partitions. */
  get unsettled(): number {
    let n = 0;
    for (const state of this.#partitions.values()) for (let i = state.head; i < state.queue.length; i++) if (!state.queue[i]!.settled) n++;
    return n;
  }

  /** Commit points that moved since the last call; call `committed` once Kafka stored them. */
  toCommit(): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    for (const [partition, state] of this.#partitions) {
      if (state.commitPoint !== undefined && state.commitPoint !== state.committed) out.push({ partition, offset: String(state.commitPoint) });
    }
    return out;
  }

  /** Kafka stored these commit points (a failed commit is simply handed out again by the next `toCommit`). */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const { partition, offset } of offsets) {
      const state = this.#partitions.get(partition);
      const value = BigInt(offset);
      if (state && (state.committed === undefined || value > state.committed)) state.committed = value;
    }
  }

  /**
   * Forgets everything (after a rebalance): Kafka re-delivers from the committed offsets, so messages still in hand
   * come again and are tracked anew; settling one of the old deliveries changes nothing.
   */
  reset(): void {
    this.#partitions.clear();
  }

  #state(partition: number): PartitionState {
    let state = this.#partitions.get(partition);
    if (!state) {
      state = { queue: [], head: 0, byOffset: new Map(), lastTaken: undefined, commitPoint: undefined, committed: undefined };
      this.#partitions.set(partition, state);
    }
    return state;
  }
}
