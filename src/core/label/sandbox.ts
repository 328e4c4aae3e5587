/**
 * The inside of the labeling-function worker: compile user-written JavaScript, evaluate it over rows, and
 * answer the runner's messages. The real boundary is the dedicated worker and `terminate()` (runner.ts);
 * removing network and storage globals here is defense in depth.
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

/** Globals a labeling function has no business with: network, storage, other workers, other tabs. */
export const BLOCKED_GLOBALS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'WebTransport',
  'EventSource',
  'RTCPeerConnection',
  'indexedDB',
  'caches',
  'importScripts',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'navigator',
  'Request',
  'Response',
  'close',
  'postMessage',
  'onmessage',
  'addEventListener',
  'removeEventListener',
  // Code from strings: with these gone, the only code that runs is the source the runner sent.
  'eval',
  'Function',
  'setTimeout',
  'setInterval',
] as const;

/**
 * Shadow each blocked global with an own, non-writable `undefined` on the global object (most live on
 * its prototype, where deleting is not possible); fall back to delete. Returns the names it could not hide.
 */
export function disableGlobals(scope: object, names: readonly string[] = BLOCKED_GLOBALS): string[] {
  const left: string[] = [];
  for (const name of names) {
    try {
      Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false, enumerable: false });
    } catch {
      try {
        delete (scope as Record<string, unknown>)[name];
      } catch {
        /* reported below */
      }
    }
    if ((scope as Record<string, unknown>)[name] !== undefined) left.push(name);
  }
  return left;
}

/**
 * Make the function constructors reachable from any function ((() => {}).constructor, and the async and
 * generator ones) throw, so user code cannot compile more code (and with it import()).
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
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
}

/**
 * Answer the runner: 'init' stores the columns and replies 'ready'; each 'run' compiles and evaluates one
 * function and replies with its outcome (labels transferred). postMessage and addEventListener are taken
 * before the globals go, so user code cannot post forged results or read later messages. `globals` is the
 * global object to strip (the scope itself in a browser worker; Node's globalThis behind a shim in tests).
 */
export function installLfWorker(scope: WorkerScopeLike & object, globals: object = scope): void {
  const post = scope.postMessage.bind(scope) as (message: LfWorkerResponse, transfer?: Transferable[]) => void;
  let columns: SandboxColumns = {};
  let n = 0;
  let k = 2;
  let rows: Readonly<Record<string, SandboxCell>>[] | undefined;
  scope.addEventListener('message', (ev) => {
    const msg = ev.data as LfWorkerRequest;
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
  disableGlobals(globals);
  disableCodeGeneration();
}
