// The activation record (`E/WhiskActivation.scala`, `E/ActivationResult.scala`). It is stored (and
// carried on the bus) in OpenWhisk's STORED form, with `response.statusCode`; the API shows the EXTENDED form,
// where `statusCode` is replaced by `success` and `status`. `toExtendedJson` is the one place that converts.

/** A `{key, value}` pair, as OpenWhisk writes annotations. */
export interface Annotation {
  key: string;
  value: unknown;
}

export type ActivationStatusCode = 0 | 1 | 2 | 3;

export const STATUS_SUCCESS = 0;
export const STATUS_APPLICATION_ERROR = 1;
export const STATUS_DEVELOPER_ERROR = 2;
export const STATUS_WHISK_ERROR = 3;

/** `ActivationResponse.messageForCode`, with spaces (the API text, not the internal constants). */
export const STATUS_TEXT: Readonly<Record<ActivationStatusCode, string>> = {
  0: 'success',
  1: 'application error',
  2: 'action developer error',
  3: 'whisk internal error',
};

export interface StoredActivationResponse {
  statusCode: ActivationStatusCode;
  /** The action's result; error results are always `{"error": ...}`. */
  result?: unknown;
  /** Length of the raw result string, when known. */
  size?: number;
}

/** An activation record in OpenWhisk's stored form, as kept at `keys.activation(id)`. */
export interface ActivationRecord {
  /** The INVOKING namespace (not necessarily the action's). */
  namespace: string;
  /** The action's simple name (no package). */
  name: string;
  subject: string;
  activationId: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms; 0 for records that never ran (trigger activations). */
  end: number;
  /** The parent activation (sequence, conductor) when there is one. */
  cause?: string;
  response: StoredActivationResponse;
  logs: string[];
  version: string;
  publish: boolean;
  /** `path`, `kind`, `limits`, `timeout`, `waitTime`, `initTime`, `causedBy`, `binding`, ... */
  annotations: Annotation[];
  duration?: number;
}

/** The API form of a record's `response`: `statusCode` out, `success` and `status` in (also `GET .../result`). */
export function extendedResponse(response: StoredActivationResponse): Record<string, unknown> {
  const { statusCode, ...rest } = response;
  return { ...rest, success: statusCode === STATUS_SUCCESS, status: STATUS_TEXT[statusCode] ?? STATUS_TEXT[3] };
}

/** The API form of a record (`WhiskActivation.toExtendedJson`): `duration` computed, `end` dropped when 0. */
export function toExtendedJson(record: ActivationRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    namespace: record.namespace,
    name: record.name,
    subject: record.subject,
    activationId: record.activationId,
    start: record.start,
  };
  if (record.end !== 0) out.end = record.end;
  if (record.cause !== undefined) out.cause = record.cause;
  out.response = extendedResponse(record.response);
  out.logs = record.logs;
  out.version = record.version;
  out.publish = record.publish;
  out.annotations = record.annotations;
  if (record.end !== 0) out.duration = record.duration ?? record.end - record.start;
  return out;
}

/** A list item without `docs`: the record without logs and result, with `statusCode` when it ended. */
export type ActivationSummary = Record<string, unknown>;

/** A list item without `docs` (OpenWhisk's activations view summary). */
export function activationSummary(record: ActivationRecord): ActivationSummary {
  const out: ActivationSummary = {
    namespace: record.namespace,
    name: record.name,
    version: record.version,
    publish: record.publish,
    annotations: record.annotations,
    activationId: record.activationId,
    start: record.start,
  };
  if (record.cause !== undefined) out.cause = record.cause;
  if (record.end !== 0) {
    out.end = record.end;
    out.duration = record.end - record.start;
    out.statusCode = record.response.statusCode;
  }
  return out;
}

/**
 * The name an activation is listed under for `?name=` (view `whisks-filters.v2.1.1`): `<binding>/<name>` when
 * invoked through a binding, `<pkg>/<name>` for a packaged action, else `<name>`.
 */
export function activationFilterName(record: ActivationRecord): string {
  const annotation = (key: string) => record.annotations.find((a) => a.key === key)?.value;
  const binding = annotation('binding');
  if (typeof binding === 'string') {
    const b = binding.split('/');
    if (b[1] !== undefined) return `${b[1]}/${record.name}`;
  }
  const path = annotation('path');
  if (typeof path === 'string') {
    const p = path.split('/');
    if (p.length === 3) return `${p[1]}/${record.name}`;
  }
  return record.name;
}
