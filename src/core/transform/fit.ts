/**
 * fitTransform: run a spec's analyzers over the training data and return the FittedTransform.
 *
 * The data is read one chunk at a time through `passOverData` (called once per pass; each call must yield
 * the same rows), so memory holds one chunk plus the analyzers' state, never the table. Passes follow
 * tf.Transform's phases: a step's analyzer reads its inputs' values, so an analyzer over the output of
 * another analyzed step (tfidf over a vocabulary, bucketize of a z_score) runs in the pass after that step
 * is fitted. checkSpec's analyzePass says which pass; a spec whose analyzers read only raw columns or
 * unanalyzed steps needs one pass, and one with no analyzer none.
 *
 * Cancellation: the signal is checked before every chunk; an abort throws an Error named 'AbortError'
 * (what the page's Job treats as cancelled). Progress: after every chunk, rows done in the current pass.
 */
import { evaluateChunk, type StepColumn } from './apply';
import { analyzerFor, type StepAnalyzer } from './analyzers';
import { checkSpec, type CheckedStep, type SpecColumn } from './check';
import type { TransformChunk } from './chunk';
import { featureLayout, type FittedStep, type FittedTransform } from './fitted';
import { prepareStep, TRANSFORM_FORMAT, TRANSFORM_VERSION, type PreparedStep } from './reader.js';
import type { TransformSpec } from './spec';

export interface FitProgress {
  /** The pass under way, from 1. */
  pass: number;
  passes: number;
  /** Rows read so far in this pass. */
  rows: number;
  /** Rows in the data, when the caller said (options.rowCount). */
  totalRows: number | null;
}

export interface FitOptions {
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
  /** Rows the data holds, for progress. */
  rowCount?: number;
}

function cancelled(): Error {
  const e = new Error('transform fitting cancelled');
  e.name = 'AbortError';
  return e;
}

/** Size of a step without analyzer: numbers take 1 slot, hashes their buckets, text none. */
function plainSize(step: CheckedStep): number {
  if (step.kind === 'number') return 1;
  if (step.kind === 'index' || step.kind === 'indices') return step.params.hash_buckets as number;
  return 0;
}

class Fitting {
  readonly fitted = new Map<string, FittedStep>();
  readonly prepared = new Map<string, PreparedStep>();

  constructor(readonly steps: CheckedStep[]) {}

  add(step: CheckedStep, state: Record<string, unknown>, size: number): void {
    const f: FittedStep = { name: step.name, op: step.op, inputs: step.inputs, inputKinds: step.inputKinds, params: step.params, kind: step.kind, output: step.output, size, state };
    this.fitted.set(step.name, f);
    this.prepared.set(step.name, prepareStep(f));
  }

  /** Fit every step without analyzer that can be computed after `passes` passes. */
  addPlainSteps(passes: number): void {
    for (const s of this.steps) if (s.analyzePass < 0 && s.ready <= passes && !this.fitted.has(s.name)) this.add(s, {}, plainSize(s));
  }

  inputSizes(step: CheckedStep): number[] {
    return step.inputs.map((i) => (this.fitted.has(i) ? this.fitted.get(i)!.size : 1));
  }
}

/** One pass: every analyzer of the pass reads every chunk. */
async function runPass(fitting: Fitting, pass: number, passes: number, chunks: AsyncIterable<TransformChunk>, options: FitOptions): Promise<number> {
  const steps = fitting.steps.filter((s) => s.analyzePass === pass);
  const analyzers: [CheckedStep, StepAnalyzer][] = steps.map((s) => [s, analyzerFor(s, fitting.inputSizes(s))]);
  const needed = new Set(steps.flatMap((s) => s.inputs));
  let rows = 0;
  for await (const chunk of chunks) {
    if (options.signal?.aborted) throw cancelled();
    const columns = evaluateChunk(chunk, fitting.prepared, needed);
    for (const [step, analyzer] of analyzers) analyzer.add(step.inputs.map((i) => columns.get(i) as StepColumn), chunk.length);
    rows += chunk.length;
    options.onProgress?.({ pass: pass + 1, passes, rows, totalRows: options.rowCount ?? null });
  }
  if (options.signal?.aborted) throw cancelled();
  for (const [step, analyzer] of analyzers) {
    const { state, size } = analyzer.finish();
    fitting.add(step, state, size);
  }
  return rows;
}

/**
 * Fit a transform spec (checked first: see checkSpec) on data with these columns. Returns plain JSON:
 * JSON.stringify it to store or ship it.
 */
export async function fitTransform(spec: TransformSpec | unknown, columns: readonly SpecColumn[], passOverData: () => AsyncIterable<TransformChunk>, options: FitOptions = {}): Promise<FittedTransform> {
  const checked = checkSpec(spec, columns);
  const fitting = new Fitting(checked.steps);
  let rows = 0;
  for (let pass = 0; pass < checked.passes; pass++) {
    fitting.addPlainSteps(pass);
    const read = await runPass(fitting, pass, checked.passes, passOverData(), options);
    if (pass === 0) rows = read;
  }
  fitting.addPlainSteps(checked.passes);
  const steps = checked.steps.map((s) => fitting.fitted.get(s.name)!);
  return {
    format: TRANSFORM_FORMAT,
    version: TRANSFORM_VERSION,
    spec: structuredClone(spec) as TransformSpec,
    columns: checked.columns,
    rows,
    steps,
    features: featureLayout(steps),
  };
}
