// The path of a web action (`CTL/WebActions.scala`): `/api/v1/web/{namespace}/{package|default}/{action}[.{ext}][/{rest}]`.
// The extension picks how the result becomes an HTTP response; the rest of the path reaches the action as `__ow_path`.
import { isEntityName } from '../../shared/entity-names.ts';
import type { ActionRef } from '../entities/models/action.ts';

export const WEB_PREFIX = '/api/v1/web/';

export const EXTENSIONS = ['http', 'json', 'html', 'svg', 'text'] as const;
export type Extension = (typeof EXTENSIONS)[number];

export interface WebPath {
  ref: ActionRef;
  extension: Extension;
  /** What follows the action segment, with its leading slash; `""` when nothing does. */
  rest: string;
}

/** Undefined when the path does not name an action (the API answers 404). */
export function parseWebPath(path: string): WebPath | undefined {
  if (!path.startsWith(WEB_PREFIX)) return undefined;
  const segments = path.slice(WEB_PREFIX.length).split('/');
  const [namespace, pkg, last, ...rest] = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return '\0'; // not a valid name either way
    }
  });
  if (namespace === undefined || pkg === undefined || last === undefined) return undefined;
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1) : '';
  const known = (EXTENSIONS as readonly string[]).includes(ext);
  const name = known ? last.slice(0, dot) : last;
  if (![namespace, pkg, name].every(isEntityName)) return undefined;
  const ref: ActionRef = pkg === 'default' ? { namespace, name } : { namespace, pkg, name };
  return { ref, extension: known ? (ext as Extension) : 'http', rest: rest.length > 0 ? `/${rest.join('/')}` : '' };
}
