// The flags of `admin limits set`, one per field of OpenWhisk's `UserLimits` (shared/namespace-limits.ts), named
// as `wskadmin limits set` names them (`--invocationsPerMinute`, `--allowedKinds`, `--enableStoreActivations`, ...),
// and the `key = value` lines `limits get` prints.
import { InvalidArgumentError, Option } from 'commander';
import { type NamespaceLimitOverrides, parseByteSize } from '../../shared/namespace-limits.ts';

type NumberLimit = {
  [K in keyof NamespaceLimitOverrides]-?: NonNullable<NamespaceLimitOverrides[K]> extends number ? K : never;
}[keyof NamespaceLimitOverrides];
type SizeLimit = 'maxParameterSize' | 'maxPayloadSize' | 'truncationSize';

/** Whole-number limits and what each bounds. */
const NUMBERS: ReadonlyArray<[NumberLimit, string]> = [
  ['invocationsPerMinute', 'invocations per minute allowed'],
  ['firesPerMinute', 'trigger fires per minute allowed'],
  ['concurrentInvocations', 'concurrent invocations allowed for this namespace'],
  ['minActionMemory', 'least memory an action may ask for (MB)'],
  ['maxActionMemory', 'most memory an action may ask for (MB)'],
  ['minActionLogs', 'least log size an action may ask for (MB)'],
  ['maxActionLogs', 'most log size an action may ask for (MB)'],
  ['minActionTimeout', 'shortest timeout an action may ask for (ms)'],
  ['maxActionTimeout', 'longest timeout an action may ask for (ms)'],
  ['minActionConcurrency', 'least concurrency an action may ask for'],
  ['maxActionConcurrency', 'most concurrency an action may ask for'],
  ['maxActionInstances', 'most instances of one action (stored and shown; see the README)'],
  ['maxFeeds', 'Kafka feeds the namespace may have at once'],
];

const SIZES: ReadonlyArray<[SizeLimit, string]> = [
  ['maxParameterSize', 'largest parameters (and annotations) of an entity, e.g. "1 MB"'],
  ['maxPayloadSize', 'largest invoke or fire request body, e.g. "1 MB"'],
  ['truncationSize', 'log truncation size, e.g. "1 MB" (stored and shown; see the README)'],
];

/** The order `limits get` prints the stored fields in. */
const ORDER: ReadonlyArray<keyof NamespaceLimitOverrides> = [
  'concurrentInvocations',
  'invocationsPerMinute',
  'firesPerMinute',
  'allowedKinds',
  'storeActivations',
  ...NUMBERS.map(([k]) => k).filter((k) => !['concurrentInvocations', 'invocationsPerMinute', 'firesPerMinute'].includes(k)),
  ...SIZES.map(([k]) => k),
];

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be a whole number of 0 or more.');
  return Number(value);
}

function byteSize(value: string): string {
  if (parseByteSize(value) === undefined) throw new InvalidArgumentError('must be a size such as "512 KB", "1 MB" or "2 GB".');
  return value.trim();
}

/** The `limits set` options. */
export function limitOptions(): Option[] {
  return [
    ...NUMBERS.map(([name, doc]) => new Option(`--${name} <n>`, doc).argParser(nonNegativeInteger)),
    ...SIZES.map(([name, doc]) => new Option(`--${name} <size>`, doc).argParser(byteSize)),
    new Option('--allowedKinds <kinds...>', 'runtime kinds allowed in this namespace (e.g. nodejs:24)'),
    new Option('--enableStoreActivations', 'store the activations of this namespace'),
    new Option('--disableStoreActivations', 'do not store the activations of this namespace (stored and shown; see the README)').conflicts('enableStoreActivations'),
  ];
}

/** The overrides the parsed `limits set` options give; empty when none was given. */
export function overridesOf(opts: Record<string, unknown>): NamespaceLimitOverrides {
  const out: Record<string, unknown> = {};
  for (const [name] of [...NUMBERS, ...SIZES]) if (opts[name] !== undefined) out[name] = opts[name];
  if (Array.isArray(opts.allowedKinds)) out.allowedKinds = (opts.allowedKinds as string[]).flatMap((k) => k.split(',')).filter((k) => k !== '');
  if (opts.enableStoreActivations === true) out.storeActivations = true;
  if (opts.disableStoreActivations === true) out.storeActivations = false;
  return out as NamespaceLimitOverrides;
}

/** `name = value` lines of the stored limits, in a fixed order. */
export function limitLines(limits: NamespaceLimitOverrides): string[] {
  return ORDER.filter((k) => limits[k] !== undefined).map((k) => {
    const value = limits[k];
    return `${k} = ${Array.isArray(value) ? value.join(', ') : String(value)}`;
  });
}
