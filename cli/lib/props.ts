// The wsk properties file: `~/.wskprops`, or the file named by WSK_CONFIG_FILE (even when empty or missing, as
// wsk does: then nothing is read). One `KEY=VALUE` a line, `#` starts a comment; keys are upper case.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { WskError } from './errors.ts';

export type Props = Map<string, string>;

/** The properties file in use: WSK_CONFIG_FILE when set, else ~/.wskprops. */
export function propsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.WSK_CONFIG_FILE;
  if (configured !== undefined) return configured;
  return join(env.HOME || homedir(), '.wskprops');
}

/** Reads the file; a missing or unreadable file is an empty one (wsk falls back to defaults). */
export function readProps(path: string): Props {
  const props: Props = new Map();
  if (path === '') return props;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return props;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    // Split at the first '=' (wsk skips lines with more than one, which would drop base64 values with padding).
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    props.set(line.slice(0, eq).trim().toUpperCase(), line.slice(eq + 1).trim());
  }
  return props;
}

/** Writes every property back, in the order read (new ones last), so the file stays diffable. */
export function writeProps(path: string, props: Props): void {
  if (path === '') throw new WskError('Whisk properties file write failure: WSK_CONFIG_FILE is empty');
  const text = [...props].map(([key, value]) => `${key.toUpperCase()}=${value}\n`).join('');
  try {
    mkdirSync(dirname(path), { recursive: true });
    // The file holds the API key: readable by its owner only.
    writeFileSync(path, text, { mode: 0o600 });
  } catch (err) {
    throw new WskError(`Whisk properties file write failure: ${(err as Error).message}`, { cause: err });
  }
}
