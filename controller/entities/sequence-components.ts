// Checks of a sequence's components when it is created or updated (`CTL/Actions.scala` sequence checks, spec §1.2):
// each is a fully qualified action name (`/_/x` means the caller's namespace) that exists and the caller may read;
// none is the sequence itself; and the atomic actions, nested sequences counted through, are at most the limit.
import { BadRequestError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../auth/identity.ts';
import type { ActionRef, ActionService } from './actions.ts';
import { actionFqn } from './actions.ts';
import { readEntityPath, actionRefOf } from './entity-path.ts';
import { isSequence } from './action.ts';

const doesNotExist = () => new BadRequestError('Sequence component does not exist.');

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
  if (resolved.some((r) => actionFqn(r) === actionFqn(self))) throw new BadRequestError('Sequence may not refer to itself.');

  let atomic = 0;
  const count = async (ref: ActionRef, depth: number): Promise<void> => {
    await actions.entitle(identity, ref);
    const action = await actions.get(ref).catch((err: unknown) => {
      throw err instanceof NotFoundError ? doesNotExist() : err;
    });
    if (!isSequence(action.exec)) {
      atomic += 1;
    } else {
      if (depth > maxLength) throw new BadRequestError('Too many actions in the sequence.'); // a cycle through others
      for (const inner of action.exec.components ?? []) {
        const innerRef = componentRef(inner, identity.namespace);
        if (!innerRef) throw doesNotExist();
        await count(innerRef, depth + 1);
      }
    }
    if (atomic > maxLength) throw new BadRequestError('Too many actions in the sequence.');
  };
  for (const ref of resolved) await count(ref, 1);
  return resolved.map((r) => `/${actionFqn(r)}`);
}
