// A namespace's own limits, OpenWhisk's `UserLimits` (`common/scala/.../entity/UserLimits.scala`), as stored in Redis at
// `keys.namespaceLimits(ns)` (JSON): the controller reads them with the caller's identity and applies them over the
// system limits (controller/entities/models/limits.ts); the admin command (deploy/admin/) sets, shows and clears them.
// Sizes are strings such as `"1 MB"`, as in OpenWhisk.

const MB = 1024 * 1024;

/**
 * Per-namespace overrides, OpenWhisk's `UserLimits` JSON as stored at `keys.namespaceLimits(ns)`. Sizes are
 * strings such as `"1 MB"`.
 */
export interface NamespaceLimitOverrides {
  invocationsPerMinute?: number;
  concurrentInvocations?: number;
  firesPerMinute?: number;
  allowedKinds?: string[];
  storeActivations?: boolean;
  minActionMemory?: number;
  maxActionMemory?: number;
  minActionLogs?: number;
  maxActionLogs?: number;
  minActionTimeout?: number;
  maxActionTimeout?: number;
  minActionConcurrency?: number;
  maxActionConcurrency?: number;
  maxParameterSize?: string;
  maxPayloadSize?: string;
  truncationSize?: string;
  maxActionInstances?: number;
  /** Kafka feeds the namespace may have at once (Isowhisk's own; OpenWhisk's feed providers keep no such limit). */
  maxFeeds?: number;
}

/** Parses `"1 MB"`, `"512 KB"`, `"10 B"`, `"2 G"` (OpenWhisk `ByteSize.fromString`) into bytes. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s?(\d+)\s?(GB|MB|KB|B|G|M|K)\s?$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toUpperCase()[0];
  return n * (unit === 'G' ? 1024 * MB : unit === 'M' ? MB : unit === 'K' ? 1024 : 1);
}

/** Formats bytes the way OpenWhisk prints a `ByteSize` (`"1 MB"`). */
export function formatByteSize(bytes: number): string {
  if (bytes > 0 && bytes % MB === 0) return `${bytes / MB} MB`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} B`;
}

/** Reads stored overrides leniently: fields of the wrong type are ignored rather than failing every request. */
export function parseNamespaceLimits(json: string | null | undefined): NamespaceLimitOverrides {
  if (!json) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'allowedKinds') {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v;
    } else if (k === 'storeActivations') {
      if (typeof v === 'boolean') out[k] = v;
    } else if (k === 'maxParameterSize' || k === 'maxPayloadSize' || k === 'truncationSize') {
      if (typeof v === 'string' && parseByteSize(v) !== undefined) out[k] = v;
    } else if (typeof v === 'number' && Number.isFinite(v)) {
      out[k] = v;
    }
  }
  return out as NamespaceLimitOverrides;
}

