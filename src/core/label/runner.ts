/**
 * Runs user-written labeling functions in a dedicated worker (workers/lf.worker.ts) with a wall-clock limit.
 * An endless loop can only be stopped by terminate(), so the runner sends one function at a time, arms a
 * timer per function, and on a timeout (or a worker crash) terminates the worker, reports that function,
 * and continues the remaining functions in a fresh worker: nothing the others computed is lost.
 * Functions of one run share a worker until one of them times out or crashes, so a function that
 * tampers with built-ins can affect the ones after it; they are all the same person's code, and a fresh
 * worker per function would clone the columns once per function.
 */
import { applyNoCodeLf, emptyLabelMatrix, setLfColumn, type CodeLf, type Columns, type LabelMatrix, type LfSpec } from './lf';
import { labelArray, type CodeLfOutcome, type LfWorkerRequest, type LfWorkerResponse } from './sandbox';
import { LabelError, type SerializedLabelError } from './errors';

/** The part of a Worker the runner uses; a browser Worker fits, tests adapt worker_threads or a fake. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
  addEventListener(type: 'message' | 'error', listener: (ev: { data?: unknown; message?: string }) => void): void;
}

/**
 * ok: ran on every row. threw: threw on some rows (those abstain; count and first error given).
 * invalid: returned a non-class on some rows (those abstain). timeout: stopped after the time limit, no
 * labels. compile-error: the source is not a function. crashed: the worker died (e.g. out of memory).
 * spec-error: a no-code function that does not fit the columns or classes. unsafe: not run, because the
 * sandbox could not remove some globals (named in the message).
 */
export type LfStatus = 'ok' | 'threw' | 'invalid' | 'timeout' | 'compile-error' | 'crashed' | 'spec-error' | 'unsafe';

export interface LfReport {
  index: number;
  id: string;
  status: LfStatus;
  /** This function's labels over the rows, ABSTAIN where it gave none (all ABSTAIN unless it finished). */
  labels: Int8Array | Int16Array;
  errors: number;
  firstError?: { row: number; message: string };
  invalid: number;
  firstInvalid?: { row: number; value: string };
  /** Compile, crash, timeout or spec message (English, or the engine's words). */
  message?: string;
  /** For a spec-error: the coded error, which the page shows in the person's language. */
  specError?: SerializedLabelError;
  /** Wall-clock milliseconds it took (the limit, for a timeout). */
  ms: number;
}

export interface LfRunnerOptions {
  /** Wall-clock limit per function, ms. */
  timeoutMs?: number;
  /** Limit for a fresh worker to receive the columns and answer, ms. */
  initTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

type Reply = { kind: 'message'; data: LfWorkerResponse } | { kind: 'timeout' } | { kind: 'crash'; message: string } | { kind: 'abort' };

/** One worker and its single outstanding request. */
class Session {
  private waiter: ((r: Reply) => void) | undefined;
  private dead: string | undefined;

  constructor(readonly worker: WorkerLike) {
    worker.addEventListener('message', (ev) => this.settle({ kind: 'message', data: ev.data as LfWorkerResponse }));
    worker.addEventListener('error', (ev) => {
      this.dead = ev.message || 'the labeling-function worker stopped';
      this.settle({ kind: 'crash', message: this.dead });
    });
  }

  private settle(r: Reply): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(r);
  }

  /** Post and wait for the next reply, the limit, a crash or an abort, whichever comes first. */
  request(msg: LfWorkerRequest, timeoutMs: number, signal?: AbortSignal): Promise<Reply> {
    if (this.dead) return Promise.resolve({ kind: 'crash', message: this.dead });
    return new Promise<Reply>((resolve) => {
      const onAbort = () => this.settle({ kind: 'abort' });
      const timer = setTimeout(() => this.settle({ kind: 'timeout' }), timeoutMs);
      signal?.addEventListener('abort', onAbort);
      this.waiter = (r) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      this.worker.postMessage(msg);
    });
  }
}

function abortError(): Error {
  return typeof DOMException !== 'undefined' ? new DOMException('labeling functions cancelled', 'AbortError') : new Error('cancelled');
}

export class LfRunner {
  constructor(
    private readonly createWorker: () => WorkerLike,
    private readonly defaults: LfRunnerOptions = {},
  ) {}

  /**
   * Run code functions over n rows of the given columns (cloned into the worker; send only the columns
   * the functions need). One report per function, in order. Rejects only on abort.
   */
  async run(specs: readonly CodeLf[], columns: Columns, n: number, k: number, options: LfRunnerOptions = {}): Promise<LfReport[]> {
    const { timeoutMs = 5_000, initTimeoutMs = 30_000, signal, onProgress } = { ...this.defaults, ...options };
    const reports: LfReport[] = [];
    const empty = (index: number, status: LfStatus, message: string, ms: number): LfReport => ({
      index,
      id: specs[index]!.id,
      status,
      labels: labelArray(n, k),
      errors: 0,
      invalid: 0,
      message,
      ms,
    });
    let next = 0;
    while (next < specs.length) {
      if (signal?.aborted) throw abortError();
      const session = new Session(this.createWorker());
      try {
        const ready = await session.request({ type: 'init', columns, n, k }, initTimeoutMs, signal);
        if (ready.kind === 'abort') throw abortError();
        if (ready.kind === 'message' && ready.data.type === 'refused') {
          // The same browser would leave the same globals in a fresh worker: run none of the functions.
          const names = ready.data.names.join(', ');
          for (; next < specs.length; next++) reports.push(empty(next, 'unsafe', names, 0));
          break;
        }
        if (ready.kind !== 'message' || ready.data.type !== 'ready') {
          // A worker that cannot even start will not start next time either: report the rest and stop.
          const why = ready.kind === 'crash' ? ready.message : 'the labeling-function worker did not start in time';
          for (; next < specs.length; next++) reports.push(empty(next, 'crashed', why, 0));
          break;
        }
        while (next < specs.length) {
          const index = next++;
          const started = now();
          const reply = await session.request({ type: 'run', index, source: specs[index]!.source }, timeoutMs, signal);
          const ms = now() - started;
          if (reply.kind === 'abort') throw abortError();
          if (reply.kind === 'timeout') {
            reports.push(empty(index, 'timeout', `stopped after ${timeoutMs} ms`, timeoutMs));
            break; // this worker is stuck; the finally terminates it and the loop starts a fresh one
          }
          if (reply.kind === 'crash') {
            reports.push(empty(index, 'crashed', reply.message, ms));
            break;
          }
          const data = reply.data;
          if (data.type === 'compile-error' && data.index === index) reports.push(empty(index, 'compile-error', data.message, ms));
          else if (data.type === 'result' && data.index === index) reports.push(fromOutcome(index, specs[index]!.id, data.outcome, n, k, ms));
          else {
            reports.push(empty(index, 'crashed', 'unexpected reply from the labeling-function worker', ms));
            break;
          }
          onProgress?.(reports.length, specs.length);
        }
      } finally {
        session.worker.terminate();
      }
      onProgress?.(reports.length, specs.length);
    }
    return reports;
  }
}

function fromOutcome(index: number, id: string, o: CodeLfOutcome, n: number, k: number, ms: number): LfReport {
  if (o.labels.length !== n) return { index, id, status: 'crashed', labels: labelArray(n, k), errors: 0, invalid: 0, message: "wrong number of labels", ms };
  const status: LfStatus = o.errors > 0 ? 'threw' : o.invalid > 0 ? 'invalid' : 'ok';
  return { index, id, status, labels: o.labels, errors: o.errors, firstError: o.firstError, invalid: o.invalid, firstInvalid: o.firstInvalid, ms };
}

/**
 * Apply a mixed list of functions: no-code ones here (they are data, not code), code ones through the
 * runner. A function that fails to compile, times out or crashes gets an all-ABSTAIN column and a report;
 * the rest of the matrix is intact.
 */
export async function applyLabelingFunctions(
  specs: readonly LfSpec[],
  columns: Columns,
  n: number,
  k: number,
  runner: LfRunner | undefined,
  options: LfRunnerOptions = {},
): Promise<{ matrix: LabelMatrix; reports: LfReport[] }> {
  const matrix = emptyLabelMatrix(n, specs.length, k);
  const reports = new Array<LfReport>(specs.length);
  const code: { j: number; spec: CodeLf }[] = [];
  specs.forEach((spec, j) => {
    if (spec.kind === 'code') {
      code.push({ j, spec });
      return;
    }
    const started = now();
    try {
      const labels = applyNoCodeLf(spec, columns, n, k);
      setLfColumn(matrix, j, labels);
      reports[j] = { index: j, id: spec.id, status: 'ok', labels, errors: 0, invalid: 0, ms: now() - started };
    } catch (e) {
      if (!(e instanceof LabelError && e.details.lfId !== undefined)) throw e;
      reports[j] = { index: j, id: spec.id, status: 'spec-error', labels: labelArray(n, k), errors: 0, invalid: 0, message: e.message, specError: e.toJSON(), ms: 0 };
    }
  });
  if (code.length > 0) {
    if (!runner) throw new Error('code labeling functions need an LfRunner');
    const got = await runner.run(
      code.map((c) => c.spec),
      columns,
      n,
      k,
      options,
    );
    got.forEach((r, c) => {
      const j = code[c]!.j;
      reports[j] = { ...r, index: j };
      setLfColumn(matrix, j, r.labels);
    });
  }
  return { matrix, reports };
}
