// Guest-side runtime, evaluated once inside every isolate by action-sandbox.ts (`context.evalClosure`);
// Node never imports this file. It plays the part of OpenWhisk's nodejs runtime (runner.js + service.js):
// console capture, timers, process.env with the __OW_* values, a small CommonJS loader for zip actions,
// the init/run entry points and the runtime's reply shapes.
//
// Closure arguments (all ivm.Callback, which arrive here as plain functions whose arguments are copied;
// no ivm.Reference ever enters the isolate):
//   $0 log(stream, text) -> remaining log bytes     $1 wake(delayMs): call fireTimer in delayMs or sooner
//   $2 most pending timers an activation may hold (a number)
//   $3 hostRequest(id, name, args) (the seam for host-provided async functions such as fetch)
//   $4 names of those host functions (an array of strings)
//   $5 hostCancel(id): the guest no longer wants request id (an aborted fetch)
//   $6 null, or the fetch settings { names, maxConcurrent, maxRequestBodyBytes }: the globals guest-fetch.js makes
//      (fetch and its classes), offered instead of a plain `fetch` host function
//   $7 fetchSource() -> the text of guest-fetch.js, asked for when an action first touches one of those globals
//   $8 openwhiskSource() -> the text of guest-openwhisk.js, asked for when an action first requires `openwhisk`
// Returns { init, run, fireTimer, settleHost }; the host keeps References to them, the action never sees them.
//
// Everything the runtime needs is captured below before action code runs, so an action that replaces
// globals or prototypes (JSON.stringify, Array.prototype.push, Promise.prototype.then, ...) changes only
// its own behaviour, never the runtime's bookkeeping.
'use strict';
const hostLog = $0;
const hostWake = $1;
const maxTimers = $2;
const hostRequest = $3;
const hostFunctionNames = $4;
const hostCancel = $5;
const fetchSettings = $6;
const fetchSource = $7;
const openwhiskSource = $8;

const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const apply = Reflect.apply;
const ObjectKeys = Object.keys;
const ObjectEntries = Object.entries;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectIs = Object.is;
const ArrayIsArray = Array.isArray;
const arrayPush = uncurry(Array.prototype.push);
const arrayJoin = uncurry(Array.prototype.join);
const arraySlice = uncurry(Array.prototype.slice);
const arrayIncludes = uncurry(Array.prototype.includes);
const arrayPop = uncurry(Array.prototype.pop);
const StringCtor = String;
const stringSlice = uncurry(String.prototype.slice);
const stringSplit = uncurry(String.prototype.split);
const stringCharCodeAt = uncurry(String.prototype.charCodeAt);
const stringStartsWith = uncurry(String.prototype.startsWith);
const stringEndsWith = uncurry(String.prototype.endsWith);
const stringLastIndexOf = uncurry(String.prototype.lastIndexOf);
const stringIndexOf = uncurry(String.prototype.indexOf);
const stringReplace = uncurry(String.prototype.replace);
const regexpTest = uncurry(RegExp.prototype.test);
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const PromiseCtor = Promise;
const promiseThen = uncurry(Promise.prototype.then);
const PromiseResolve = (value) => apply(Promise.resolve, PromiseCtor, [value]);
const MapCtor = Map;
const mapGet = uncurry(Map.prototype.get);
const mapSet = uncurry(Map.prototype.set);
const mapHas = uncurry(Map.prototype.has);
const mapDelete = uncurry(Map.prototype.delete);
const mapClear = uncurry(Map.prototype.clear);
const mapSize = uncurry(ObjectGetOwnPropertyDescriptor(Map.prototype, 'size').get);
const setSize = uncurry(ObjectGetOwnPropertyDescriptor(Set.prototype, 'size').get);
const mapEntries = uncurry(Map.prototype.entries);
const setValues = uncurry(Set.prototype.values);
const iteratorNext = (it) => it.next();
const dateToISOString = uncurry(Date.prototype.toISOString);
const dateGetTime = uncurry(Date.prototype.getTime);
const regexpToString = uncurry(RegExp.prototype.toString);
const functionToString = uncurry(Function.prototype.toString);
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const SymbolToPrimitive = Symbol.toPrimitive;
const SymbolToString = uncurry(Symbol.prototype.toString);
const MathFloor = Math.floor;
const DateNow = Date.now;
const now = () => apply(DateNow, undefined, []);
const NumberCtor = Number;
const indirectEval = eval;
/** An ArrayBuffer the memory limit refused. Node would have allocated it and died of OOM; report it as that. */
const isAllocationFailure = (value) => {
  try {
    return value instanceof RangeErrorCtor && value.message === 'Array buffer allocation failed';
  } catch {
    return false;
  }
};
const isError = (value) => {
  try {
    return value instanceof ErrorCtor;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Value formatting for console (a compact cousin of Node's util.format / util.inspect)

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function quote(text) {
  return "'" + stringReplace(stringReplace(text, /\\/g, '\\\\'), /'/g, "\\'") + "'";
}

function errorStack(error) {
  try {
    const stack = error.stack;
    if (typeof stack === 'string' && stack.length > 0) return stack;
  } catch {}
  try {
    return '[' + StringCtor(error) + ']';
  } catch {
    return '[Error]';
  }
}

function constructorName(value) {
  try {
    const proto = ObjectGetPrototypeOf(value);
    if (proto === null) return '[Object: null prototype]';
    const ctor = proto.constructor;
    return typeof ctor === 'function' && typeof ctor.name === 'string' ? ctor.name : '';
  } catch {
    return '';
  }
}

function inspect(value, depth, seen) {
  switch (typeof value) {
    case 'string':
      return depth === 0 ? value : quote(value);
    case 'number':
      return ObjectIs(value, -0) ? '-0' : StringCtor(value);
    case 'bigint':
      return StringCtor(value) + 'n';
    case 'symbol':
      return SymbolToString(value);
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'function': {
      let name = '';
      try {
        name = value.name;
      } catch {}
      let source = '';
      try {
        source = functionToString(value);
      } catch {}
      if (stringStartsWith(source, 'class')) return '[class ' + (name || '(anonymous)') + ']';
      return '[Function: ' + (name || '(anonymous)') + ']';
    }
  }
  if (value === null) return 'null';
  if (isError(value)) return depth === 0 ? errorStack(value) : '[' + errorStack(value) + ']';
  if (arrayIncludes(seen, value)) return '[Circular]';
  if (value instanceof Date) {
    const time = dateGetTime(value);
    return time === time ? dateToISOString(value) : 'Invalid Date';
  }
  if (value instanceof RegExp) return regexpToString(value);
  if (value instanceof PromiseCtor) return 'Promise {}';
  const nested = depth >= 3;
  const items = [];
  let open = '{';
  let close = '}';
  let prefix = '';
  seen = arraySlice(seen);
  arrayPush(seen, value);
  if (ArrayIsArray(value)) {
    if (nested) return '[Array]';
    open = '[';
    close = ']';
    const shown = value.length > 100 ? 100 : value.length;
    for (let i = 0; i < shown; i++) arrayPush(items, inspect(value[i], depth + 1, seen));
    if (value.length > shown) arrayPush(items, '... ' + (value.length - shown) + ' more items');
  } else if (value instanceof MapCtor) {
    prefix = 'Map(' + mapSize(value) + ') ';
    if (nested) return '[Map]';
    const it = mapEntries(value);
    for (let step = iteratorNext(it); !step.done; step = iteratorNext(it)) {
      arrayPush(items, inspect(step.value[0], depth + 1, seen) + ' => ' + inspect(step.value[1], depth + 1, seen));
    }
  } else if (value instanceof Set) {
    prefix = 'Set(' + setSize(value) + ') ';
    if (nested) return '[Set]';
    const it = setValues(value);
    for (let step = iteratorNext(it); !step.done; step = iteratorNext(it)) arrayPush(items, inspect(step.value, depth + 1, seen));
  } else {
    const name = constructorName(value);
    if (nested) return '[' + (name || 'Object') + ']';
    if (name !== 'Object') prefix = (name || 'Object') + ' ';
    const keys = ObjectKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const shownKey = regexpTest(IDENTIFIER, key) ? key : quote(key);
      const descriptor = ObjectGetOwnPropertyDescriptor(value, key);
      let shown;
      if (descriptor !== undefined && (descriptor.get !== undefined || descriptor.set !== undefined)) {
        shown = descriptor.get !== undefined ? (descriptor.set !== undefined ? '[Getter/Setter]' : '[Getter]') : '[Setter]';
      } else {
        shown = inspect(descriptor === undefined ? undefined : descriptor.value, depth + 1, seen);
      }
      arrayPush(items, shownKey + ': ' + shown);
    }
  }
  if (items.length === 0) return prefix + open + close;
  const single = prefix + open + ' ' + arrayJoin(items, ', ') + ' ' + close;
  if (single.length <= 72 && !arrayIncludes(arrayJoin(items, ''), '\n')) return single;
  const indent = stringSlice('                                ', 0, 2 * (depth + 1));
  const closeIndent = stringSlice('                                ', 0, 2 * depth);
  return prefix + open + '\n' + indent + arrayJoin(items, ',\n' + indent) + '\n' + closeIndent + close;
}

function formatWithOptions(args) {
  if (args.length === 0) return '';
  const first = args[0];
  let out = '';
  let next = 1;
  if (typeof first === 'string') {
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (stringCharCodeAt(first, i) !== 37 /* % */) continue;
      const code = first[i + 1];
      let replacement;
      if (code === '%') replacement = '%';
      else if (next >= args.length) continue;
      else if (code === 's') {
        const arg = args[next++];
        replacement = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null ? inspect(arg, 1, []) : inspect(arg, 0, []);
      } else if (code === 'd' || code === 'i') {
        const arg = args[next++];
        const n = typeof arg === 'bigint' ? arg : NumberCtor(arg);
        replacement = code === 'i' && typeof n === 'number' ? StringCtor(n < 0 ? -MathFloor(-n) : MathFloor(n)) : inspect(n, 0, []);
      } else if (code === 'f') replacement = StringCtor(NumberCtor(args[next++]));
      else if (code === 'j') {
        try {
          replacement = JSONStringify(args[next++]);
        } catch {
          replacement = '[Circular]';
        }
      } else if (code === 'o' || code === 'O') replacement = inspect(args[next++], 1, []);
      else if (code === 'c') {
        next++;
        replacement = '';
      } else continue;
      out += stringSlice(first, last, i) + replacement;
      last = i + 2;
      i++;
    }
    out += stringSlice(first, last);
  } else {
    out = inspect(first, 0, []);
  }
  for (; next < args.length; next++) {
    const arg = args[next];
    out += ' ' + (typeof arg === 'string' ? arg : inspect(arg, 0, []));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// console -> host log collector

let logRemaining = 0;
let groupIndent = '';

function emit(stream, text) {
  if (!(logRemaining > 0)) return;
  if (groupIndent.length > 0) text = groupIndent + stringReplace(text, /\n/g, '\n' + groupIndent);
  // The host enforces the limit; clipping here only keeps a huge string from being copied out.
  const clipped = text.length > logRemaining ? stringSlice(text, 0, logRemaining + 1) : text;
  const remaining = hostLog(stream, clipped);
  logRemaining = typeof remaining === 'number' ? remaining : 0;
}

const counts = new MapCtor();
const timings = new MapCtor();
const consoleObject = {
  log: (...args) => emit('stdout', formatWithOptions(args)),
  info: (...args) => emit('stdout', formatWithOptions(args)),
  debug: (...args) => emit('stdout', formatWithOptions(args)),
  error: (...args) => emit('stderr', formatWithOptions(args)),
  warn: (...args) => emit('stderr', formatWithOptions(args)),
  trace: (...args) => {
    const holder = new ErrorCtor();
    const stack = errorStack(holder);
    const newline = stringIndexOf(stack, '\n');
    const frames = newline < 0 ? '' : stringSlice(stack, newline);
    emit('stderr', 'Trace' + (args.length > 0 ? ': ' + formatWithOptions(args) : '') + frames);
  },
  dir: (value) => emit('stdout', inspect(value, 0, [])),
  table: (...args) => emit('stdout', formatWithOptions(args)),
  assert: (condition, ...args) => {
    if (!condition) emit('stderr', 'Assertion failed' + (args.length > 0 ? ': ' + formatWithOptions(args) : ''));
  },
  count: (label = 'default') => {
    const n = (mapGet(counts, label) ?? 0) + 1;
    mapSet(counts, label, n);
    emit('stdout', label + ': ' + n);
  },
  countReset: (label = 'default') => mapDelete(counts, label),
  time: (label = 'default') => mapSet(timings, label, Date.now()),
  timeLog: (label = 'default', ...args) => {
    const start = mapGet(timings, label);
    if (start !== undefined) emit('stdout', label + ': ' + (Date.now() - start) + 'ms' + (args.length > 0 ? ' ' + formatWithOptions(args) : ''));
  },
  timeEnd: (label = 'default') => {
    const start = mapGet(timings, label);
    if (start === undefined) return;
    mapDelete(timings, label);
    emit('stdout', label + ': ' + (Date.now() - start) + 'ms');
  },
  group: (...args) => {
    if (args.length > 0) emit('stdout', formatWithOptions(args));
    groupIndent += '  ';
  },
  groupEnd: () => {
    groupIndent = stringSlice(groupIndent, 0, groupIndent.length >= 2 ? groupIndent.length - 2 : 0);
  },
};
consoleObject.groupCollapsed = consoleObject.group;

function logError(...args) {
  try {
    emit('stderr', formatWithOptions(args));
  } catch {}
}

// ---------------------------------------------------------------------------------------------------------
// Timers: the guest keeps them all (callbacks and due times, in a heap ordered by due time, then creation); the host
// keeps one wake-up per sandbox and calls fireTimer when the earliest is due, one timer per call, so promise
// continuations run between timers as in Node. A timer storm therefore costs the host one pending call, whatever
// the number of timers. Pending timers are forgotten when the next activation starts.

const timers = new MapCtor();
let nextTimerId = 1;
let nextSeq = 1;
const timerIdKey = Symbol('timerId');
/** Binary min-heap of { due, seq, id }; an entry whose timer is gone or was re-armed (seq differs) is stale. */
const heap = [];

function earlier(a, b) {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function heapPush(entry) {
  let at = heap.length;
  arrayPush(heap, entry);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!earlier(heap[at], heap[parent])) break;
    const swap = heap[at];
    heap[at] = heap[parent];
    heap[parent] = swap;
    at = parent;
  }
}

function heapPop() {
  const top = heap[0];
  const last = arrayPop(heap);
  if (heap.length > 0) {
    heap[0] = last;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < heap.length && earlier(heap[left], heap[least])) least = left;
      if (right < heap.length && earlier(heap[right], heap[least])) least = right;
      if (least === at) break;
      const swap = heap[at];
      heap[at] = heap[least];
      heap[least] = swap;
      at = least;
    }
  }
  return top;
}

/** The earliest live entry, dropping stale ones on the way. */
function peekLive() {
  while (heap.length > 0) {
    const head = heap[0];
    const timer = mapGet(timers, head.id);
    if (timer !== undefined && timer.seq === head.seq) return head;
    heapPop();
  }
  return undefined;
}

/** Sets the timer's next due time and asks the host to wake the guest by then. */
function arm(id, timer) {
  timer.due = now() + timer.ms;
  timer.seq = nextSeq++;
  heapPush({ due: timer.due, seq: timer.seq, id });
  if (heap.length > 2 * mapSize(timers) + 64) {
    // Too many stale entries (cancelled or refreshed timers): rebuild from the live ones.
    const live = [];
    const it = mapEntries(timers);
    for (let step = iteratorNext(it); !step.done; step = iteratorNext(it)) arrayPush(live, { due: step.value[1].due, seq: step.value[1].seq, id: step.value[0] });
    heap.length = 0;
    for (let i = 0; i < live.length; i++) heapPush(live[i]);
  }
}

function requestWake() {
  const head = peekLive();
  if (head !== undefined) hostWake(head.due - now());
}

class Timeout {
  constructor(id) {
    this[timerIdKey] = id;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  hasRef() {
    return true;
  }
  refresh() {
    const timer = mapGet(timers, this[timerIdKey]);
    if (timer !== undefined) {
      arm(this[timerIdKey], timer);
      requestWake();
    }
    return this;
  }
  [SymbolToPrimitive]() {
    return this[timerIdKey];
  }
}

function schedule(callback, delay, args, repeat) {
  if (typeof callback !== 'function') {
    throw new TypeErrorCtor('The "callback" argument must be of type function. Received ' + inspect(callback, 1, []));
  }
  if (mapSize(timers) >= maxTimers) throw new ErrorCtor('Too many pending timers (limit ' + maxTimers + ').');
  let ms = NumberCtor(delay);
  if (!(ms >= 1 && ms <= 2147483647)) ms = 1;
  const id = nextTimerId++;
  const timer = { callback, args, ms, repeat, due: 0, seq: 0 };
  mapSet(timers, id, timer);
  arm(id, timer);
  requestWake();
  return new Timeout(id);
}

function cancel(handle) {
  let id;
  if (handle instanceof Timeout) id = handle[timerIdKey];
  else if (typeof handle === 'number') id = handle;
  else return;
  mapDelete(timers, id); // its heap entry goes stale; a wake-up for it finds nothing due
}

/**
 * Called by the host when woken: runs the earliest timer if it is due. Returns the delay until the next one
 * (-1: none pending), or 'crashed' when the callback threw (Node would exit).
 */
function fireTimer() {
  let head = peekLive();
  if (head === undefined) return -1;
  if (head.due <= now()) {
    heapPop();
    const timer = mapGet(timers, head.id);
    if (timer.repeat) arm(head.id, timer);
    else mapDelete(timers, head.id);
    try {
      apply(timer.callback, undefined, timer.args);
    } catch (error) {
      logError('Uncaught', error);
      return 'crashed';
    }
    head = peekLive();
    if (head === undefined) return -1;
  }
  const delay = head.due - now();
  return delay > 0 ? delay : 0;
}

const queueMicrotaskImpl = (callback) => {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function.');
  promiseThen(PromiseResolve(undefined), () => callback());
};

// ---------------------------------------------------------------------------------------------------------
// Host-provided async functions (fetch among them): each call is a request the host answers later.

const hostPending = new MapCtor();
let nextRequestId = 1;

/** Starts host request `name`: its id (for cancelHost) and the promise of its value. */
function startHost(name, args) {
  const id = nextRequestId++;
  const promise = new PromiseCtor((resolve, reject) => {
    mapSet(hostPending, id, { resolve, reject });
  });
  hostRequest(id, name, args);
  return { id, promise };
}

function callHost(name, args) {
  return startHost(name, args).promise;
}

// The bootstrap's own primordials (captured before any action code ran) for the fetch request check below.
const Uint8ArrayCtor = Uint8Array;
const typedArrayByteLength = uncurry(ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype), 'byteLength').get);
const typedArrayTag = uncurry(ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get);

/**
 * Sends a fetch request to the host. guest-fetch.js is made when first used, possibly after an action changed
 * built-ins it relies on, so what crosses to the host is rebuilt here, with primordials taken before any action
 * ran: each field read once, checked for type and size, and copied into fresh objects. The host copies only that,
 * so no action can make it copy more than the bounds. Throws a TypeError for a request over them.
 */
function startFetch(description) {
  const url = description.url;
  const method = description.method;
  const redirect = description.redirect;
  const rawHeaders = description.headers;
  const rawBody = description.body;
  if (typeof url !== 'string' || typeof method !== 'string' || typeof redirect !== 'string' || !ArrayIsArray(rawHeaders)) {
    throw new TypeErrorCtor('fetch: malformed request');
  }
  if (url.length > fetchSettings.maxUrlChars) throw new TypeErrorCtor('fetch URL exceeds ' + fetchSettings.maxUrlChars + ' characters');
  if (method.length > 64) throw new TypeErrorCtor('fetch: malformed request');
  const headers = [];
  let headerChars = 0;
  const count = rawHeaders.length;
  for (let i = 0; i < count; i++) {
    const pair = rawHeaders[i];
    if (!ArrayIsArray(pair)) throw new TypeErrorCtor('fetch: malformed request');
    const name = pair[0];
    const value = pair[1];
    if (typeof name !== 'string' || typeof value !== 'string') throw new TypeErrorCtor('fetch: malformed request');
    headerChars += name.length + value.length;
    if (headerChars > fetchSettings.maxHeaderChars) throw new TypeErrorCtor('fetch request headers exceed ' + fetchSettings.maxHeaderChars + ' characters');
    arrayPush(headers, [name, value]);
  }
  let body = null;
  if (rawBody !== null && rawBody !== undefined) {
    let tag;
    try {
      tag = typedArrayTag(rawBody);
    } catch {}
    if (tag !== 'Uint8Array') throw new TypeErrorCtor('fetch: malformed request');
    const bytes = typedArrayByteLength(rawBody);
    if (bytes > fetchSettings.maxRequestBodyBytes) {
      throw new TypeErrorCtor('fetch request body of ' + bytes + ' bytes exceeds the limit of ' + fetchSettings.maxRequestBodyBytes + ' bytes');
    }
    body = rawBody;
  }
  return startHost('fetch', [{ url, method, headers, body, redirect }]);
}

/** Tells the host to stop request `id`; its promise never settles. */
function cancelHost(id) {
  if (!mapHas(hostPending, id)) return;
  mapDelete(hostPending, id);
  hostCancel(id);
}

/** Called by the host when request `id` settled. */
function settleHost(id, ok, value) {
  const pending = mapGet(hostPending, id);
  if (pending === undefined) return;
  mapDelete(hostPending, id);
  if (ok) pending.resolve(value);
  else pending.reject(new ErrorCtor(typeof value === 'string' ? value : 'host function failed'));
}

// ---------------------------------------------------------------------------------------------------------
// Globals the action sees

const processEnv = {};
const processObject = {
  env: processEnv,
  nextTick: (callback, ...args) => queueMicrotaskImpl(() => apply(callback, undefined, args)),
};

ObjectDefineProperty(globalThis, 'console', { value: consoleObject, writable: true, configurable: true, enumerable: false });
const globals = {
  global: globalThis,
  process: processObject,
  setTimeout: (callback, delay, ...args) => schedule(callback, delay, args, false),
  setInterval: (callback, delay, ...args) => schedule(callback, delay, args, true),
  setImmediate: (callback, ...args) => schedule(callback, 0, args, false),
  clearTimeout: cancel,
  clearInterval: cancel,
  clearImmediate: cancel,
  queueMicrotask: queueMicrotaskImpl,
};
for (const name of ObjectKeys(globals)) {
  ObjectDefineProperty(globalThis, name, { value: globals[name], writable: true, configurable: true, enumerable: false });
}
// fetch and its classes are made when an action first touches one of them: most actions never do, and the stem
// cells that wait for cold starts are made faster and smaller without them.
let fetchApi;
function fetchGlobals() {
  if (fetchApi === undefined) {
    fetchApi = indirectEval(fetchSource())({
      startFetch,
      cancelHost,
      setTimeout: globals.setTimeout,
      reportError: (error) => logError('Uncaught', error),
      maxConcurrent: fetchSettings.maxConcurrent,
      maxRequestBodyBytes: fetchSettings.maxRequestBodyBytes,
    });
  }
  return fetchApi.globals;
}
if (fetchSettings !== null) {
  const names = fetchSettings.names;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const settle = (value) => ObjectDefineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    ObjectDefineProperty(globalThis, name, {
      get: () => {
        const value = fetchGlobals()[name];
        settle(value);
        return value;
      },
      set: settle,
      configurable: true,
      enumerable: false,
    });
  }
}
for (let i = 0; i < hostFunctionNames.length; i++) {
  const name = hostFunctionNames[i];
  if (fetchSettings !== null && name === 'fetch') continue;
  ObjectDefineProperty(globalThis, name, {
    value: (...args) => callHost(name, args),
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Code loading: plain code inside OpenWhisk's function wrapper, or CommonJS files from an archive.

const ACTION_ROOT = '/action';
const MAIN_EXPRESSION = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

function notAFunction(main) {
  return "Action entrypoint '" + main + "' is not a function.";
}

function dirname(path) {
  const slash = stringLastIndexOf(path, '/');
  return slash <= 0 ? '' : stringSlice(path, 0, slash);
}

/** Joins and normalizes an archive path ('' is the root; no leading slash; '..' never climbs above the root). */
function normalize(path) {
  const out = [];
  const parts = stringSplit(path, '/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '' || part === '.') continue;
    if (part === '..') arrayPop(out);
    else arrayPush(out, part);
  }
  return arrayJoin(out, '/');
}

/**
 * Packages OpenWhisk's Node runtime installs for every action, answering `require` of their name when the action
 * (its archive's node_modules) has none of its own, as Node's resolution would find the runtime's copy last. Each is
 * evaluated on first use, so actions that never require one pay nothing. `openwhisk` needs fetch to reach the API.
 */
let openwhiskModule;
function runtimeModule(request) {
  if (request !== 'openwhisk' || fetchSettings === null) return undefined;
  if (openwhiskModule === undefined) {
    openwhiskModule = indirectEval(openwhiskSource())({
      fetch: (input, init) => fetchGlobals().fetch(input, init),
      env: processEnv,
    });
  }
  return openwhiskModule;
}

function moduleNotFound(request) {
  const error = new ErrorCtor("Cannot find module '" + request + "'");
  error.code = 'MODULE_NOT_FOUND';
  return error;
}

/**
 * A CommonJS world over the archive's files (`files`: path -> source text). `builtins` (name -> exports, optional)
 * answers `require` of those names first: the modules a signature adapter provides (docs/signatures.md).
 */
function makeModuleSystem(files, builtins) {
  const sources = new MapCtor(ObjectEntries(files));
  const cache = new MapCtor();

  function isFile(path) {
    return path !== '' && mapHas(sources, path);
  }

  function asFile(path) {
    const candidates = [path, path + '.js', path + '.json', path + '.cjs'];
    for (let i = 0; i < candidates.length; i++) if (isFile(candidates[i])) return candidates[i];
    return undefined;
  }

  function asDirectory(path) {
    const manifest = normalize(path + '/package.json');
    if (isFile(manifest)) {
      let main;
      try {
        main = JSONParse(mapGet(sources, manifest)).main;
      } catch {}
      if (typeof main === 'string' && main !== '') {
        const target = normalize(path + '/' + main);
        const found = asFile(target) ?? asFile(normalize(target + '/index'));
        if (found !== undefined) return found;
      }
    }
    return asFile(normalize(path + '/index'));
  }

  function resolve(request, fromDir) {
    if (typeof request !== 'string' || request === '') throw new TypeErrorCtor('The "id" argument must be a non-empty string.');
    if (stringStartsWith(request, './') || stringStartsWith(request, '../') || stringStartsWith(request, '/') || request === '.' || request === '..') {
      const base = normalize(stringStartsWith(request, '/') ? request : fromDir + '/' + request);
      const found = asFile(base) ?? asDirectory(base);
      if (found !== undefined) return found;
      throw moduleNotFound(request);
    }
    if (stringStartsWith(request, 'node:')) throw moduleNotFound(request);
    for (let dir = fromDir; ; dir = dirname(dir)) {
      if (stringSlice(dir, -12) !== 'node_modules') {
        const base = normalize(dir + '/node_modules/' + request);
        const found = asFile(base) ?? asDirectory(base);
        if (found !== undefined) return found;
      }
      if (dir === '') break;
    }
    throw moduleNotFound(request);
  }

  function load(path) {
    const cached = mapGet(cache, path);
    if (cached !== undefined) return cached.exports;
    const filename = ACTION_ROOT + '/' + path;
    const module = { id: filename, filename, loaded: false, exports: {}, children: [] };
    mapSet(cache, path, module);
    try {
      const source = mapGet(sources, path);
      if (stringEndsWith(path, '.json')) {
        try {
          module.exports = JSONParse(source);
        } catch (error) {
          error.message = filename + ': ' + error.message;
          throw error;
        }
      } else {
        const body = stringStartsWith(source, '#!') ? '//' + source : source;
        const wrapper = indirectEval(
          '(function (exports, require, module, __filename, __dirname) {' + body + '\n})\n//# sourceURL=' + filename,
        );
        apply(wrapper, module.exports, [module.exports, makeRequire(dirname(path)), module, filename, ACTION_ROOT + (dirname(path) === '' ? '' : '/' + dirname(path))]);
      }
      module.loaded = true;
      return module.exports;
    } catch (error) {
      mapDelete(cache, path);
      throw error;
    }
  }

  function makeRequire(fromDir) {
    const require = (request) => {
      if (builtins !== undefined && typeof request === 'string' && mapHas(builtins, request)) return mapGet(builtins, request);
      let path;
      try {
        path = resolve(request, fromDir);
      } catch (error) {
        const provided = runtimeModule(request);
        if (provided !== undefined) return provided;
        throw error;
      }
      return load(path);
    };
    require.resolve = (request) => ACTION_ROOT + '/' + resolve(request, fromDir);
    return require;
  }

  return { makeRequire, has: isFile };
}

/** Plain code: OpenWhisk's runner evaluates it inside a function and returns `main`, else module.exports[main]. */
function initPlain(code, main) {
  if (!regexpTest(MAIN_EXPRESSION, main)) throw notAFunction(main);
  const module = { exports: {} };
  const require = makeModuleSystem({}).makeRequire('');
  const wrapper = indirectEval(
    '(function (exports, require, module, __filename, __dirname) { return (function () {' +
      code +
      '\n;try { return ' + main + ' } catch (e) { if (e && e.name === "ReferenceError") { return module.exports.' + main +
      ' || exports.' + main + ' } else throw e } })() })\n//# sourceURL=' + ACTION_ROOT + '/action.js',
  );
  return apply(wrapper, undefined, [module.exports, require, module, ACTION_ROOT + '/action.js', ACTION_ROOT]);
}

/** Archive: `main` is `fn` (module = package.json main or index.js) or `file.fn` (module = that file). */
function initArchive(files, main) {
  const parts = /^([^.]+)$|^([^.]+)\.(.+)$/.exec(main);
  if (parts === null) throw 'Name of main function is not valid.';
  const index = parts[2];
  const property = parts[3] ?? parts[1];
  const modules = makeModuleSystem(files);
  if (index === undefined && !modules.has('package.json') && !modules.has('index.js')) {
    throw 'Zipped actions must contain either package.json or index.js at the root.';
  }
  let handler = modules.makeRequire('')(index === undefined ? './' : './' + index);
  const path = stringSplit(property, '.');
  for (let i = 0; i < path.length; i++) handler = handler[path[i]];
  return handler;
}

// ---------------------------------------------------------------------------------------------------------
// Signatures of other platforms (docs/signatures.md): only an action that declares one gets here. The host sends
// the helpers' and the adapter's sources (invoker/runtime/signatures/) with the init; they are evaluated before the
// action's code, and the adapter's `wrap` turns the platform's function into the `run(params)` handler below.

/** What the adapters may use of the runtime: the log collector, the activation's environment, the error shape. */
const adapterRuntime = {
  log: (stream, args) => emit(stream === 'stderr' ? 'stderr' : 'stdout', formatWithOptions(args)),
  env: processEnv,
  serializeError,
};

function own(object, key) {
  return object !== null && (typeof object === 'object' || typeof object === 'function') ? object[key] : undefined;
}

/** `a.b.c` read from `root`, undefined when any step is missing. */
function lookup(root, path) {
  const parts = stringSplit(path, '.');
  let value = root;
  for (let i = 0; i < parts.length && value !== undefined; i++) value = own(value, parts[i]);
  return value;
}

/**
 * The platform's function: `main` as given (`file.fn` names a file of an archive, or of plain code as `index`), else
 * the adapter's default names, a function registered with its framework, module.exports itself, or the one function
 * module.exports holds.
 */
function initAdapted(spec) {
  const settings = spec.adapter;
  const adapter = indirectEval(settings.source)(indirectEval(settings.helpers)(adapterRuntime, settings.limits));
  const builtins = new MapCtor(ObjectEntries(adapter.modules ?? {}));
  const modules = makeModuleSystem(spec.binary ? spec.files : { 'index.js': spec.code }, builtins);
  const require = modules.makeRequire('');
  const main = spec.main;
  const parts = main === undefined ? null : /^([^.]+)\.(.+)$/.exec(main);
  let exported;
  let names;
  if (parts !== null) {
    exported = require('./' + parts[1]);
    names = [parts[2]];
  } else {
    if (spec.binary && !modules.has('package.json') && !modules.has('index.js')) {
      throw 'Zipped actions must contain either package.json or index.js at the root.';
    }
    exported = require('./');
    names = main === undefined ? adapter.names : [main];
  }
  for (let i = 0; i < names.length; i++) {
    const found = lookup(exported, names[i]) ?? (adapter.registered === undefined ? undefined : adapter.registered(names[i]));
    if (typeof found === 'function') return adapter.wrap(found);
  }
  if (main === undefined) {
    const registered = adapter.registered === undefined ? undefined : adapter.registered();
    if (typeof registered === 'function') return adapter.wrap(registered);
    if (typeof exported === 'function') return adapter.wrap(exported);
    if (exported !== null && typeof exported === 'object') {
      const functions = [];
      const keys = ObjectKeys(exported);
      for (let i = 0; i < keys.length; i++) if (typeof exported[keys[i]] === 'function') arrayPush(functions, exported[keys[i]]);
      if (functions.length === 1) return adapter.wrap(functions[0]);
    }
  }
  throw notAFunction(main ?? (names.length > 0 ? names[0] : 'main'));
}

// ---------------------------------------------------------------------------------------------------------
// Entry points (called by the host)

let handler;

function beginActivation(owEnv, logBudget) {
  logRemaining = logBudget;
  // Host requests of an earlier activation ended with it; their promises are dropped.
  mapClear(hostPending);
  if (fetchApi !== undefined) fetchApi.reset();
  groupIndent = '';
  mapClear(timers);
  heap.length = 0;
  const keys = ObjectKeys(processEnv);
  for (let i = 0; i < keys.length; i++) if (stringStartsWith(keys[i], '__OW_')) delete processEnv[keys[i]];
  const owKeys = ObjectKeys(owEnv);
  for (let i = 0; i < owKeys.length; i++) processEnv[owKeys[i]] = owEnv[owKeys[i]];
}

/**
 * spec: { binary: false, code, main } or { binary: true, files, main }; env: init-time environment (strings).
 * Returns { ok: true }, { ok: false, error } with the runtime's "Initialization has failed due to: ..." text,
 * or { ok: false, outOfMemory: true }.
 */
function init(spec, env, owEnv, logBudget) {
  beginActivation(owEnv, logBudget);
  const envKeys = ObjectKeys(env);
  for (let i = 0; i < envKeys.length; i++) processEnv[envKeys[i]] = env[envKeys[i]];
  try {
    if (spec.adapter !== undefined) handler = initAdapted(spec);
    else {
      const candidate = spec.binary ? initArchive(spec.files, spec.main) : initPlain(spec.code, spec.main);
      if (typeof candidate !== 'function') throw notAFunction(spec.main);
      handler = candidate;
    }
    return { ok: true };
  } catch (error) {
    if (isAllocationFailure(error)) return { ok: false, outOfMemory: true };
    logError('Error during initialization:', error);
    let text;
    try {
      text = error !== null && error !== undefined && error.stack ? StringCtor(error.stack) : StringCtor(error);
    } catch {
      text = '[unprintable error]';
    }
    return { ok: false, error: 'Initialization has failed due to: ' + clip(text, ERROR_TEXT_MAX) };
  }
}

/**
 * Error texts cross into the host record as they are: a thrown string of any size is clipped here, where it
 * costs the action's own memory, so the host never copies more than this many characters.
 */
const ERROR_TEXT_MAX = 1048576;

function clip(text, max) {
  return text.length > max ? stringSlice(text, 0, max) : text;
}

function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = stringCharCodeAt(text, i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = stringCharCodeAt(text, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** The 200 reply body as JSON text; an oversized one is clipped here and measured, the host has the last word. */
function reply(kind, value, limits) {
  let json;
  try {
    json = JSONStringify(value);
  } catch (error) {
    logError(error);
    return { kind: 'unserializable' };
  }
  if (json === undefined) json = '';
  if (json.length <= limits.maxResultBytes) return { kind, json };
  return { kind, json: stringSlice(json, 0, limits.truncationBytes), bytes: utf8Length(json) };
}

// serialize-error 9.1.0 as the nodejs runtime uses it for rejections, including its quirks.
const commonProperties = [
  { property: 'name', enumerable: false },
  { property: 'message', enumerable: false },
  { property: 'stack', enumerable: false },
  { property: 'code', enumerable: true },
];
const toJsonWasCalled = Symbol('.toJSON was called');

function destroyCircular(from, seen) {
  const to = ArrayIsArray(from) ? [] : {};
  arrayPush(seen, from);
  if (typeof from.toJSON === 'function' && from[toJsonWasCalled] !== true) {
    from[toJsonWasCalled] = true;
    const json = from.toJSON();
    delete from[toJsonWasCalled];
    return json;
  }
  const entries = ObjectEntries(from);
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i][0];
    const value = entries[i][1];
    if (typeof value === 'object' && typeof value.pipe === 'function') {
      to[key] = '[object Stream]';
      continue;
    }
    if (typeof value === 'function') continue;
    if (!value || typeof value !== 'object') {
      to[key] = value;
      continue;
    }
    if (!arrayIncludes(seen, from[key])) {
      to[key] = destroyCircular(from[key], arraySlice(seen));
      continue;
    }
    to[key] = '[Circular]';
  }
  for (let i = 0; i < commonProperties.length; i++) {
    const property = commonProperties[i].property;
    if (typeof from[property] === 'string') {
      ObjectDefineProperty(to, property, { value: from[property], enumerable: true, configurable: true, writable: true });
    }
  }
  return to;
}

function serializeError(value) {
  if (typeof value === 'object' && value !== null) return destroyCircular(value, []);
  if (typeof value === 'function') return '[Function: ' + (value.name || 'anonymous') + ']';
  return value;
}

function onResolved(value, limits) {
  if (value === undefined) value = {};
  if (typeof value !== 'object') {
    logError('Result must be of type object but has type "' + typeof value + '":', value);
    return { kind: 'notObject' };
  }
  return reply('returned', value, limits);
}

function onRejected(error, limits) {
  if (isAllocationFailure(error)) return { kind: 'outOfMemory' };
  let serialized;
  if (!error) serialized = {};
  else {
    try {
      serialized = serializeError(error);
    } catch (failure) {
      serialized = failure !== null && typeof failure === 'object' ? failure.message : StringCtor(failure);
    }
  }
  return reply('rejected', { error: serialized }, limits);
}

/**
 * One run: { kind: 'threw', text } synchronously, else a promise of the reply (see classify.ts RunEnding). The
 * params and the __OW_ env come as JSON text, the limits as numbers: nothing needs a structured copy.
 */
function run(paramsJson, owEnvJson, logBudget, maxResultBytes, truncationBytes) {
  beginActivation(JSONParse(owEnvJson), logBudget);
  const limits = { maxResultBytes, truncationBytes };
  const params = JSONParse(paramsJson);
  let result;
  try {
    result = handler(params);
  } catch (error) {
    if (isAllocationFailure(error)) return { kind: 'outOfMemory' };
    logError(error);
    let text;
    try {
      text = StringCtor(error);
    } catch {
      text = '[unprintable error]';
    }
    return { kind: 'threw', text: clip(text, limits.truncationBytes) };
  }
  return promiseThen(
    PromiseResolve(result),
    (value) => onResolved(value, limits),
    (error) => onRejected(error, limits),
  );
}

return { init, run, fireTimer, settleHost };
