// The authenticated caller (OpenWhisk `E/Identity.scala`): one namespace per key, all rights within it.
import type { NamespaceLimitOverrides } from './namespace-limits.ts';

export interface Identity {
  subject: string;
  namespace: string;
  uuid: string;
  /**
   * The `uuid:key` the caller presented on this request. Kept only in memory, for actions whose
   * `provide-api-key` annotation asks for `__OW_API_KEY`. Absent when the controller acts for a namespace on its
   * own (a Kafka feed firing a trigger): keys are stored hashed, so there is none to hand over.
   */
  apiKey?: string;
  /** Per-namespace limit overrides (`keys.namespaceLimits(ns)`). */
  limits: NamespaceLimitOverrides;
}
