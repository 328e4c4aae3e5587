/**
 * The inside of the labeling-function worker: compile user-written JavaScript, evaluate it over rows, and
 * answer the runner's messages. Before any user code runs, every global but a short allow-list of
 * ECMAScript built-ins is deleted from the worker's global object and its whole prototype chain (deny by
 * default), and the function constructors are disabled. The worker script is also served with a
 * Content-Security-Policy that lets it connect nowhere (vite.config.ts and the service worker), and
 * `terminate()` in runner.ts bounds its time.
 *
 * This file has no runtime imports on purpose: it is the whole worker (workers/lf.worker.ts only calls
 * installLfWorker), and the unit tests transpile it alone and run it in a real worker_threads Worker.
 */

/** Same value as lf.ts's ABSTAIN; repeated so this file stays import-free. */
const ABSTAIN = -1;

/** Taken at load, before installLfWorker hides the global and the constructors that lead to it. */
const FunctionCtor = Function;

export type SandboxCell = string | number | boolean | null | undefined;
export type SandboxColumns = Readonly<Record<string, ArrayLike<SandboxCell>>>;

/** What one code LF did over all rows. Rows where it threw or returned a bad value count as ABSTAIN. */
export interface CodeLfOutcome {
  labels: Int8Array | Int16Array;
  /** Rows on which the function threw. */
  errors: number;
  firstError?: { row: number; message: string };
  /** Rows on which it returned something other than ABSTAIN or an integer class in [0, k). */
  invalid: number;
  firstInvalid?: { row: number; value: string };
}

/** page -> worker */
export type LfWorkerRequest =
  | { type: 'init'; columns: SandboxColumns; n: number; k: number }
  | { type: 'run'; index: number; source: string };

/** worker -> page */
export type LfWorkerResponse =
  | { type: 'ready' }
  /** The lock-down could not remove these globals, so no user code runs in this worker. */
  | { type: 'refused'; names: string[] }
  | { type: 'result'; index: number; outcome: CodeLfOutcome }
  | { type: 'compile-error'; index: number; message: string };

/** Int8 while every class fits, so a 100k x 20 label matrix stays 2 MB. */
export function labelArray(n: number, k: number): Int8Array | Int16Array {
  const a = k <= 127 ? new Int8Array(n) : new Int16Array(n);
  a.fill(ABSTAIN);
  return a;
}

/**
 * Compile `(row) => classIndex | ABSTAIN`. The source is an expression that evaluates to a function
 * (an arrow function or `function (row) {...}`); ABSTAIN is in scope. Strict mode so a stray assignment
 * throws instead of creating a global.
 */
export function compileCode(source: string): (row: Readonly<Record<string, SandboxCell>>) => unknown {
  // import() would fetch code from the network and no global can hide it; refusing the word is crude
  // (a comment saying "import" is refused too) but cannot be got around.
  if (/\bimport\b/.test(source)) throw new SyntaxError('import is not allowed in a labeling function');
  const make = new FunctionCtor('ABSTAIN', `"use strict";\nreturn (\n${source}\n);`) as (abstain: number) => unknown;
  const fn = make(ABSTAIN);
  if (typeof fn !== 'function') throw new TypeError(`the code must be a function from a row to a class, not ${typeof fn}`);
  return fn as (row: Readonly<Record<string, SandboxCell>>) => unknown;
}

/**
 * One frozen object per row, built once and shared by every function of a run: frozen so one function
 * cannot change what the next one sees, and not reused across rows so a function that keeps a row
 * (say, the previous one) does not see it change under it.
 */
export function buildRows(columns: SandboxColumns, n: number): Readonly<Record<string, SandboxCell>>[] {
  const names = Object.keys(columns);
  const cols = names.map((name) => columns[name]!);
  const rows = new Array<Readonly<Record<string, SandboxCell>>>(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, SandboxCell> = {};
    for (let c = 0; c < names.length; c++) {
      const v = cols[c]![i];
      row[names[c]!] = v === undefined ? null : v;
    }
    rows[i] = Object.freeze(row);
  }
  return rows;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/**
 * Run one compiled function over every row. A throw or an invalid return value labels that row ABSTAIN and
 * is counted; the first of each is kept so the page can show it against the function.
 * `undefined` is invalid rather than ABSTAIN: it is almost always a forgotten `return ABSTAIN`.
 */
export function evaluateCode(
  fn: (row: Readonly<Record<string, SandboxCell>>) => unknown,
  rows: readonly Readonly<Record<string, SandboxCell>>[],
  k: number,
): CodeLfOutcome {
  const labels = labelArray(rows.length, k);
  const outcome: CodeLfOutcome = { labels, errors: 0, invalid: 0 };
  for (let i = 0; i < rows.length; i++) {
    let v: unknown;
    try {
      v = fn(rows[i]!);
    } catch (e) {
      if (outcome.errors++ === 0) outcome.firstError = { row: i, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      continue;
    }
    if (v === ABSTAIN) continue;
    // Booleans are not classes: `true` for class 1 would hide a bug in a multi-class set.
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < k) labels[i] = v;
    else if (outcome.invalid++ === 0) outcome.firstInvalid = { row: i, value: describe(v) };
  }
  return outcome;
}

/**
 * The only globals user code keeps: ECMAScript's own values, types and helpers, and `console` for
 * debugging. Deny by default: everything else on the worker's global object and its prototype chain is
 * deleted before any user code runs, so a capability this list does not name (FontFace, self.fonts, a
 * future browser's new API) is gone too. `globalThis` and `self` are not here: the global object itself
 * would lead back to every prototype.
 */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  'undefined', 'NaN', 'Infinity',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent',
  'Object', 'Array', 'String', 'Number', 'Boolean', 'BigInt', 'Symbol', 'Date', 'RegExp', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'Math', 'JSON', 'Intl', 'Reflect', 'Proxy', 'Promise',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'console',
]);

function objectsOf(global: object): object[] {
  const chain: object[] = [];
  for (let o: object | null = global; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) chain.push(o);
  return chain;
}

/**
 * Delete every property of `global` that ALLOWED_GLOBALS does not name, and every property of the objects
 * on its prototype chain up to Object.prototype: the interface objects (Worker, FontFace, MessageEvent),
 * the operations and attributes that browsers keep on the prototypes (WorkerGlobalScope.prototype.fetch,
 * .fonts, .navigator, EventTarget.prototype.dispatchEvent and addEventListener), `self` and `globalThis`.
 * A property that cannot be deleted is overwritten with undefined. Returns the names of the objects and
 * functions that survive both, so the caller can refuse to run user code instead of trusting a sandbox
 * with a hole in it.
 */
export function lockDownGlobals(global: object): string[] {
  const left: string[] = [];
  for (const o of objectsOf(global)) {
    for (const key of Reflect.ownKeys(o)) {
      if (o === global && typeof key === 'string' && ALLOWED_GLOBALS.has(key)) continue;
      if (Reflect.deleteProperty(o, key)) continue;
      try {
        Object.defineProperty(o, key, { value: undefined, writable: false });
      } catch {
        /* reported below */
      }
      // WebIDL constants (WorkerGlobalScope's TEMPORARY, PERSISTENT) cannot be deleted; a number is harmless.
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d && (d.get || d.set || typeof d.value === 'object' || typeof d.value === 'function') && d.value !== null) left.push(String(key));
    }
  }
  // V8 calls Error.prepareStackTrace with call-site objects that can hand out functions and receivers.
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  return left;
}

/**
 * Make the function constructors reachable from any function ((() => {}).constructor, and the async and
 * generator ones) throw, so user code cannot compile more code (and with it import()). The global
 * Function is gone already; these are the intrinsics no global name leads to.
 */
export function disableCodeGeneration(): void {
  const blocked = function () {
    throw new EvalError('code generation is disabled in labeling functions');
  };
  const samples = [function () {}, async function () {}, function* () {}, async function* () {}];
  for (const f of samples) {
    try {
      Object.defineProperty(Object.getPrototypeOf(f), 'constructor', { value: blocked, writable: false, configurable: false });
    } catch {
      /* already locked */
    }
  }
}

export interface WorkerScopeLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown; isTrusted?: boolean }) => void): void;
}

/**
 * Answer the runner: 'init' stores the columns and replies 'ready' (or 'refused', naming the globals the
 * lock-down could not remove, and then runs nothing); each 'run' compiles and evaluates one function and
 * replies with its outcome (labels transferred). postMessage and addEventListener are taken before the
 * globals go, so user code cannot post forged results or read later messages, and an event that a script
 * dispatched (isTrusted false) is ignored. `globals` is the global object to strip (the scope itself in a
 * browser worker; Node's globalThis behind a shim in tests).
 */
export function installLfWorker(scope: WorkerScopeLike & object, globals: object = scope): void {
  const post = scope.postMessage.bind(scope) as (message: LfWorkerResponse, transfer?: Transferable[]) => void;
  let columns: SandboxColumns = {};
  let n = 0;
  let k = 2;
  let rows: Readonly<Record<string, SandboxCell>>[] | undefined;
  const listen = scope.addEventListener.bind(scope);
  const left = lockDownGlobals(globals);
  disableCodeGeneration();
  listen('message', (ev) => {
    if (ev.isTrusted === false) return;
    const msg = ev.data as LfWorkerRequest;
    if (left.length > 0) {
      if (msg.type === 'init') post({ type: 'refused', names: left });
      return;
    }
    if (msg.type === 'init') {
      ({ columns, n, k } = msg);
      // Rows are built here so that the time goes to the start-up limit, not the first function's.
      rows = buildRows(columns, n);
      post({ type: 'ready' });
      return;
    }
    rows ??= buildRows(columns, n);
    let fn: ReturnType<typeof compileCode>;
    try {
      fn = compileCode(msg.source);
    } catch (e) {
      post({ type: 'compile-error', index: msg.index, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return;
    }
    const outcome = evaluateCode(fn, rows, k);
    post({ type: 'result', index: msg.index, outcome }, [outcome.labels.buffer as ArrayBuffer]);
  });
}
