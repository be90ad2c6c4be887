// Terminal output as wsk prints it: "ok:" in green, entity names in bold, "error:" in red (colour only on a TTY
// and never with NO_COLOR), JSON indented by four spaces with keys in wsk's order (Go prints struct fields in
// declaration order and map keys sorted), and a spinner on stderr while a blocking call waits.
import type { Writable } from 'node:stream';

export interface Stream {
  write(text: string): void;
  readonly isTTY: boolean;
}

export function streamOf(stream: Writable & { isTTY?: boolean }): Stream {
  return { write: (text) => void stream.write(text), isTTY: stream.isTTY === true };
}

/** Colour when the stream is a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  if ((env.FORCE_COLOR ?? '') !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY && env.TERM !== 'dumb';
}

const ansi = (open: number, close: number) => (on: boolean, text: string) => (on ? `\x1b[${open}m${text}\x1b[${close}m` : text);
const green = ansi(32, 39);
const red = ansi(31, 39);
const boldText = ansi(1, 22);

export class Output {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly #outColor: boolean;
  readonly #errColor: boolean;

  constructor(stdout: Stream, stderr: Stream, env: NodeJS.ProcessEnv = process.env) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.#outColor = colorEnabled(stdout, env);
    this.#errColor = colorEnabled(stderr, env);
  }

  /** Bold for stdout (or stderr with `toErr`). */
  bold(text: string, toErr = false): string {
    return boldText(toErr ? this.#errColor : this.#outColor, text);
  }

  okPrefix(toErr = false): string {
    return green(toErr ? this.#errColor : this.#outColor, 'ok:');
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A line on stderr. */
  errLine(text = ''): void {
    this.stderr.write(`${text}\n`);
  }

  /** `ok: <verb> <bold name>` — wsk's confirmation lines. */
  ok(text: string, toErr = false): void {
    const line = `${this.okPrefix(toErr)} ${text}`;
    if (toErr) this.errLine(line);
    else this.line(line);
  }

  /** `error: <message>` on stderr. */
  error(message: string): void {
    this.errLine(`${red(this.#errColor, 'error:')} ${message}`);
  }

  /** JSON as wsk's printJSON: four-space indent, then a newline. */
  json(value: unknown, shape?: Shape, toErr = false): void {
    const text = `${formatJson(value, shape)}\n`;
    if (toErr) this.stderr.write(text);
    else this.stdout.write(text);
  }

  /** A spinner on stderr while `work` runs, shown only on a TTY and only after `delayMs`. */
  async spin<T>(work: Promise<T>, delayMs = 500): Promise<T> {
    if (!this.stderr.isTTY) return work;
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let frame = 0;
    let shown = false;
    let ticker: NodeJS.Timeout | undefined;
    const starter = setTimeout(() => {
      shown = true;
      ticker = setInterval(() => {
        this.stderr.write(`\r${frames[frame++ % frames.length]} waiting for the activation to finish`);
      }, 80);
    }, delayMs);
    try {
      return await work;
    } finally {
      clearTimeout(starter);
      if (ticker) clearInterval(ticker);
      if (shown) this.stderr.write('\r\x1b[K');
    }
  }
}

/**
 * How an entity's JSON is laid out: the keys wsk's Go struct declares, in order; `omitEmpty` ones are left out
 * when empty (Go's `omitempty`). Keys the struct does not know follow, sorted. `children` gives the shape of a
 * key's value (of each element, for an array). Without a shape, object keys are sorted (Go maps).
 */
export interface Shape {
  order: readonly string[];
  omitEmpty?: readonly string[];
  children?: Readonly<Record<string, Shape>>;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

/** Go's encoder (SetEscapeHTML(false)) escapes U+2028/U+2029 too; JSON.stringify does not. */
function quote(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function formatJson(value: unknown, shape?: Shape, indent = ''): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + formatJson(v, shape, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value !== 'object') return 'null';
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).filter((k) => object[k] !== undefined);
  let ordered: string[];
  if (shape) {
    const known = shape.order.filter((k) => keys.includes(k) && !(shape.omitEmpty?.includes(k) && isEmpty(object[k])));
    ordered = [...known, ...keys.filter((k) => !shape.order.includes(k)).sort()];
  } else {
    ordered = keys.sort();
  }
  if (ordered.length === 0) return '{}';
  const lines = ordered.map((k) => {
    return `${inner}${quote(k)}: ${formatJson(object[k], shape?.children?.[k], inner)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

const KEY_VALUE: Shape = { order: ['key', 'value'] };
const LIMITS: Shape = { order: ['timeout', 'memory', 'logs', 'concurrency'], omitEmpty: ['timeout', 'memory', 'logs', 'concurrency'] };
const EXEC: Shape = {
  order: ['kind', 'code', 'image', 'init', 'main', 'components', 'binary'],
  omitEmpty: ['kind', 'code', 'image', 'init', 'main', 'components'],
};
const ACTION_ORDER = ['namespace', 'name', 'version', 'exec', 'annotations', 'delAnnotations', 'parameters', 'limits', 'error', 'code', 'publish', 'updated', 'env'];

/** wsk's `whisk.Action`. */
export const ACTION_SHAPE: Shape = {
  order: ACTION_ORDER,
  omitEmpty: ACTION_ORDER.filter((k) => k !== 'publish' && k !== 'exec' && k !== 'limits'),
  children: { exec: EXEC, limits: LIMITS, annotations: KEY_VALUE, parameters: KEY_VALUE, env: KEY_VALUE },
};

/** wsk's `whisk.Activation`. */
export const ACTIVATION_SHAPE: Shape = {
  order: ['namespace', 'name', 'version', 'subject', 'activationId', 'cause', 'start', 'end', 'duration', 'statusCode', 'response', 'logs', 'annotations', 'publish'],
  omitEmpty: ['cause'],
  children: { response: { order: ['status', 'statusCode', 'success', 'result'] }, annotations: KEY_VALUE },
};

/** wsk's `whisk.Trigger`. */
export const TRIGGER_SHAPE: Shape = {
  order: ['namespace', 'name', 'version', 'activationId', 'annotations', 'parameters', 'limits', 'publish', 'rules', 'updated'],
  omitEmpty: ['namespace', 'version', 'activationId', 'annotations', 'parameters', 'rules', 'updated'],
  children: { annotations: KEY_VALUE, parameters: KEY_VALUE },
};

/** wsk's `whisk.Rule`. */
export const RULE_SHAPE: Shape = {
  order: ['namespace', 'name', 'version', 'annotations', 'status', 'trigger', 'action', 'publish', 'updated'],
  omitEmpty: ['namespace', 'name', 'version', 'annotations', 'updated'],
  children: { annotations: KEY_VALUE },
};

/** wsk's `whisk.Package`. */
export const PACKAGE_SHAPE: Shape = {
  order: ['namespace', 'name', 'version', 'publish', 'annotations', 'parameters', 'binding', 'actions', 'feeds', 'updated'],
  omitEmpty: ['namespace', 'name', 'version', 'annotations', 'parameters', 'actions', 'feeds', 'updated'],
  children: { annotations: KEY_VALUE, parameters: KEY_VALUE, binding: { order: ['namespace', 'name'] }, actions: ACTION_SHAPE, feeds: ACTION_SHAPE },
};

/** Go's `time.Duration.String()` for a whole number of milliseconds: "42ms", "1.5s", "1m2.003s", "0s". */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${sign}${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local time as Go's `%d-%02d-%02d %02d:%02d:%02d`. */
export function localDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Go's default `time.Time` text: `2006-01-02 15:04:05 -0700 MST`. */
export function goTime(epochMs: number): string {
  const d = new Date(epochMs);
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${localDateTime(epochMs)} ${zone} ${name}`.trimEnd();
}

/** `%-Ns`: left-justified to `width` (never truncated). */
export const padRight = (text: string, width: number): string => text.padEnd(width);
