// One V8 isolate for one action (isolated-vm): created empty (a stem cell), initialized once with the
// action's code, then run any number of times, one run at a time. It enforces the action's limits —
// timeout (isolated-vm's `timeout` for busy code, plus the host's own deadline that disposes the isolate
// for code that never settles), memory (the isolate's heap limit, watched for overshoot), logs, result size
// and pending timers, each bounded before it is copied to the host (docs/tenant-isolation.md) — and reports
// every activation as an ActivationOutcome (classify.ts). No Kafka, Redis or pool knowledge here.
//
// Security (GHSA-864f-rcv7-6rh4): the guest only ever receives ivm.Callback functions (their arguments are
// copied) and copied data. Every ivm.Reference (to the guest's init/run/fireTimer/settleHost) stays on the
// host side, and the guest has no require, process, file system or network of the host: its only way out is
// `fetch` when the sandbox is given a FetchService (fetch-host.ts), whose requests the host judges and carries out.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { ArchiveError, readArchive } from './archive.ts';
import {
  classifyInit,
  classifyRun,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_TRUNCATION_BYTES,
  Messages,
  type ActivationOutcome,
  type ClassifiedResponse,
  type InitEnding,
  type JsonObject,
  type JsonValue,
  type RunEnding,
} from './classify.ts';
import type { FetchService } from './fetch-host.ts';
import { DEFAULT_MAX_LOG_LINES, LogCollector, type LogStream } from './logs.ts';
import { adapterSpec, type AdapterSpec } from './signature-adapters.ts';
import { signatureOf, type Signature } from '../../shared/signatures.ts';

const BOOTSTRAP = readFileSync(new URL('./guest-bootstrap.js', import.meta.url), 'utf8');
const GUEST_FETCH = readFileSync(new URL('./guest-fetch.js', import.meta.url), 'utf8');
/** `require('openwhisk')` (docs/openwhisk-client.md), offered with fetch. */
const GUEST_OPENWHISK = readFileSync(new URL('./guest-openwhisk.js', import.meta.url), 'utf8');
/** The globals guest-fetch.js makes. */
const GUEST_FETCH_GLOBALS = ['fetch', 'Request', 'Response', 'Headers', 'AbortController', 'AbortSignal', 'DOMException'];
const MiB = 1024 * 1024;
/** Pending timers one activation may hold (`ISOWHISK_INVOKER_MAX_TIMERS`). */
export const DEFAULT_MAX_TIMERS = 10_000;
/** `ISOWHISK_INVOKER_ARCHIVE_MAX_MB`. */
export const DEFAULT_MAX_ARCHIVE_BYTES = 64 * MiB;
/** `ISOWHISK_INVOKER_ISOLATE_OVERSHOOT_PERCENT` as a fraction. */
export const DEFAULT_ISOLATE_OVERSHOOT = 0.1;
/** How often a running isolate's heap is sampled (the sample is taken when the isolate is between tasks). */
const HEAP_WATCH_MS = 100;

/** `__OW_*` values for process.env (OpenWhisk's Node runtime, `runner.js`). `__OW_DEADLINE` is computed by the sandbox for init and for run. */
export type OwEnv = Readonly<Partial<Record<`__OW_${string}`, string>>>;

/** What a host function knows of the call it answers. */
export interface HostCall {
  /**
   * Aborted when the call's answer is no longer wanted: its activation ended (returned, failed, timed out, its
   * isolate disposed) or the guest cancelled it (an aborted fetch). Work for the call should stop then.
   */
  readonly signal: AbortSignal;
  /** The same object for every call of one init or run window: for limits per activation. */
  readonly activation: object;
  /** When the window's time runs out (ms since the epoch). */
  readonly deadline: number;
}

/**
 * A host function offered to actions as an async global: called with the guest's arguments (copied), its
 * resolved value (structured-cloneable: JSON values, typed arrays, ArrayBuffers) is copied back. Only answered
 * while an activation runs; it runs in the async context of the `activate`/`run` call (its trace span, its tenant).
 */
export type HostFunction = (args: unknown[], call: HostCall) => Promise<unknown>;

export interface SandboxOptions {
  /** Heap limit of the isolate = the action's memory limit (MB). */
  memoryMB: number;
  hostFunctions?: Readonly<Record<string, HostFunction>>;
  /** Offers `fetch`, Request, Response, Headers, AbortController and AbortSignal to actions (docs/fetch.md). */
  fetch?: FetchService;
  /** Pending timers an action may hold (bounds host memory and the host's timer work). Default 10,000. */
  maxTimers?: number;
  /** Log lines one activation may keep, whatever its log limit. Default `DEFAULT_MAX_LOG_LINES`. */
  maxLogLines?: number;
  /**
   * How far past `memoryMB` (a fraction: 0.1 is 10 %) the isolate may grow before it is disposed. isolated-vm's
   * memory limit is soft: V8 may pass it before it refuses an allocation. Default `DEFAULT_ISOLATE_OVERSHOOT`.
   */
  overshoot?: number;
  /** Inflated bytes an action archive may hold, and never more than `memoryMB`. Default `DEFAULT_MAX_ARCHIVE_BYTES`. */
  maxArchiveBytes?: number;
  /** isolated-vm: V8 lost control of an isolate; the process should stop taking work and exit. */
  onCatastrophicError?: (message: string) => void;
}

export interface ActionCode {
  /** JavaScript source, or base64 zip / tar.gz when `binary`. */
  code: string;
  /** Entry point; `file.fn` is allowed for archives. Default `main` (with a signature: that platform's default). */
  main?: string;
  binary?: boolean;
  /**
   * Another platform's calling convention (shared/signatures.ts, docs/signatures.md); none, or `openwhisk`, is
   * OpenWhisk's `main(params)`. A name not known fails the init.
   */
  signature?: string;
}

export interface InitRequest {
  action: ActionCode;
  /** Init-only parameters, delivered as environment variables (stringified as the nodejs runtime does). */
  env?: Readonly<Record<string, JsonValue>>;
  owEnv: OwEnv;
  timeoutMs: number;
  logLimitBytes: number;
}

export interface RunRequest {
  /** The parameters, or their JSON text as it came (the guest parses it: nothing is copied into the isolate). */
  params: JsonObject | string;
  owEnv: OwEnv;
  timeoutMs: number;
  logLimitBytes: number;
  /** Namespace payload limits; both default to OpenWhisk's 1 MB. */
  maxResultBytes?: number;
  truncationBytes?: number;
}

/** Init (when the sandbox is still empty) and run as one activation. */
export interface ActivateRequest extends RunRequest {
  action: ActionCode;
  env?: Readonly<Record<string, JsonValue>>;
}

export type InitOutcome = { ready: true; initTimeMs: number; logs: string[] } | { ready: false; outcome: ActivationOutcome };

export type SandboxState = 'empty' | 'ready' | 'dead';

/** Endings the host itself can cause; members of both InitEnding and RunEnding. */
type HostEnding = { kind: 'timedOut'; timeoutMs: number } | { kind: 'outOfMemory' } | { kind: 'exited' };

/** What host callbacks see of the open window, whichever kind of ending it collects. */
interface OpenWindow {
  readonly logs: LogCollector;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly done: boolean;
  /** Aborted when the window ends: host work done for it (fetches) stops with it. */
  readonly ended$: AbortSignal;
  /** Runs `fn` in the async context the window was opened in (trace context, tenant). */
  readonly inContext: <R>(fn: () => R) => R;
  finish(ending: HostEnding): void;
}

const WINDOW_ENDED = () => new Error('the activation ended');

/** The span of one init or one run: its logs, its deadline, and the first ending that reaches it. */
class Window<E> implements OpenWindow {
  readonly logs: LogCollector;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly ended: Promise<E | HostEnding>;
  /** Made when a host call first asks for `ended$`: most runs make none, and an abort costs an Error. */
  #ender: AbortController | undefined;
  readonly inContext: <R>(fn: () => R) => R = AsyncLocalStorage.snapshot();
  #resolve: (ending: E | HostEnding) => void = () => {};
  #done = false;

  constructor(logs: LogCollector, timeoutMs: number) {
    this.logs = logs;
    this.timeoutMs = timeoutMs;
    this.deadline = Date.now() + timeoutMs;
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  get ended$(): AbortSignal {
    if (this.#done) return AbortSignal.abort(WINDOW_ENDED());
    this.#ender ??= new AbortController();
    return this.#ender.signal;
  }

  finish(ending: E | HostEnding): void {
    if (this.#done) return;
    this.#done = true;
    this.#ender?.abort(WINDOW_ENDED());
    this.#resolve(ending);
  }
}

interface GuestApi {
  init: ivm.Reference;
  run: ivm.Reference;
  fireTimer: ivm.Reference;
  settleHost: ivm.Reference;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `__OW_*` strings the guest gets, with `__OW_DEADLINE` = now + timeout for this init or run (as the Node runtime's `runner.js`). */
function guestOwEnv(owEnv: OwEnv, deadline: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(owEnv)) if (key.startsWith('__OW_') && typeof value === 'string') env[key] = value;
  env.__OW_DEADLINE = String(deadline);
  return env;
}

/** The nodejs runtime's init env rule: JSON null and falsy scalars → "", other scalars → text, objects → JSON. */
export function initEnvValue(value: JsonValue): string {
  if (typeof value !== 'object' || value === null) return value ? String(value) : '';
  return JSON.stringify(value);
}

export class ActionSandbox {
  readonly memoryMB: number;
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #hostFunctions: Readonly<Record<string, HostFunction>>;
  readonly #fetch: FetchService | undefined;
  /** Host calls in flight, by the guest's request id, so the guest can cancel them. */
  readonly #hostCalls = new Map<number, AbortController>();
  readonly #maxTimers: number;
  readonly #maxLogLines: number;
  /** Heap (used + external) past which the isolate is disposed. */
  readonly #heapCeiling: number;
  readonly #maxArchiveBytes: number;
  #heapWatch: NodeJS.Timeout | undefined;
  #guest: GuestApi | undefined;
  #state: SandboxState = 'empty';
  #busy = false;
  /** The heap sample taken as the last activation ended (see heapBytes); cleared when the next one starts. */
  #idleHeap: ivm.HeapStatistics | undefined;
  #window: OpenWindow | undefined;
  /** The one wake-up the guest's timers need: when the earliest is due (Infinity: none asked). */
  #wakeAt = Infinity;
  #wakeTimer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  /** A fireTimer call is in flight (at most one at a time). */
  #firing = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #killedAtDeadline = false;

  private constructor(isolate: ivm.Isolate, context: ivm.Context, options: SandboxOptions) {
    this.memoryMB = options.memoryMB;
    this.#isolate = isolate;
    this.#context = context;
    this.#fetch = options.fetch;
    this.#hostFunctions = options.fetch === undefined ? (options.hostFunctions ?? {}) : { ...options.hostFunctions, fetch: options.fetch.call };
    this.#maxTimers = options.maxTimers ?? DEFAULT_MAX_TIMERS;
    this.#maxLogLines = options.maxLogLines ?? DEFAULT_MAX_LOG_LINES;
    this.#maxArchiveBytes = Math.min(options.maxArchiveBytes ?? DEFAULT_MAX_ARCHIVE_BYTES, options.memoryMB * MiB);
    this.#heapCeiling = options.memoryMB * MiB * (1 + (options.overshoot ?? DEFAULT_ISOLATE_OVERSHOOT));
  }

  /** A new empty isolate with the guest runtime installed (a stem cell). */
  static async create(options: SandboxOptions): Promise<ActionSandbox> {
    const isolate = new ivm.Isolate({
      memoryLimit: options.memoryMB,
      onCatastrophicError:
        options.onCatastrophicError ?? ((message: string) => console.error(`isolated-vm catastrophic error: ${message}`)),
    });
    try {
      const context = await isolate.createContext();
      const sandbox = new ActionSandbox(isolate, context, options);
      await sandbox.#bootstrap();
      return sandbox;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  async #bootstrap(): Promise<void> {
    // Callbacks run on the host when the guest calls them; their arguments arrive as copies.
    const log = new ivm.Callback((stream: unknown, text: unknown) => this.#onLog(stream, text));
    const wake = new ivm.Callback((delayMs: unknown) => this.#onWake(delayMs));
    const hostRequest = new ivm.Callback((id: unknown, name: unknown, args: unknown) => this.#onHostRequest(id, name, args));
    const hostCancel = new ivm.Callback((id: unknown) => this.#onHostCancel(id));
    const names = new ivm.ExternalCopy(Object.keys(this.#hostFunctions)).copyInto();
    const fetch = this.#fetch;
    const fetchSettings =
      fetch === undefined
        ? null
        : new ivm.ExternalCopy({
            names: GUEST_FETCH_GLOBALS,
            maxConcurrent: fetch.limits.maxConcurrent,
            maxRequestBodyBytes: fetch.limits.maxRequestBodyBytes,
            maxUrlChars: fetch.limits.maxUrlChars,
            maxHeaderChars: fetch.limits.maxHeaderChars,
          }).copyInto();
    const fetchSource = new ivm.Callback(() => GUEST_FETCH);
    const openwhiskSource = new ivm.Callback(() => GUEST_OPENWHISK);
    const api = await this.#context.evalClosure(BOOTSTRAP, [log, wake, this.#maxTimers, hostRequest, names, hostCancel, fetchSettings, fetchSource, openwhiskSource], {
      filename: 'isowhisk:runtime',
      result: { reference: true },
    });
    const get = (name: string) => api.get(name, { reference: true }) as Promise<ivm.Reference>;
    this.#guest = { init: await get('init'), run: await get('run'), fireTimer: await get('fireTimer'), settleHost: await get('settleHost') };
    api.release();
  }

  get state(): SandboxState {
    return this.#state === 'dead' || this.#isolate.isDisposed ? 'dead' : this.#state;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /**
   * Memory the idle isolate occupies (resident heap + external + malloced), for the pool's accounting. Resident
   * rather than committed heap: V8 reserves heap pages it has not touched, which cost no memory (measured: 1.6 MB
   * resident of 2.1 MB committed for a trivial action, and 1.4 MB of process RSS per isolate).
   */
  heapBytes(): number {
    if (this.state === 'dead') return 0;
    if (this.#busy) return this.memoryMB * MiB;
    // The sample taken as the last activation ended still holds: an idle isolate runs nothing.
    if (this.#idleHeap === undefined) this.#idleHeap = this.#isolate.getHeapStatisticsSync();
    const h = this.#idleHeap;
    return h.total_physical_size + h.externally_allocated_size + h.malloced_memory;
  }

  /** Frees the isolate now; a run in flight ends as "exited". Idempotent. */
  dispose(): void {
    this.#state = 'dead';
    this.#clearTimers();
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }

  /** Compiles the action into an empty sandbox. A failed init leaves the sandbox dead. */
  async init(request: InitRequest): Promise<InitOutcome> {
    this.#enter('empty');
    const logs = new LogCollector(request.logLimitBytes, this.#maxLogLines);
    const start = Date.now();
    try {
      const failure = classifyInit(await this.#init(request, logs));
      const end = Date.now();
      if (failure === null) return { ready: true, initTimeMs: end - start, logs: logs.finish(false) };
      return { ready: false, outcome: this.#conclude(failure, logs, start, end, end - start) };
    } finally {
      this.#busy = false;
    }
  }

  /** Runs the initialized action once. */
  async run(request: RunRequest): Promise<ActivationOutcome> {
    this.#enter('ready');
    const logs = new LogCollector(request.logLimitBytes, this.#maxLogLines);
    const start = Date.now();
    try {
      const response = classifyRun(await this.#run(request, logs), request);
      return this.#conclude(response, logs, start, Date.now(), undefined);
    } finally {
      this.#busy = false;
    }
  }

  /** One activation: init first when the sandbox is a stem cell (a cold start, with `initTimeMs`), then run. */
  async activate(request: ActivateRequest): Promise<ActivationOutcome> {
    const cold = this.state === 'empty';
    this.#enter(cold ? 'empty' : 'ready');
    const logs = new LogCollector(request.logLimitBytes, this.#maxLogLines);
    const start = Date.now();
    try {
      let initTimeMs: number | undefined;
      if (cold) {
        const failure = classifyInit(await this.#init(request, logs));
        initTimeMs = Date.now() - start;
        if (failure !== null) return this.#conclude(failure, logs, start, Date.now(), initTimeMs);
      }
      const response = classifyRun(await this.#run(request, logs), request);
      return this.#conclude(response, logs, start, Date.now(), initTimeMs);
    } finally {
      this.#busy = false;
    }
  }

  #enter(expected: SandboxState): void {
    if (this.#busy) throw new Error('ActionSandbox runs one activation at a time');
    this.#idleHeap = undefined;
    const state = this.state;
    if (state !== expected) {
      throw new Error(state === 'dead' ? 'ActionSandbox is disposed' : state === 'ready' ? 'ActionSandbox is already initialized' : 'ActionSandbox is not initialized');
    }
    this.#busy = true;
  }

  #conclude(response: ClassifiedResponse, logs: LogCollector, start: number, end: number, initTimeMs: number | undefined): ActivationOutcome {
    // An isolate that grew past its ceiling is not kept warm, whatever its action answered.
    if (response.discard || this.#overCeilingNow()) this.dispose();
    const timing = { logs: logs.finish(response.statusCode === 2), start, end, durationMs: end - start };
    return initTimeMs === undefined ? { ...response, ...timing } : { ...response, ...timing, initTimeMs };
  }

  async #init(request: InitRequest, logs: LogCollector): Promise<InitEnding> {
    const { code, binary = false } = request.action;
    let signature: Signature | undefined;
    try {
      signature = signatureOf(request.action.signature);
    } catch (error) {
      this.#state = 'dead';
      return { kind: 'failed', error: Messages.initFailed(errorMessage(error)) };
    }
    // With a signature and no `main`, the adapter finds the platform's entry point.
    const main = request.action.main ?? (signature === undefined ? 'main' : undefined);
    if (!code || main === '') {
      this.#state = 'dead';
      return { kind: 'failed', error: Messages.missingMainOrCode };
    }
    type Entry = { main?: string; adapter?: AdapterSpec };
    let spec: ({ binary: false; code: string } | { binary: true; files: Record<string, string> }) & Entry;
    const entry: Entry = {
      ...(main === undefined ? {} : { main }),
      ...(signature === undefined ? {} : { adapter: adapterSpec(signature, { memoryMB: this.memoryMB, timeoutMs: request.timeoutMs }) }),
    };
    if (binary) {
      try {
        spec = { binary, ...entry, files: await readArchive(code, { maxTotalBytes: this.#maxArchiveBytes }) };
      } catch (error) {
        // The nodejs runtime's texts; anything unexpected from a corrupt archive reads as its generic one.
        const text = error instanceof ArchiveError ? error.message : 'There was an error reading the action archive.';
        logs.write('stderr', `Error during initialization: ${text}`);
        this.#state = 'dead';
        return { kind: 'failed', error: Messages.initFailed(text) };
      }
    } else {
      spec = { binary, ...entry, code };
    }
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.env ?? {})) env[key] = initEnvValue(value);

    const window = this.#open<InitEnding>(logs, request.timeoutMs);
    const owEnv = guestOwEnv(request.owEnv, window.deadline);
    this.#api()
      .init.apply(undefined, [spec, env, owEnv, logs.remainingBytes], {
        timeout: request.timeoutMs,
        arguments: { copy: true },
        result: { copy: true },
      })
      .then(
        (reply: unknown) => window.finish(this.#initEnding(reply)),
        (error: unknown) => window.finish(this.#hostEnding(error, window.timeoutMs)),
      );
    const ending = await this.#close(window);
    this.#state = ending.kind === 'ready' ? 'ready' : 'dead';
    return ending;
  }

  async #run(request: RunRequest, logs: LogCollector): Promise<RunEnding> {
    const window = this.#open<RunEnding>(logs, request.timeoutMs);
    const owEnv = guestOwEnv(request.owEnv, window.deadline);
    const params = typeof request.params === 'string' ? request.params : JSON.stringify(request.params);
    const maxResultBytes = request.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    const truncationBytes = request.truncationBytes ?? DEFAULT_TRUNCATION_BYTES;
    // Text and numbers only: a structured copy of objects into the isolate costs more than the guest's JSON.parse.
    this.#api()
      .run.apply(undefined, [params, JSON.stringify(owEnv), logs.remainingBytes, maxResultBytes, truncationBytes], {
        timeout: request.timeoutMs,
        result: { promise: true, copy: true },
      })
      .then(
        (reply: unknown) => window.finish(this.#runEnding(reply)),
        (error: unknown) => window.finish(this.#hostEnding(error, window.timeoutMs)),
      );
    return this.#close(window);
  }

  #api(): GuestApi {
    if (this.#guest === undefined) throw new Error('ActionSandbox is not bootstrapped');
    return this.#guest;
  }

  #open<E extends InitEnding | RunEnding>(logs: LogCollector, timeoutMs: number): Window<E> {
    const window = new Window<E>(logs, timeoutMs);
    this.#window = window;
    // isolated-vm's `timeout` stops busy code; this deadline also ends code that waits forever.
    this.#deadlineTimer = setTimeout(() => {
      if (window.done) return;
      window.finish({ kind: 'timedOut', timeoutMs });
      this.#killedAtDeadline = true;
      this.dispose();
    }, timeoutMs);
    this.#watchHeap(window);
    return window;
  }

  /**
   * Samples the isolate's heap while a window is open; past the ceiling the run ends out of memory and the isolate
   * is disposed. isolated-vm answers the sample only between the isolate's tasks, so busy code is not interrupted
   * by it (its allocations meet V8's own limit) but an action that grows across awaits and timers is stopped.
   */
  #watchHeap(window: OpenWindow): void {
    let sampling = false;
    this.#heapWatch = setInterval(() => {
      if (sampling || window.done) return;
      sampling = true;
      this.#isolate.getHeapStatistics().then(
        (h) => {
          sampling = false;
          if (window.done || h.used_heap_size + h.externally_allocated_size <= this.#heapCeiling) return;
          window.finish({ kind: 'outOfMemory' });
          this.dispose();
        },
        () => {
          sampling = false; // disposed meanwhile: the window ends through its apply
        },
      );
    }, HEAP_WATCH_MS);
    this.#heapWatch.unref();
  }

  /**
   * For an idle isolate (the sample is synchronous, so never while it runs). The sample is kept for `heapBytes`,
   * which the pool asks right after: one sample per activation.
   */
  #overCeilingNow(): boolean {
    if (this.#isolate.isDisposed) return false;
    const h = this.#isolate.getHeapStatisticsSync();
    this.#idleHeap = h;
    return h.used_heap_size + h.externally_allocated_size > this.#heapCeiling;
  }

  async #close<E>(window: Window<E>): Promise<E | HostEnding> {
    const ending = await window.ended;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    clearInterval(this.#heapWatch);
    this.#heapWatch = undefined;
    this.#window = undefined;
    this.#clearTimers();
    return ending;
  }

  /** Maps a rejected apply to how the activation ended. */
  #hostEnding(error: unknown, timeoutMs: number): HostEnding {
    const message = errorMessage(error);
    if (this.#killedAtDeadline || message === 'Script execution timed out.') return { kind: 'timedOut', timeoutMs };
    if (/memory limit/i.test(message)) return { kind: 'outOfMemory' };
    return { kind: 'exited' };
  }

  /** Reads the guest's init reply; anything malformed counts as a crashed runtime. */
  #initEnding(reply: unknown): InitEnding {
    if (!isRecord(reply)) return { kind: 'exited' };
    if (reply.ok === true) return { kind: 'ready' };
    if (reply.outOfMemory === true) return { kind: 'outOfMemory' };
    if (typeof reply.error === 'string') return { kind: 'failed', error: reply.error };
    return { kind: 'exited' };
  }

  /** Reads the guest's run reply (guest-side shapes of RunEnding); anything malformed counts as a crash. */
  #runEnding(reply: unknown): RunEnding {
    if (!isRecord(reply)) return { kind: 'exited' };
    switch (reply.kind) {
      case 'returned':
      case 'rejected':
        if (typeof reply.json !== 'string') return { kind: 'exited' };
        return typeof reply.bytes === 'number' ? { kind: reply.kind, json: reply.json, bytes: reply.bytes } : { kind: reply.kind, json: reply.json };
      case 'threw':
        return typeof reply.text === 'string' ? { kind: 'threw', text: reply.text } : { kind: 'exited' };
      case 'notObject':
      case 'unserializable':
      case 'outOfMemory':
        return { kind: reply.kind };
      default:
        return { kind: 'exited' };
    }
  }

  // --- host callbacks (called synchronously from guest code) ---

  #onLog(stream: unknown, text: unknown): number {
    const window = this.#window;
    if (window === undefined || (stream !== 'stdout' && stream !== 'stderr') || typeof text !== 'string') return 0;
    return window.logs.write(stream as LogStream, text);
  }

  /** The guest's timers want fireTimer within `delayMs`: keep the earlier of that and the wake-up already set. */
  #onWake(delayMs: unknown): void {
    if (this.#window === undefined || typeof delayMs !== 'number' || !(delayMs < Infinity)) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (at >= this.#wakeAt) return;
    this.#wakeAt = at;
    if (!this.#firing) this.#armWake();
  }

  #armWake(): void {
    const window = this.#window;
    if (window === undefined || this.#wakeAt === Infinity) return;
    this.#clearWake();
    const delay = this.#wakeAt - Date.now();
    // Due now: next turn of the event loop, so a storm of due timers still lets other work in between calls.
    this.#wakeTimer =
      delay <= 0
        ? { immediate: setImmediate(() => this.#fireTimer(window)) }
        : { timeout: setTimeout(() => this.#fireTimer(window), Math.min(delay, 2_147_483_647)) };
  }

  #fireTimer(window: OpenWindow): void {
    this.#wakeTimer = undefined;
    this.#wakeAt = Infinity;
    if (this.#window !== window || window.done) return;
    const remaining = window.deadline - Date.now();
    if (remaining <= 0) return; // the deadline timer ends this window
    this.#firing = true;
    this.#api()
      .fireTimer.apply(undefined, [], { timeout: remaining })
      .then(
        (result: unknown) => {
          if (this.#window !== window || window.done) return;
          this.#firing = false;
          // An uncaught exception in a timer callback kills a Node process; the action "exited".
          if (result === 'crashed') return window.finish({ kind: 'exited' });
          if (typeof result === 'number' && result >= 0) this.#wakeAt = Math.min(this.#wakeAt, Date.now() + result);
          this.#armWake();
        },
        (error: unknown) => window.finish(this.#hostEnding(error, window.timeoutMs)),
      );
  }

  #clearWake(): void {
    const timer = this.#wakeTimer;
    if (timer !== undefined && 'timeout' in timer) clearTimeout(timer.timeout);
    else if (timer !== undefined) clearImmediate(timer.immediate);
    this.#wakeTimer = undefined;
  }

  #onHostRequest(id: unknown, name: unknown, args: unknown): void {
    const window = this.#window;
    if (window === undefined || typeof id !== 'number') return;
    const fn = typeof name === 'string' && Object.hasOwn(this.#hostFunctions, name) ? this.#hostFunctions[name] : undefined;
    const cancel = new AbortController();
    const signal = AbortSignal.any([window.ended$, cancel.signal]);
    this.#hostCalls.set(id, cancel);
    const settle = (ok: boolean, value: unknown) => {
      this.#hostCalls.delete(id);
      if (this.#window !== window || window.done || signal.aborted) return;
      this.#api()
        .settleHost.apply(undefined, [id, ok, value], { arguments: { copy: true }, timeout: Math.max(1, window.deadline - Date.now()) })
        .catch((error: unknown) => window.finish(this.#hostEnding(error, window.timeoutMs)));
    };
    if (fn === undefined) {
      queueMicrotask(() => settle(false, `${String(name)} is not available`));
      return;
    }
    const call: HostCall = { signal, activation: window, deadline: window.deadline };
    // A function that throws at once rejects like one that fails later.
    new Promise<unknown>((resolve) => resolve(window.inContext(() => fn(Array.isArray(args) ? args : [], call)))).then(
      (value) => settle(true, value),
      (error: unknown) => settle(false, errorMessage(error)),
    );
  }

  /** The guest gave up on request `id` (e.g. its fetch was aborted). */
  #onHostCancel(id: unknown): void {
    if (typeof id !== 'number') return;
    this.#hostCalls.get(id)?.abort(new Error('cancelled by the action'));
    this.#hostCalls.delete(id);
  }

  #clearTimers(): void {
    // Calls of an ended window are aborted through its signal; forget their cancel handles.
    this.#hostCalls.clear();
    this.#clearWake();
    this.#wakeAt = Infinity;
    this.#firing = false;
  }
}
