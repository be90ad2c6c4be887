// Helpers for the alarm suites: lifecycle requests to the alarm feed actions over REST (as the openwhisk client and
// wsk send them), and the fires of a trigger read back from its activation records (each carries the tick it fired
// for as its `alarmTick` annotation).
import { waitFor } from '../../deploy/local/daemon.ts';

/** What the helpers need of a namespace: the API host and key (test/support/platform.ts and faults.ts both fit). */
export interface AlarmClient {
  apiHost: string;
  apiKey: string;
}

export type AlarmKind = 'alarm' | 'interval' | 'once';

export interface FeedAnswer {
  /** The invoke's HTTP status: 200, or 502 for a request the feed refused (an application error, as in OpenWhisk). */
  status: number;
  result: Record<string, unknown>;
  success: boolean;
}

/** A blocking invoke of `/whisk.system/alarms/<kind>` with `lifecycleEvent` for the caller's trigger. */
export async function alarmFeed(ns: AlarmClient, kind: AlarmKind, event: string, trigger: string, params: Record<string, unknown> = {}): Promise<FeedAnswer> {
  const res = await fetch(`${ns.apiHost}/api/v1/namespaces/whisk.system/actions/alarms/${kind}?blocking=true`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(ns.apiKey).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ lifecycleEvent: event, triggerName: `/_/${trigger}`, authKey: ns.apiKey, ...params }),
  });
  const record = (await res.json()) as { response: { result: Record<string, unknown>; success: boolean } };
  return { status: res.status, result: record.response.result, success: record.response.success };
}

/** READ's result of a trigger's alarm. */
export interface AlarmRead {
  config: Record<string, unknown>;
  status: { active: boolean; reason?: { kind: string; message: string }; nextFire?: number; lastFire?: number; lastFireISO?: string; nextFireISO?: string; fires: number; missed: number };
}

export async function readAlarm(ns: AlarmClient, trigger: string): Promise<AlarmRead> {
  const answer = await alarmFeed(ns, 'alarm', 'READ', trigger);
  if (!answer.success) throw new Error(`READ of ${trigger}: ${JSON.stringify(answer.result)}`);
  return answer.result as unknown as AlarmRead;
}

/** One fire of an alarm: its trigger activation and the tick (epoch ms) it fired for. */
export interface AlarmFire {
  activationId: string;
  tick: number;
  logs: string[];
}

/** Every stored fire of `trigger` (newest 200 records), oldest tick first. */
export async function alarmFires(ns: AlarmClient, trigger: string): Promise<AlarmFire[]> {
  const res = await fetch(`${ns.apiHost}/api/v1/namespaces/_/activations?name=${trigger}&docs=true&limit=200`, {
    headers: { authorization: `Basic ${Buffer.from(ns.apiKey).toString('base64')}` },
  });
  if (!res.ok) throw new Error(`listing the activations of ${trigger}: ${res.status}`);
  const records = (await res.json()) as Array<{ activationId: string; logs: string[]; annotations: Array<{ key: string; value: unknown }> }>;
  return records
    .map((r) => ({ activationId: r.activationId, logs: r.logs, tick: Date.parse(String(r.annotations.find((a) => a.key === 'alarmTick')?.value)) }))
    .filter((f) => !Number.isNaN(f.tick))
    .sort((a, b) => a.tick - b.tick);
}

/** Waits until `trigger` has at least `n` fires (optionally only those with a tick after `after`). */
export function waitForFires(ns: AlarmClient, trigger: string, n: number, after = 0, timeoutMs = 60_000): Promise<AlarmFire[]> {
  return waitFor(
    `${n} fires of ${trigger}`,
    async () => {
      const fires = (await alarmFires(ns, trigger)).filter((f) => f.tick > after);
      return fires.length >= n ? fires : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Ticks fired more than once (there must be none). */
export function duplicateTicks(fires: readonly AlarmFire[]): number[] {
  const seen = new Set<number>();
  const dup: number[] = [];
  for (const f of fires) {
    if (seen.has(f.tick)) dup.push(f.tick);
    seen.add(f.tick);
  }
  return dup;
}
