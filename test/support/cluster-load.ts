// A bounded load for the cluster fault suite, and the audit of what it left behind. The load sends `total`
// invokes, `concurrency` at a time, alternating between the controllers and between blocking and non-blocking
// calls, over several actions (so the balancer spreads them over the invokers), and keeps every call's outcome:
// its HTTP status and activation id, a connection error, or no answer within the bound. The audit compares the
// calls with the records the API lists and with the runs the RunCounter saw.
import { waitFor } from '../../deploy/local/daemon.ts';
import { CONTROLLER_IDS, type ClusterNamespace, type ControllerId } from './cluster.ts';
import { api, invoke, type Activation } from './faults.ts';
import type { RunCounter } from './run-counter.ts';

export interface CallOutcome {
  seq: number;
  controller: ControllerId;
  blocking: boolean;
  /** Set when the controller answered. */
  status?: number;
  /** `x-openwhisk-activation-id`: set only when the controller accepted the activation. */
  activationId?: string;
  /** A transport failure (connection refused or reset): the caller learns nothing of the activation. */
  connectionError?: string;
  /** No answer within the load's bound: a caller left hanging. */
  hung?: boolean;
  ms: number;
}

export interface LoadOptions {
  ns: ClusterNamespace;
  actions: readonly string[];
  total: number;
  concurrency: number;
  /** Each action sleeps this long after reporting its run, so faults strike activations in flight. */
  sleepMs: number;
  /** A call with no answer after this long counts as hung. Above ISOWHISK_BLOCKING_WAIT_MAX_MS. */
  answerBoundMs: number;
  /** Only these controllers get calls (default: both). */
  controllers?: readonly ControllerId[];
}

/** Runs the load; `sent` grows as calls go out, so a test can strike after some of them. */
export class Load {
  readonly outcomes: CallOutcome[] = [];
  readonly done: Promise<CallOutcome[]>;
  #sent = 0;

  constructor(o: LoadOptions) {
    const controllers = o.controllers ?? CONTROLLER_IDS;
    const worker = async (): Promise<void> => {
      while (this.#sent < o.total) {
        const seq = this.#sent++;
        const controller = controllers[seq % controllers.length]!;
        // Blocking every other call per controller: with two controllers, calls 0,1 block, 2,3 do not, ...
        const blocking = Math.floor(seq / controllers.length) % 2 === 0;
        const action = o.actions[seq % o.actions.length]!;
        this.outcomes.push(await call(o, seq, controller, blocking, action));
      }
    };
    this.done = Promise.all(Array.from({ length: o.concurrency }, worker)).then(() => this.outcomes.sort((a, b) => a.seq - b.seq));
  }

  get sent(): number {
    return this.#sent;
  }
}

async function call(o: LoadOptions, seq: number, controller: ControllerId, blocking: boolean, action: string): Promise<CallOutcome> {
  const started = Date.now();
  const query = blocking ? 'blocking=true' : 'blocking=false';
  try {
    const a = await invoke(o.ns.via[controller], action, { n: seq, sleepMs: o.sleepMs }, query, o.answerBoundMs);
    const activationId = a.activationId ?? (a.status === 202 ? (a.body as { activationId?: string }).activationId : undefined);
    return { seq, controller, blocking, status: a.status, ...(activationId ? { activationId } : {}), ms: Date.now() - started };
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { seq, controller, blocking, hung: true, ms: Date.now() - started };
    const cause = (e.cause as Error | undefined)?.message;
    return { seq, controller, blocking, connectionError: cause ? `${e.message}: ${cause}` : e.message, ms: Date.now() - started };
  }
}

/** Every record of the namespace, through the API's listing (pages of 200). */
export async function listRecords(ns: ClusterNamespace, via: ControllerId = 0): Promise<Activation[]> {
  const out: Activation[] = [];
  for (let skip = 0; ; skip += 200) {
    const res = await api(ns.via[via], 'GET', `/namespaces/_/activations?docs=true&limit=200&skip=${skip}`, undefined, { timeoutMs: 20_000 });
    if (res.status !== 200) throw new Error(`listing activations: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const page = res.body as Activation[];
    out.push(...page);
    if (page.length < 200) return out;
  }
}

export interface Audit {
  calls: number;
  /** Ids of the activations callers were told were accepted (an activation id, and not a 503). */
  accepted: string[];
  /** Status → number of calls answered with it ("conn" for connection errors, "hung" for no answer). */
  answers: Record<string, number>;
  /** Accepted ids with no record after the bound. */
  missing: string[];
  /** Ids the listing shows more than once. */
  listedTwice: string[];
  /** Records of activations no caller learned the id of (a caller whose connection broke may have been accepted). */
  unacknowledged: string[];
  /** Distinct activations of the namespace the counter saw run. */
  counted: number;
  /** Ids the counter saw run more than once. */
  ranTwice: string[];
  /** Records of counting actions saying the action succeeded whose run the counter did not see exactly once. */
  successNotCountedOnce: string[];
  /** Ids the counter saw run that have no record after the bound. */
  ranWithoutRecord: string[];
  /** Refused ids (503, or a tombstone claim) that ran anyway. */
  ranAfterRefusal: string[];
  /** Ids that ran although no caller was told they were accepted (only calls without an answer may explain them). */
  ranUnacknowledged: string[];
  /** Record status → count, for the report. */
  recordStatuses: Record<string, number>;
}

/**
 * Waits (up to `boundMs`) until every accepted activation, and every one the counter saw run, has a record, then
 * compares calls, records and counted runs. `countingActions` are the actions that report their runs; `refused` lists ids the platform refused without a caller seeing them
 * (tombstone claims read from Redis). Never throws for a broken promise: the test asserts on the fields.
 */
export async function audit(
  ns: ClusterNamespace,
  outcomes: readonly CallOutcome[],
  counter: RunCounter,
  o: { boundMs: number; via: ControllerId; countingActions: readonly string[]; refused?: readonly string[] },
): Promise<Audit> {
  const accepted = outcomes.flatMap((c) => (c.activationId && c.status !== 503 ? [c.activationId] : []));
  const refused = new Set([...(o.refused ?? []), ...outcomes.flatMap((c) => (c.activationId && c.status === 503 ? [c.activationId] : []))]);
  let records: Activation[] = [];
  await waitFor(
    'a record for every accepted activation and every run',
    async () => {
      records = await listRecords(ns, o.via);
      const ids = new Set(records.map((r) => r.activationId));
      const expected = [...accepted, ...counter.runsIn(ns.name).keys()];
      return expected.every((id) => ids.has(id)) || undefined;
    },
    o.boundMs,
    500,
  ).catch(() => undefined);

  const listed = new Map<string, number>();
  for (const r of records) listed.set(r.activationId, (listed.get(r.activationId) ?? 0) + 1);
  const acceptedSet = new Set(accepted);
  const answers: Record<string, number> = {};
  for (const c of outcomes) {
    const key = c.hung ? 'hung' : c.connectionError ? 'conn' : String(c.status);
    answers[key] = (answers[key] ?? 0) + 1;
  }
  const recordStatuses: Record<string, number> = {};
  for (const r of records) recordStatuses[r.response.status] = (recordStatuses[r.response.status] ?? 0) + 1;
  const runs = counter.runsIn(ns.name);
  return {
    calls: outcomes.length,
    accepted,
    answers,
    missing: accepted.filter((id) => !listed.has(id)),
    listedTwice: [...listed].filter(([, n]) => n > 1).map(([id]) => id),
    unacknowledged: [...listed.keys()].filter((id) => !acceptedSet.has(id)),
    ranTwice: [...runs].filter(([, n]) => n > 1).map(([id]) => id),
    counted: runs.size,
    successNotCountedOnce: records
      .filter((r) => o.countingActions.includes(r.name) && r.response.success && counter.runs(r.activationId) !== 1)
      .map((r) => r.activationId),
    ranWithoutRecord: [...runs.keys()].filter((id) => !listed.has(id)),
    ranAfterRefusal: [...refused].filter((id) => counter.runs(id) > 0),
    ranUnacknowledged: [...runs.keys()].filter((id) => !acceptedSet.has(id)),
    recordStatuses,
  };
}

/** One line for a test's failure message and the suite's figures. */
export function describeAudit(a: Audit): string {
  return `${a.calls} calls (${Object.entries(a.answers).map(([k, n]) => `${k}×${n}`).join(', ')}), ${a.accepted.length} accepted; ` +
    `records: ${Object.entries(a.recordStatuses).map(([k, n]) => `${k}×${n}`).join(', ') || 'none'}`;
}
