// Result classification: turns what happened inside a sandbox (an init or run "ending") into OpenWhisk's
// activation response, exactly as OpenWhisk's nodejs runtime and its platform do together
// (`ActivationResult.scala processRunResponseContent/processInitResponseContent`).
// Pure functions and the outcome types only; no isolate, no I/O.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** 0 success, 1 application error, 2 action developer error, 3 whisk internal error. */
export type StatusCode = 0 | 1 | 2 | 3;

/** Platform texts (OpenWhisk `Messages`), kept verbatim. */
export const Messages = {
  notADictionary: 'The action did not return a dictionary.',
  memoryExhausted: 'The action exhausted its memory and was aborted.',
  abnormalInitialization: 'The action did not initialize and exited unexpectedly.',
  abnormalRun: 'The action did not produce a valid response and exited unexpectedly.',
  missingMainOrCode: 'Missing main/no code to execute.',
  provisioningFailed: 'Failed to provision resources to run the action.',
  errorOccurred: (text: string) => `An error has occurred: ${text}`,
  initFailed: (text: string) => `Initialization has failed due to: ${text}`,
  invalidRunResponse: (body: string) =>
    'The action did not produce a valid JSON or JSON Array response' + (body.length > 0 ? `: ${body}` : '.'),
  timedOut: (timeoutMs: number, init: boolean) =>
    `The action exceeded its time limits of ${timeoutMs} milliseconds${init ? ' during initialization.' : '.'}`,
  truncatedResponse: (trunk: string, length: number, maxLength: number) =>
    `The action produced a response that exceeded the allowed length: ${length} > ${maxLength} bytes. The truncated response was: ${trunk}`,
} as const;

/** OpenWhisk's default `whisk.activation.payload.max` and `.truncation` (1 MB each). */
export const DEFAULT_MAX_RESULT_BYTES = 1_048_576;
export const DEFAULT_TRUNCATION_BYTES = 1_048_576;

/**
 * How a run ended, before interpretation. `returned` and `rejected` carry the JSON text the runtime would
 * have answered with HTTP 200; `json` may be only a prefix when `bytes` (the full UTF-8 length) exceeds the
 * result limit, because the guest clips oversized results before they cross into the host.
 */
export type RunEnding =
  /** `main` returned or resolved an object, an array or null (undefined is already `{}`). */
  | { kind: 'returned'; json: string; bytes?: number }
  /** The returned promise rejected; `json` is `{"error": serializeError(e)}` (`{"error":{}}` for a falsy e). */
  | { kind: 'rejected'; json: string; bytes?: number }
  /** `main` threw synchronously; `text` is `String(e)`. */
  | { kind: 'threw'; text: string }
  /** `main` returned or resolved a non-object (string, number, boolean, function, ...). */
  | { kind: 'notObject' }
  /** The result could not be written as JSON (a BigInt, a throwing toJSON, ...). */
  | { kind: 'unserializable' }
  | { kind: 'timedOut'; timeoutMs: number }
  | { kind: 'outOfMemory' }
  /** The isolate died or the action "crashed" (an uncaught exception in a timer callback, as a Node process would). */
  | { kind: 'exited' };

export type InitEnding =
  | { kind: 'ready' }
  /** The runtime refused the code; `error` is the complete error text (e.g. "Initialization has failed due to: ..."). */
  | { kind: 'failed'; error: string }
  | { kind: 'timedOut'; timeoutMs: number }
  | { kind: 'outOfMemory' }
  | { kind: 'exited' };

export interface ResultLimits {
  maxResultBytes?: number;
  truncationBytes?: number;
}

/**
 * An activation response. Success and application errors keep the sandbox warm; developer and whisk
 * errors (timeouts and out-of-memory included) destroy it, as OpenWhisk destroys the container.
 */
export type ClassifiedResponse =
  | { statusCode: 0; result: JsonObject | JsonValue[]; size?: number; timedOut: false; discard: false }
  | { statusCode: 1; result: { error: JsonValue }; size?: number; timedOut: false; discard: false }
  | { statusCode: 2; result: { error: JsonValue }; size?: number; timedOut: boolean; discard: true }
  | { statusCode: 3; result: { error: JsonValue }; size?: number; timedOut: false; discard: true };

export interface OutcomeTiming {
  /** Formatted log lines (`<time padded to 30> stdout: text`), truncation and developer-error notes included. */
  logs: string[];
  /** Epoch ms: init start on a cold start, run start otherwise. */
  start: number;
  /** Epoch ms when the run (or the failed init) ended. */
  end: number;
  /** end - start: init + run on a cold start. */
  durationMs: number;
  /** Present only when this activation initialized the sandbox (a cold start). */
  initTimeMs?: number;
}

/** Everything the invoker needs from one activation to build the record. */
export type ActivationOutcome = ClassifiedResponse & OutcomeTiming;

export function success(result: JsonObject | JsonValue[], size?: number): ClassifiedResponse {
  return withSize({ statusCode: 0, result, timedOut: false, discard: false }, size);
}

export function applicationError(error: JsonValue, size?: number): ClassifiedResponse {
  return withSize({ statusCode: 1, result: { error }, timedOut: false, discard: false }, size);
}

export function developerError(error: JsonValue, options: { size?: number; timedOut?: boolean } = {}): ClassifiedResponse {
  return withSize({ statusCode: 2, result: { error }, timedOut: options.timedOut ?? false, discard: true }, options.size);
}

/** Whisk internal error, e.g. `Messages.provisioningFailed` when no sandbox could be created. */
export function whiskError(error: JsonValue): ClassifiedResponse {
  return { statusCode: 3, result: { error }, timedOut: false, discard: true };
}

function withSize<T extends ClassifiedResponse>(response: T, size: number | undefined): T {
  return size === undefined ? response : { ...response, size };
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The first `bytes` bytes of `text` read back as UTF-8 (a cut character becomes U+FFFD), as OpenWhisk reads a truncated body. */
function utf8Prefix(text: string, bytes: number): string {
  const buf = Buffer.from(text.length > bytes ? text.slice(0, bytes) : text, 'utf8');
  return buf.subarray(0, Math.min(bytes, buf.length)).toString('utf8');
}

/** The platform's reading of an HTTP 200 body from `/run` (`processRunResponseContent`). */
function interpretOkBody(json: string, bytes: number | undefined, limits: ResultLimits): ClassifiedResponse {
  const max = limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  const length = bytes ?? utf8Length(json);
  if (length > max) {
    const trunk = utf8Prefix(json, limits.truncationBytes ?? DEFAULT_TRUNCATION_BYTES);
    return applicationError(Messages.truncatedResponse(trunk, length, max), length);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return developerError(Messages.invalidRunResponse(json), { size: json.length });
  }
  if (Array.isArray(parsed)) return success(parsed as JsonValue[], json.length);
  if (typeof parsed === 'object' && parsed !== null) {
    const fields = parsed as JsonObject;
    if (Object.hasOwn(fields, 'error')) return applicationError(fields.error ?? null, json.length);
    return success(fields, json.length);
  }
  return developerError(Messages.invalidRunResponse(json), { size: json.length });
}

/** ActivationResult.scala: what the platform records for a run that ended this way. */
export function classifyRun(ending: RunEnding, limits: ResultLimits = {}): ClassifiedResponse {
  switch (ending.kind) {
    case 'returned':
    case 'rejected':
      return interpretOkBody(ending.json, ending.bytes, limits);
    case 'threw':
      return runtimeError(Messages.errorOccurred(ending.text));
    case 'notObject':
      return runtimeError(Messages.notADictionary);
    case 'unserializable':
      return developerError(Messages.invalidRunResponse(''));
    case 'timedOut':
      return developerError(Messages.timedOut(ending.timeoutMs, false), { timedOut: true });
    case 'outOfMemory':
      return developerError(Messages.memoryExhausted);
    case 'exited':
      return developerError(Messages.abnormalRun);
  }
}

/** ActivationResult.scala for init: `null` when the sandbox is ready to run, else the developer error the activation gets. */
export function classifyInit(ending: InitEnding): ClassifiedResponse | null {
  switch (ending.kind) {
    case 'ready':
      return null;
    case 'failed':
      return runtimeError(ending.error);
    case 'timedOut':
      return developerError(Messages.timedOut(ending.timeoutMs, true), { timedOut: true });
    case 'outOfMemory':
      return developerError(Messages.memoryExhausted);
    case 'exited':
      return developerError(Messages.abnormalInitialization);
  }
}

/** A non-200 runtime reply `{"error": text}`: the platform keeps the error text; size is that body's length. */
function runtimeError(text: string): ClassifiedResponse {
  return developerError(text, { size: JSON.stringify({ error: text }).length });
}
