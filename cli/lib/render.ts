// wsk's tables and summaries (openwhisk-client-go `ToHeaderString`/`ToSummaryRowString`, openwhisk-cli
// `printList`, `print*Summary`): a bold header naming the collection, then one row per entity.
import { valueOf } from './params.ts';
import { goDuration, localDateTime, padRight, type Output } from './output.ts';

/** The fields of API entities the renderers read; everything else passes through untouched. */
export interface Entity {
  namespace?: string;
  name?: string;
  version?: string;
  publish?: boolean;
  annotations?: unknown;
  parameters?: unknown;
  [key: string]: unknown;
}

export interface ActivationSummary extends Entity {
  activationId?: string;
  start?: number;
  end?: number;
  duration?: number;
  statusCode?: number;
  logs?: unknown;
  response?: { status?: string; result?: unknown; success?: boolean };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const lower = (e: Entity) => `${str(e.namespace)}${str(e.name)}`.toLowerCase();

/** wsk's action order: actions outside packages first by name, then packaged ones by namespace/package/name. */
function compareActions(a: Entity, b: Entity): number {
  const aPkg = str(a.namespace).includes('/');
  const bPkg = str(b.namespace).includes('/');
  if (aPkg !== bPkg) return aPkg ? 1 : -1;
  if (aPkg) return lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : 0;
  return str(a.name) < str(b.name) ? -1 : str(a.name) > str(b.name) ? 1 : 0;
}

const compareByPath = (a: Entity, b: Entity): number => (lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : 0);

const path = (e: Entity): string => `/${str(e.namespace)}/${str(e.name)}`;

function printList<T extends Entity>(out: Output, header: string, items: readonly T[], row: (item: T) => string, sort?: (a: T, b: T) => number): void {
  out.line(out.bold(header));
  const rows = sort ? [...items].sort(sort) : items;
  for (const item of rows) out.line(row(item));
}

export function printActionList(out: Output, actions: readonly Entity[], sortByName: boolean): void {
  printList(out, 'actions', actions, (a) => `${padRight(path(a), 70)} private ${str(valueOf(a.annotations, 'exec'))}`, sortByName ? compareActions : undefined);
}

export function printTriggerList(out: Output, triggers: readonly Entity[], sortByName: boolean): void {
  printList(out, 'triggers', triggers, (t) => `${padRight(path(t), 70)} private`, sortByName ? compareByPath : undefined);
}

export function printRuleList(out: Output, rules: readonly Entity[], sortByName: boolean): void {
  printList(out, 'rules', rules, (r) => `${padRight(path(r), 70)} ${padRight('private', 20)} ${str(r.status)}`, sortByName ? compareByPath : undefined);
}

export function printPackageList(out: Output, packages: readonly Entity[], sortByName: boolean): void {
  printList(out, 'packages', packages, (p) => `${padRight(path(p), 70)} ${p.publish === true ? 'shared' : 'private'}`, sortByName ? compareByPath : undefined);
}

export function printNamespaceList(out: Output, namespaces: readonly string[]): void {
  out.line(out.bold('namespaces'));
  for (const ns of namespaces) out.line(ns);
}

const STATUS = ['success', 'application error', 'developer error', 'internal error'];

/** wsk's middle-ellipsis truncation (`TruncateStr`). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let mid = Math.floor(max / 2);
  const upper = text.length - mid + 3;
  if (max % 2 !== 0) mid++;
  return `${text.slice(0, mid)}...${text.slice(upper)}`;
}

/** `wsk activation list`: Datetime, Activation ID, Kind, Start (cold/warm), Duration, Status, Entity. */
export function printActivationList(out: Output, activations: readonly ActivationSummary[]): void {
  const kindOf = (a: ActivationSummary) => str(valueOf(a.annotations, 'kind')) || 'unknown';
  const statusOf = (a: ActivationSummary) => {
    const code = a.statusCode ?? 0;
    return code > 0 && code < STATUS.length ? (STATUS[code] ?? 'success') : 'success';
  };
  const kindWidth = Math.max(4, ...activations.map((a) => kindOf(a).length));
  const statusWidth = Math.max(6, ...activations.map((a) => statusOf(a).length));
  out.line(out.bold(`${padRight('Datetime', 19)} ${padRight('Activation ID', 32)} ${padRight('Kind', kindWidth)} ${padRight('Start', 6)}${padRight('Duration', 10)} ${padRight('Status', statusWidth)} ${padRight('Entity', 6)}`));
  for (const a of activations) {
    const start = a.start ?? 0;
    const duration = a.duration ? (a.end ?? start) - start : 0;
    const warm = valueOf(a.annotations, 'initTime') === undefined ? 'warm' : 'cold';
    const entity = `${truncate(str(a.namespace), 20)}/${truncate(str(a.name), 30)}:${truncate(str(a.version), 20)}`;
    out.line(
      `${localDateTime(start)} ${padRight(str(a.activationId), 32)} ${padRight(kindOf(a), kindWidth)} ${padRight(warm, 5)} ${padRight(goDuration(duration), 10)} ${padRight(statusOf(a), statusWidth)} ${entity}`,
    );
  }
}

/** Names of bound parameters (`*` prefix, `**` when final) and of parameters described in annotations. */
function paramUnion(annotations: unknown, parameters: unknown): string[] {
  const bound = Array.isArray(parameters) ? (parameters as Array<{ key?: unknown }>).map((p) => str(p.key)).sort() : [];
  const described = valueOf(annotations, 'parameters');
  const annotated = Array.isArray(described) ? (described as Array<{ name?: unknown }>).map((p) => p?.name).filter((n): n is string => typeof n === 'string') : [];
  const tag = valueOf(annotations, 'final') === true ? '**' : '*';
  return [...new Set([...bound, ...annotated])].sort().map((name) => (bound.includes(name) ? `${tag}${name}` : name));
}

function paramDescription(params: string): string {
  const names = params.replaceAll('*', '').split(',');
  if (names.length > 1) {
    const last = names[names.length - 1] ?? '';
    return `Returns a result based on parameters ${params.replaceAll('*', '').replace(`,${last}`, ` and${last}`)}`;
  }
  return `Returns a result based on parameter ${params.replaceAll('*', '')}`;
}

function printEntitySummary(out: Output, type: string, fullName: string, description: string, params: string): void {
  const none = 'none defined';
  const shown = params === '' ? none : params;
  if (description !== '') out.line(`${out.bold(type)} ${fullName}: ${description}`);
  else if (shown !== none) out.line(`${out.bold(type)} ${fullName}: ${paramDescription(shown)}`);
  else out.line(`${out.bold(type)} ${fullName}`);
  out.line(`   (${out.bold('parameters')}: ${shown})`);
}

const fullName = (...parts: string[]) => `/${parts.filter((p) => p !== '').join('/')}`;
const describe = (e: Entity) => str(typeof valueOf(e.annotations, 'description') === 'string' ? valueOf(e.annotations, 'description') : '');

export function printActionSummary(out: Output, action: Entity): void {
  printEntitySummary(out, 'action', fullName(str(action.namespace), str(action.name)), describe(action), paramUnion(action.annotations, action.parameters).join(', '));
}

export function printTriggerSummary(out: Output, trigger: Entity): void {
  printEntitySummary(out, 'trigger', fullName(str(trigger.namespace), str(trigger.name)), describe(trigger), paramUnion(trigger.annotations, trigger.parameters).join(', '));
}

export function printRuleSummary(out: Output, rule: Entity): void {
  out.line(`${out.bold('rule')} ${fullName(str(rule.namespace), str(rule.name))}`);
  out.line(`   (${out.bold('status')}: ${str(rule.status)})`);
}

export function printPackageSummary(out: Output, pkg: Entity): void {
  const ns = str(pkg.namespace);
  const name = str(pkg.name);
  printEntitySummary(out, 'package', fullName(ns, name), describe(pkg), paramUnion(pkg.annotations, pkg.parameters).join(', '));
  for (const action of (Array.isArray(pkg.actions) ? pkg.actions : []) as Entity[]) {
    printEntitySummary(out, ' action', fullName(ns, name, str(action.name)), describe(action), paramUnion(action.annotations, action.parameters).join(', '));
  }
  for (const feed of (Array.isArray(pkg.feeds) ? pkg.feeds : []) as Entity[]) {
    printEntitySummary(out, ' feed  ', fullName(ns, name, str(feed.name)), describe(feed), paramUnion(feed.annotations, feed.parameters).join(', '));
  }
}
