/**
 * Running a checked pipeline: the one loop the tab and the command-line runner share. The host does the
 * work of each component (the tab through its workers and IndexedDB, Node on files); this loop decides
 * what runs when (plan.ts), reuses earlier outputs when a component's inputs and settings are unchanged
 * (cache.ts), records every execution, artifact and event in ML Metadata's model (mlmd-record.ts), and
 * reports every change of state so the run can be shown and saved. A run continues from a saved RunRecord:
 * what finished stays finished, what was running starts again (plan.ts resumeFrom).
 *
 * Nothing is half written: a component's outputs enter the record and the store only when its execution
 * completes; a failure records the execution as FAILED with its inputs and no outputs.
 */
import { isSerializedCodedError, type AnySerializedCodedError } from '../errors';
import { CACHE_CONTEXT_TYPE, cacheKey, findCached } from './cache';
import type { CheckedPipeline } from './check';
import { MLMD_ARTIFACT_TYPE, type ArtifactKind } from './components';
import { PipelineError } from './errors';
import { RUN_CONTEXT_TYPE, toProperties, valueOf, type Artifact, type JsonValue, type MlmdStore } from './mlmd';
import { MlmdRecorder } from './mlmd-record';
import { planStep, resumeFrom, runOutcome, type ComponentState } from './plan';
import type { ComponentSpec } from './spec';

export const PIPELINE_CONTEXT_TYPE = 'pipeline';

/** An artifact as a component reads it: its MLMD id, kind, where it lives and its properties. */
export interface ArtifactRef {
  id: number;
  kind: ArtifactKind;
  uri: string;
  properties: Record<string, JsonValue>;
}

/** What an executor gives for an output port. `uri` names the thing in the host's store or directory. */
export interface OutputArtifact {
  uri: string;
  properties?: Record<string, JsonValue>;
}

export interface ExecuteContext {
  /** The pipeline run this execution belongs to (a run continued after a reload keeps its id). */
  runId: string;
  signal: AbortSignal;
  /** Fraction done in [0, 1] (null: not known) and what is under way. */
  progress(fraction: number | null, message?: string): void;
  log(line: string): void;
}

export interface PipelineHost {
  /**
   * What a 'resolved' component reads besides its inputs, looked up when it starts (ExampleGen: the dataset
   * version "latest" means now; Evaluator: the model aliased production). Part of its cache key.
   */
  resolve(component: ComponentSpec, inputs: Readonly<Record<string, ArtifactRef[]>>): Promise<Record<string, JsonValue>>;
  /** Do the component's work; every output port of its contract must be given. Throws to fail it. */
  execute(component: ComponentSpec, inputs: Readonly<Record<string, ArtifactRef[]>>, resolved: Record<string, JsonValue> | undefined, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>>;
  /** Whether an artifact an earlier execution wrote still exists (a deleted model version cannot be reused). */
  exists(artifact: ArtifactRef): Promise<boolean>;
}

/** A failure as the run keeps it: a coded error the page can say in its language, or an internal fault's words. */
export type RunFailure = AnySerializedCodedError | { kind: 'internal'; message: string };

export interface ComponentRun {
  state: ComponentState;
  startedAt?: number;
  finishedAt?: number;
  progress?: number | null;
  message?: string;
  log: string[];
  /** Its outputs came from an earlier execution (state 'cached'). */
  cachedFrom?: number;
  executionId?: number;
  error?: RunFailure;
  /** Skipped because this upstream component failed or was cancelled. */
  skippedBecause?: string;
}

/** A run as saved after every change: enough to show it and to continue it after a reload. */
export interface RunRecord {
  runId: string;
  pipelineName: string;
  startedAt: number;
  finishedAt?: number;
  outcome?: 'succeeded' | 'failed' | 'cancelled';
  components: Record<string, ComponentRun>;
  /** Component -> output port -> artifacts, for each component that succeeded or was cached. */
  outputs: Record<string, Record<string, ArtifactRef[]>>;
}

export interface RunOptions {
  signal?: AbortSignal;
  maxParallel?: number;
  /** Called after every change of state, with the record and the store (save them here). */
  onChange?: (run: RunRecord, store: MlmdStore) => void | Promise<void>;
  /** The clock (milliseconds since the epoch). */
  now?: () => number;
  /** Log lines kept per component (the newest). */
  logLines?: number;
}

export function newRunRecord(runId: string, dag: CheckedPipeline, startedAt: number): RunRecord {
  const components = Object.fromEntries(dag.order.map((id) => [id, { state: 'pending' as ComponentState, log: [] }]));
  return { runId, pipelineName: dag.spec.name, startedAt, components, outputs: {} };
}

/** Plain values as MLMD properties (undefined when there are none). */
function refOf(a: Artifact, kind: ArtifactKind): ArtifactRef {
  const properties: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(a.customProperties ?? {})) properties[k] = valueOf(v)!;
  return { id: a.id, kind, uri: a.uri ?? '', properties };
}

function failureOf(e: unknown): RunFailure {
  if (e instanceof Error && 'toJSON' in e && typeof e.toJSON === 'function') {
    const json: unknown = e.toJSON();
    if (isSerializedCodedError(json)) return json;
  }
  if (isSerializedCodedError(e)) return e;
  return { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof Error && e.name === 'AbortError');
}

/**
 * Run (or continue) a pipeline. Resolves with the finished record; never rejects for a component's
 * failure (that is the record's outcome), only for a fault of the host's onChange.
 */
export async function runPipeline(dag: CheckedPipeline, host: PipelineHost, store: MlmdStore, run: RunRecord, options: RunOptions = {}): Promise<RunRecord> {
  const signal = options.signal ?? new AbortController().signal;
  const now = options.now ?? Date.now;
  const logLines = options.logLines ?? 200;
  const recorder = new MlmdRecorder(store);
  const pipelineContext = recorder.context(PIPELINE_CONTEXT_TYPE, dag.spec.name);
  const runContext = recorder.context(RUN_CONTEXT_TYPE, run.runId);
  if (!store.parentContexts.some((p) => p.childId === runContext)) store.parentContexts.push({ childId: runContext, parentId: pipelineContext });

  for (const [id, state] of Object.entries(resumeFrom(Object.fromEntries(Object.entries(run.components).map(([k, c]) => [k, c.state]))))) {
    const c = run.components[id]!;
    if (c.state !== state) Object.assign(c, { state, progress: null, message: undefined, startedAt: undefined });
  }
  delete run.finishedAt;
  delete run.outcome;

  let changes = Promise.resolve();
  const changed = (): Promise<void> => (changes = changes.then(() => options.onChange?.(run, store)));

  const states = () => Object.fromEntries(Object.entries(run.components).map(([k, c]) => [k, c.state]));
  const running = new Map<string, Promise<void>>();

  const execute = async (id: string): Promise<void> => {
    const { spec, contract } = dag.components[id]!;
    const c = run.components[id]!;
    const inputs: Record<string, ArtifactRef[]> = {};
    for (const [port, ref] of Object.entries(spec.inputs)) inputs[port] = run.outputs[ref.from]?.[ref.port] ?? [];
    const inputIds = Object.fromEntries(Object.entries(inputs).map(([port, refs]) => [port, refs.map((r) => r.id)]));
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort);
    const ctx: ExecuteContext = {
      runId: run.runId,
      signal: controller.signal,
      progress: (fraction, message) => {
        c.progress = fraction;
        c.message = message;
        void changed();
      },
      log: (line) => {
        c.log.push(line);
        if (c.log.length > logLines) c.log.splice(0, c.log.length - logLines);
        void changed();
      },
    };
    const executionType = spec.type;
    try {
      const resolved = contract.determinism === 'resolved' ? await host.resolve(spec, inputs) : undefined;
      const decision = cacheKey(spec, { inputs: inputIds, resolved });
      const hit = decision.cacheable ? findCached(store, decision.key) : null;
      const reusable = hit && (await Promise.all(Object.entries(hit.outputs).flatMap(([port, arts]) => arts.map((a) => host.exists(refOf(a, contract.outputs[port]!)))))).every(Boolean);
      let outputs: Record<string, ArtifactRef[]>;
      let executionId: number;
      if (hit && reusable) {
        outputs = Object.fromEntries(Object.entries(hit.outputs).map(([port, arts]) => [port, arts.map((a) => refOf(a, contract.outputs[port]!))]));
        executionId = recorder.execution(executionType, { componentId: id, settings: spec.settings as unknown as JsonValue, state: 'CACHED', inputs: inputIds, outputs: Object.fromEntries(Object.entries(outputs).map(([p, r]) => [p, r.map((a) => a.id)])), baseType: baseTypeOf(contract.baseType), time: now() });
        c.cachedFrom = hit.execution.id;
        c.state = 'cached';
        c.log.push(`cached: the outputs of execution ${hit.execution.id}`);
      } else {
        const given = await host.execute(spec, inputs, resolved, ctx);
        outputs = {};
        const time = now();
        for (const [port, kind] of Object.entries(contract.outputs)) {
          const out = given[port];
          if (!out) throw new Error(`${id}: the executor gave no output for port ${port}`);
          const artifact = recorder.artifact(MLMD_ARTIFACT_TYPE[kind], { uri: out.uri, customProperties: toProperties(out.properties), time });
          outputs[port] = [refOf(artifact, kind)];
        }
        executionId = recorder.execution(executionType, { componentId: id, settings: spec.settings as unknown as JsonValue, state: 'COMPLETE', inputs: inputIds, outputs: Object.fromEntries(Object.entries(outputs).map(([p, r]) => [p, r.map((a) => a.id)])), baseType: baseTypeOf(contract.baseType), time });
        c.state = 'succeeded';
        if (decision.cacheable) recorder.attach(recorder.context(CACHE_CONTEXT_TYPE, decision.key), { executions: [executionId] });
      }
      const artifactIds = Object.values(outputs).flat().map((a) => a.id);
      recorder.attach(runContext, { executions: [executionId], artifacts: artifactIds });
      recorder.attach(pipelineContext, { executions: [executionId], artifacts: artifactIds });
      run.outputs[id] = outputs;
      c.executionId = executionId;
      c.progress = 1;
    } catch (e) {
      const cancelled = isAbort(e, controller.signal);
      c.state = cancelled ? 'cancelled' : 'failed';
      if (!cancelled) c.error = failureOf(e);
      const executionId = recorder.execution(executionType, { componentId: id, settings: spec.settings as unknown as JsonValue, state: cancelled ? 'CANCELED' : 'FAILED', inputs: inputIds, baseType: baseTypeOf(contract.baseType), time: now() });
      recorder.attach(runContext, { executions: [executionId] });
      c.executionId = executionId;
    } finally {
      signal.removeEventListener('abort', abort);
      c.finishedAt = now();
      running.delete(id);
      await changed();
    }
  };

  for (;;) {
    if (signal.aborted) {
      for (const c of Object.values(run.components)) if (c.state === 'pending') c.state = 'cancelled';
    }
    const step = planStep(dag, states(), { maxParallel: options.maxParallel });
    for (const s of step.skip) Object.assign(run.components[s.component]!, { state: 'skipped', skippedBecause: s.because });
    if (step.finished && running.size === 0) break;
    for (const id of signal.aborted ? [] : step.start) {
      Object.assign(run.components[id]!, { state: 'running', startedAt: now(), progress: null, error: undefined, cachedFrom: undefined });
      running.set(id, execute(id));
    }
    // nothing runs and nothing could start: the plan is stuck (cannot happen with a checked DAG)
    if (running.size === 0) break;
    await changed();
    // a component may have finished during that save (the tab's is an IndexedDB write); the next step sees it
    if (running.size > 0) await Promise.race(running.values());
  }
  run.finishedAt = now();
  run.outcome = runOutcome(states());
  await changed();
  return run;
}

function baseTypeOf(base: string): 'TRAIN' | 'TRANSFORM' | 'PROCESS' | 'EVALUATE' | 'DEPLOY' {
  return base.replace('mlmd.', '').toUpperCase() as 'TRAIN' | 'TRANSFORM' | 'PROCESS' | 'EVALUATE' | 'DEPLOY';
}

/** A component whose executor the host does not have (the tab's host without a training worker). */
export function notBuilt(component: ComponentSpec): PipelineError {
  return new PipelineError('not-runnable', { component: component.id, params: { type: component.type } }, `${component.id}: no executor runs a ${component.type} yet`);
}
