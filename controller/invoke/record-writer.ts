// Records the controller writes itself (trigger activations, feed requests): write-once, retried through a short
// Redis outage, because an accepted activation must end with a stored record.
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import { RECORD_STORE_RETRY_MS } from '../../shared/completions.ts';
import { retryUntil } from '../../shared/retry.ts';

export const DEFAULT_RECORD_TTL_SECONDS = 7 * 24 * 3600;

export type StoreRecord = (record: ActivationRecord) => Promise<void>;

export function recordWriter(activations: ActivationStore, ttlSeconds = DEFAULT_RECORD_TTL_SECONDS): StoreRecord {
  return async (record) => {
    await retryUntil(() => activations.putRecord(record, ttlSeconds), { giveUpAt: Date.now() + RECORD_STORE_RETRY_MS });
  };
}
