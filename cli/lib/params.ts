// Parameters and annotations, read as wsk reads them. wsk takes `-p KEY VALUE` (two words), `-P FILE`, `-a`,
// `-A`, `-F`, `-T` out of the command line before its flag parser runs (`commands.go parseArgs`), so they may
// appear anywhere; this does the same before commander sees the arguments. A VALUE that parses as JSON is that
// JSON value, anything else is a string (`-p n 1` is the number 1, `-p s hello` the string "hello").
// Later values win for the same key.
import { readFileSync, statSync } from 'node:fs';
import { EXIT_USAGE, WskError } from './errors.ts';

export interface ExtractedArgs {
  /** The command line without the parameter flags. */
  rest: string[];
  /** JSON object texts, in command-line order (a `-P` file contributes its content). */
  params: string[];
  annotations: string[];
  feedParams: string[];
  triggerParams: string[];
  /** The flags seen, for commands that do not take them. */
  seen: string[];
}

export const noExtractedArgs = (): ExtractedArgs => ({ rest: [], params: [], annotations: [], feedParams: [], triggerParams: [], seen: [] });

type Kind = 'params' | 'annotations' | 'feedParams' | 'triggerParams';

const KEY_VALUE_FLAGS: Record<string, Kind> = {
  '-p': 'params',
  '--param': 'params',
  '-a': 'annotations',
  '--annotation': 'annotations',
  '-F': 'feedParams',
  '--feed-param': 'feedParams',
  '-T': 'triggerParams',
  '--trigger-param': 'triggerParams',
};
const FILE_FLAGS: Record<string, Kind> = {
  '-P': 'params',
  '--param-file': 'params',
  '-A': 'annotations',
  '--annotation-file': 'annotations',
};

/** `{"<key>": <value as JSON, else as string>}` — wsk's getFormattedJSON. */
export function keyValueJson(key: string, value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = value;
  }
  return JSON.stringify({ [key]: parsed });
}

/** Reads a file named on the command line, with wsk's texts (a missing file is a usage error). */
export function readArgFile(path: string): string {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new WskError(`File '${path}' is not a valid file or it does not exist`, { exitCode: EXIT_USAGE, usage: true });
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new WskError(`Unable to read the file '${path}': ${(err as Error).message}`, { usage: true, cause: err });
  }
}

export function extractParamArgs(argv: readonly string[]): ExtractedArgs {
  const out = noExtractedArgs();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.rest.push(...argv.slice(i));
      break;
    }
    const kv = KEY_VALUE_FLAGS[arg];
    const file = FILE_FLAGS[arg];
    if (kv) {
      const key = argv[i + 1];
      const value = argv[i + 2];
      if (key === undefined || value === undefined) {
        const what = kv === 'annotations' ? 'annotation' : 'parameter';
        throw new WskError(`Failed to parse arguments: The ${what} arguments are invalid: Arguments for '${arg}' must be a key/value pair`, { usage: true });
      }
      out[kv].push(keyValueJson(key, value));
      out.seen.push(arg);
      i += 2;
    } else if (file) {
      const path = argv[i + 1];
      if (path === undefined) {
        const what = file === 'annotations' ? 'annotation' : 'parameter';
        throw new WskError(`Failed to parse arguments: The ${what} arguments are invalid: An argument must be provided for '${arg}'`, { usage: true });
      }
      out[file].push(readArgFile(path));
      out.seen.push(arg);
      i += 1;
    } else {
      out.rest.push(arg);
    }
  }
  return out;
}

/** Merges the JSON object texts into one object (wsk's getJSONFromStrings); `what` names them in errors. */
export function mergeJsonObjects(texts: readonly string[], what: 'parameter' | 'annotation'): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const text of texts) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new WskError(`Invalid ${what} argument '${text.trim()}': ${(err as Error).message}`, { usage: true, cause: err });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new WskError(`Invalid ${what} argument '${text.trim()}': a JSON object is required`, { usage: true });
    }
    Object.assign(merged, value);
  }
  return merged;
}

export interface KeyValue {
  key: string;
  value: unknown;
}

export const toKeyValues = (object: Record<string, unknown>): KeyValue[] => Object.entries(object).map(([key, value]) => ({ key, value }));

/** The value of `key` in a key/value list. */
export function valueOf(list: unknown, key: string): unknown {
  if (!Array.isArray(list)) return undefined;
  return (list as KeyValue[]).find((kv) => kv?.key === key)?.value;
}
