// Checks of a sequence's components when it is created or updated (`CTL/Actions.scala checkSequenceActionLimits`):
// each is a fully qualified action name (`/_/x` means the caller's namespace) that exists and the caller may read;
// the sequence itself is not reachable from them, directly or through other sequences and package bindings, as
// a run would resolve them ("Sequence may not refer to itself."); and the atomic actions, nested sequences counted
// through, are at most the limit. The stored graph may already be hostile (a cycle among other sequences, chains
// made deep by later updates), so the walk itself is bounded: at most `maxLength` sequences deep and
// `WALK_LOOKUPS_PER_ACTION × maxLength` lookups, beyond which the sequence counts as too long.
import { BadRequestError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';
import type { ActionService } from './action-service.ts';
import { type ActionRef, actionFqn, isSequence } from './models/action.ts';
import { readEntityPath, actionRefOf } from './models/entity-path.ts';

const doesNotExist = () => new BadRequestError('Sequence component does not exist.');
const tooMany = () => new BadRequestError('Too many actions in the sequence.');
const cyclic = () => new BadRequestError('Sequence may not refer to itself.');

/** Lookups the walk may make per action the limit allows: room for nesting, never an unbounded walk. */
const WALK_LOOKUPS_PER_ACTION = 4;

/** `/ns/name` or `/ns/pkg/name`, resolved; undefined when it is not such a name. */
export function componentRef(name: string, namespace: string): ActionRef | undefined {
  if (!name.startsWith('/')) return undefined;
  const path = readEntityPath(name, namespace);
  return path && actionRefOf(path);
}

/** Returns the components with `_` resolved, or throws OpenWhisk's 400 (or 403 for a component it may not read). */
export async function checkSequenceComponents(
  actions: ActionService,
  identity: Identity,
  self: ActionRef,
  components: readonly string[],
  maxLength: number,
): Promise<string[]> {
  if (components.length === 0) throw new BadRequestError('No component specified for the sequence.');
  const refs = components.map((c) => componentRef(c, identity.namespace));
  if (refs.some((r) => r === undefined)) throw doesNotExist();
  const resolved = refs as ActionRef[];
  const selfFqn = actionFqn(self);
  if (resolved.some((r) => actionFqn(r) === selfFqn)) throw cyclic();
  if (resolved.length > maxLength) throw tooMany();

  let lookups = 0;
  /** The atomic actions under one component; `path` holds the sequences above it, outermost first. */
  const count = async (ref: ActionRef, path: readonly string[]): Promise<number> => {
    if (actionFqn(ref) === selfFqn) throw cyclic();
    if (++lookups > WALK_LOOKUPS_PER_ACTION * maxLength) throw tooMany();
    await actions.entitle(identity, ref);
    const found = await actions.resolve(ref).catch((err: unknown) => {
      throw err instanceof NotFoundError ? doesNotExist() : err;
    });
    const fqn = actionFqn(found.location);
    if (fqn === selfFqn) throw cyclic(); // reached through a package binding
    if (!isSequence(found.action.exec)) return 1;
    // a cycle that does not pass through this sequence would never end, like one that does; deeper is too long
    if (path.includes(fqn) || path.length >= maxLength) throw tooMany();
    const inner = found.action.exec.components ?? [];
    if (inner.length > maxLength) throw tooMany();
    let atomic = 0;
    for (const name of inner) {
      const innerRef = componentRef(name, identity.namespace);
      if (!innerRef) throw doesNotExist();
      atomic += await count(innerRef, [...path, fqn]);
      if (atomic > maxLength) throw tooMany();
    }
    return atomic;
  };

  let atomic = 0;
  for (const ref of resolved) {
    atomic += await count(ref, []);
    if (atomic > maxLength) throw tooMany();
  }
  return resolved.map((r) => `/${actionFqn(r)}`);
}
