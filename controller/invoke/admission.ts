// The invoke of a known action in one Redis round trip before its publish (docs/performance.md).
//
// An invoke needs the action's document, the namespace's rate counter and the pending entry's write: three commands
// in two round trips, since the entry is built from the document. For an action of the caller's own namespace
// outside any package, the document read last time is kept here (without its code, which planning never reads),
// keyed by namespace and name. The next invoke is planned from it, and the pending entry's write checks in the
// same command that the stored document still has that revision, then counts the rate
// (controller/durability/add-pending.lua). Revisions never repeat for a name (controller/entities/entity-store.ts),
// so a changed, deleted or re-created action is always seen: nothing is counted or written, the entry is dropped,
// and the invoke takes the full path. No invoke is ever planned from a document older than the stored one.
import { LRUCache } from 'lru-cache';
import type { ActionService, ResolvedAction } from '../entities/action-service.ts';
import { type ActionDoc, type ActionRef, CONDUCTOR_ANNOTATION, isSequence } from '../entities/models/action.ts';
import { isTruthy } from '../entities/models/parameters.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { Identity } from '../../shared/identity.ts';
import type { AdmissionChecks } from '../durability/pending-table.ts';
import type { Throttles } from '../throttles/throttles.ts';

/** How many actions one controller remembers, and how many bytes of their documents (parameters can be large). */
export const KNOWN_ACTIONS_MAX = 10_000;
export const KNOWN_ACTIONS_MAX_BYTES = 32 * 1024 * 1024;

export class KnownActions {
  // least recently invoked out first
  readonly #entries: LRUCache<string, ResolvedAction>;
  readonly #keys: RedisKeys;

  constructor(keys: RedisKeys, max = KNOWN_ACTIONS_MAX, maxBytes = KNOWN_ACTIONS_MAX_BYTES) {
    this.#keys = keys;
    this.#entries = new LRUCache({ max, maxSize: maxBytes, sizeCalculation: (entry, key) => key.length + JSON.stringify(entry.action).length });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The action as last resolved, if this ref can be admitted from memory at all. */
  get(identity: Identity, ref: ActionRef): ResolvedAction | undefined {
    return admissible(identity, ref) ? this.#entries.get(entryKey(ref)) : undefined;
  }

  /** Keeps a resolved action of the caller's own namespace outside any package; the caller keeps only atomic ones. */
  remember(identity: Identity, ref: ActionRef, resolved: ResolvedAction): void {
    if (!admissible(identity, ref) || resolved.binding !== undefined) return;
    const { action } = resolved;
    this.#entries.set(entryKey(ref), { ...resolved, action: { ...action, exec: { ...action.exec, code: '' } } });
  }

  /**
   * An action this controller just wrote, kept as if resolved (write-through): its first invoke here is admitted
   * from memory too. Sequences and conductor actions are run by the controller, never admitted, so not kept.
   */
  written(identity: Identity, ref: ActionRef, doc: ActionDoc): void {
    if (isSequence(doc.exec) || isTruthy(doc.annotations, CONDUCTOR_ANNOTATION)) this.forget(ref);
    else this.remember(identity, ref, { action: doc, location: ref });
  }

  forget(ref: ActionRef): void {
    this.#entries.delete(entryKey(ref));
  }

  /** What the pending entry's write checks for an invoke planned from `known`; undefined → take the full path. */
  checks(throttles: Throttles, identity: Identity, known: ResolvedAction): AdmissionChecks | undefined {
    const rate = throttles.invokeRateCheck(identity);
    if (!rate) return undefined; // the concurrency check refuses: the full path counts the rate first, as it must
    const { location, action } = known;
    return { rate, document: { key: this.#keys.entity(location.namespace, 'actions', location.name), revision: action.revision } };
  }
}

/** Own namespace, no package: no entitlement to read and no package document the plan depends on. */
function admissible(identity: Identity, ref: ActionRef): boolean {
  return ref.pkg === undefined && ref.namespace === identity.namespace;
}

const entryKey = (ref: ActionRef): string => `${ref.namespace}/${ref.name}`;

/** `actions`, with every write and delete it makes passed on to `known`. */
export function writingThrough(actions: ActionService, known: KnownActions): ActionService {
  return {
    ...actions,
    async put(identity, ref, body, overwrite) {
      const doc = await actions.put(identity, ref, body, overwrite);
      known.written(identity, ref, doc);
      return doc;
    },
    async remove(ref) {
      known.forget(ref);
      return actions.remove(ref);
    },
  };
}
