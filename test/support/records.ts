// Reading an activation's record through the REST API, and waiting for it: the one helper every suite uses,
// whatever platform it talks to (the shared test stack, a fault stack, or an in-process API harness). Records of
// non-blocking calls appear some time after the 202, so tests wait on the condition "the API answers 200",
// with a deadline, and a failure says which activation and what the API answered last.
import type { Activation } from './platform.ts';

/** Where to ask: the API's base URL (without /api/v1) and a key of the namespace the activation ran in. */
export interface RecordSource {
  apiHost: string;
  apiKey: string;
}

/** What one `GET .../activations/<id>` answered: the record on 200, else what the API said. */
export type RecordAnswer = { status: 200; record: Activation } | { status: number; body: string };

/** One `GET /api/v1/namespaces/_/activations/<id>`; throws only for a transport failure. */
export async function fetchRecord(source: RecordSource, activationId: string, timeoutMs = 10_000): Promise<RecordAnswer> {
  const res = await fetch(`${source.apiHost}/api/v1/namespaces/_/activations/${activationId}`, {
    headers: { authorization: `Basic ${Buffer.from(source.apiKey).toString('base64')}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return res.status === 200 ? { status: 200, record: JSON.parse(text) as Activation } : { status: res.status, body: text };
}

/** The record, or undefined while there is none (404); any other answer is an error. */
export async function getRecord(source: RecordSource, activationId: string): Promise<Activation | undefined> {
  const answer = await fetchRecord(source, activationId);
  if ('record' in answer) return answer.record;
  if (answer.status === 404) return undefined;
  throw new Error(`GET activation ${activationId}: HTTP ${answer.status} ${answer.body}`);
}

/**
 * Waits until the API has the activation's record and returns it. A 404 means "not yet"; so does any other answer
 * or a transport failure (a fault test reads through outages), but the last of them is named when the deadline
 * passes: "no record of activation <id> within 30000 ms (last: HTTP 404 ...)".
 */
export async function waitForRecord(source: RecordSource, activationId: string, timeoutMs = 30_000, intervalMs = 50): Promise<Activation> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const answer = await fetchRecord(source, activationId, Math.max(1_000, Math.min(10_000, deadline - Date.now())));
      if ('record' in answer) return answer.record;
      last = `HTTP ${answer.status} ${answer.body.slice(0, 200)}`;
    } catch (err) {
      last = `request failed: ${(err as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`no record of activation ${activationId} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
