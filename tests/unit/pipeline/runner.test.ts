/**
 * The run loop (core/pipeline/runner.ts) over the demo pipeline with a recording host: the host's
 * outputs are names (what a real host writes is tested with each host); here the loop's own decisions are
 * checked: order, wiring of inputs, caching as TFX does, failures and skips, cancel, resume, and the
 * ML Metadata it records.
 */
import { describe, expect, it } from 'vitest';
import { checkPipeline, type CheckedPipeline } from '../../../src/core/pipeline/check';
import { PipelineError } from '../../../src/core/pipeline/errors';
import type { JsonValue, MlmdStore } from '../../../src/core/pipeline/mlmd';
import { emptyStore } from '../../../src/core/pipeline/mlmd-record';
import { newRunRecord, runPipeline, type ArtifactRef, type ExecuteContext, type OutputArtifact, type PipelineHost, type RunRecord } from '../../../src/core/pipeline/runner';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { demo, demoWith } from './helpers';

interface Call {
  id: string;
  inputs: Record<string, string[]>;
}

/** A host whose components give `<id>.<port>#<n>` (n counts its executions) and record what they read. */
class RecordingHost implements PipelineHost {
  calls: Call[] = [];
  version = 'v1';
  deleted = new Set<string>();
  fail: Record<string, () => Error> = {};
  /** A component that waits until the run's signal aborts. */
  hang: string | null = null;
  /** Components that finish only when their promise resolves. */
  gates = new Map<string, Promise<void>>();
  started = new Set<string>();
  private counts = new Map<string, number>();
  private waiters = new Map<string, () => void>();

  resolve(component: ComponentSpec): Promise<Record<string, JsonValue>> {
    const resolved: Record<string, JsonValue> = component.type === 'ExampleGen' ? { datasetVersionId: this.version } : { production: 'none' };
    return Promise.resolve(resolved);
  }

  async execute(component: ComponentSpec, inputs: Readonly<Record<string, ArtifactRef[]>>, _resolved: unknown, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
    this.calls.push({ id: component.id, inputs: Object.fromEntries(Object.entries(inputs).map(([p, refs]) => [p, refs.map((r) => r.uri)])) });
    this.started.add(component.id);
    this.waiters.get(component.id)?.();
    ctx.log(`${component.id} starts`);
    ctx.progress(0.5, 'half');
    if (this.hang === component.id) {
      await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))));
    }
    await this.gates.get(component.id);
    const failure = this.fail[component.id];
    if (failure) throw failure();
    const n = (this.counts.get(component.id) ?? 0) + 1;
    this.counts.set(component.id, n);
    const ports = { ExampleGen: ['examples'], StatisticsGen: ['statistics'], SchemaGen: ['schema'], ExampleValidator: ['anomalies'], Transform: ['transform_graph'], Trainer: ['model', 'model_run'], Evaluator: ['evaluation', 'blessing'], Pusher: ['pushed_model'] }[component.type as string] ?? [];
    return Object.fromEntries(ports.map((p) => [p, { uri: `${component.id}.${p}#${n}`, properties: { n } }]));
  }

  exists(artifact: ArtifactRef): Promise<boolean> {
    return Promise.resolve(!this.deleted.has(artifact.uri));
  }

  /** Resolves when the component has started. */
  whenStarted(id: string): Promise<void> {
    return this.started.has(id) ? Promise.resolve() : new Promise((resolve) => this.waiters.set(id, resolve));
  }

  executed(): string[] {
    return this.calls.map((c) => c.id);
  }
}

let clock = 1_000;
const now = () => ++clock;

async function run(dag: CheckedPipeline, host: PipelineHost, store: MlmdStore, runId: string, record?: RunRecord, signal?: AbortSignal): Promise<RunRecord> {
  return runPipeline(dag, host, store, record ?? newRunRecord(runId, dag, now()), { now, signal });
}

const ALL = ['example_gen', 'statistics_gen', 'schema_gen', 'example_validator', 'transform', 'trainer', 'evaluator', 'pusher'];

describe('runPipeline', () => {
  it('runs the demo in dependency order, wires each input to its producer, and records it all in MLMD', async () => {
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    const store = emptyStore();
    const record = await run(dag, host, store, 'r1');
    expect(record.outcome).toBe('succeeded');
    expect(host.executed()).toEqual(ALL);
    expect(Object.values(record.components).map((c) => c.state)).toEqual(ALL.map(() => 'succeeded'));
    const trainer = host.calls.find((c) => c.id === 'trainer')!;
    expect(trainer.inputs).toEqual({ examples: ['example_gen.examples#1'], transform_graph: ['transform.transform_graph#1'] });
    expect(host.calls.find((c) => c.id === 'pusher')!.inputs).toEqual({ model: ['trainer.model#1'], model_blessing: ['evaluator.blessing#1'] });
    // 10 artifacts (one per output port: the trainer and evaluator have two each), 8 executions, one OUTPUT event per artifact
    expect(store.artifacts).toHaveLength(10);
    expect(store.executions.map((e) => e.lastKnownState)).toEqual(ALL.map(() => 'COMPLETE'));
    expect(store.events.filter((e) => e.type === 'OUTPUT')).toHaveLength(10);
    // inputs: statistics 1, schema 1, validator 2, transform 1 (examples; its schema input is not wired in the demo), trainer 2, evaluator 2, pusher 2
    const inputs = store.events.filter((e) => e.type === 'INPUT').length;
    expect(inputs).toBe(Object.values(dag.spec.components).reduce((n, c) => n + Object.keys(c.inputs).length, 0));
    expect(store.artifacts.find((a) => a.uri === 'trainer.model#1')).toMatchObject({ type: 'Model', customProperties: { n: { intValue: 1 } } });
    expect(store.contexts.map((c) => c.type)).toEqual(expect.arrayContaining(['pipeline', 'pipeline_run']));
    expect(record.components.trainer!.log).toEqual(['trainer starts']);
  });

  it('runs every component when one finishes while the run is saving its state', async () => {
    // The tab's onChange writes to IndexedDB. In the demo the validator and the transform run side by side;
    // when the validator is done the loop saves (nothing can start: the trainer waits for the transform), and
    // here the transform finishes during that save. The run must go on to the trainer.
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    let release!: () => void;
    host.gates.set('transform', new Promise<void>((resolve) => (release = resolve)));
    // the validator finishes once the loop waits for the two (a macrotask after it started)
    host.gates.set('example_validator', host.whenStarted('example_validator').then(() => new Promise<void>((resolve) => setImmediate(resolve))));
    let saves = 0;
    const record = await runPipeline(dag, host, emptyStore(), newRunRecord('slow', dag, now()), {
      now,
      onChange: async (r) => {
        if (r.components.example_validator!.state !== 'succeeded' || r.components.transform!.state !== 'running') return;
        // the first such save is the validator's own; the second is the loop's, after it planned nothing to start
        if (++saves !== 2) return;
        release();
        await new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    expect(saves).toBe(2);
    expect(host.executed().sort()).toEqual([...ALL].sort());
    expect(Object.values(record.components).map((c) => c.state)).toEqual(ALL.map(() => 'succeeded'));
    expect(record.outcome).toBe('succeeded');
  });

  it('reuses unchanged components on a second run (TFX caching), re-runs the Pusher, and reads the cached artifacts', async () => {
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    const store = emptyStore();
    await run(dag, host, store, 'r1');
    host.calls = [];
    const second = await run(dag, host, store, 'r2');
    expect(second.outcome).toBe('succeeded');
    // the Pusher has a side effect: always executed; everything else is cached
    expect(host.executed()).toEqual(['pusher']);
    expect(second.components.trainer).toMatchObject({ state: 'cached', cachedFrom: 6 });
    expect(host.calls[0]!.inputs).toEqual({ model: ['trainer.model#1'], model_blessing: ['evaluator.blessing#1'] });
    expect(store.executions.filter((e) => e.lastKnownState === 'CACHED')).toHaveLength(7);
    // a cached execution adds events to the same artifacts, no new artifact but the push
    expect(store.artifacts).toHaveLength(11);
  });

  it('re-executes what a changed setting or a new data version reaches, and what lost an output', async () => {
    const store = emptyStore();
    const host = new RecordingHost();
    await run(checkPipeline(demo()), host, store, 'r1');
    host.calls = [];
    const changed = checkPipeline(demoWith('trainer', (c) => void ((c.settings.hyper as { epochs: number }).epochs += 1)));
    await run(changed, host, store, 'r2');
    expect(host.executed()).toEqual(['trainer', 'evaluator', 'pusher']);

    host.calls = [];
    host.version = 'v2';
    await run(changed, host, store, 'r3');
    expect(host.executed()).toEqual(ALL);

    host.calls = [];
    host.deleted.add('transform.transform_graph#2');
    await run(changed, host, store, 'r4');
    // the transform's earlier output is gone: it runs again, and so does all that reads it (a new artifact id)
    expect(host.executed()).toEqual(['transform', 'trainer', 'evaluator', 'pusher']);
  });

  it('a failed component stops its dependants, names itself as their reason, and an independent branch still runs', async () => {
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    host.fail.example_validator = () => new PipelineError('anomalies', { component: 'example_validator', params: { count: 2, columns: 'Island, Sex' } }, 'two anomalies');
    const store = emptyStore();
    const record = await run(dag, host, store, 'r1');
    expect(record.outcome).toBe('failed');
    expect(record.components.example_validator).toMatchObject({ state: 'failed', error: { kind: 'PipelineError', code: 'anomalies', details: { component: 'example_validator', params: { count: 2 } } } });
    // the demo's trainer runs after the validator: it and what follows are skipped because of it
    for (const id of ['trainer', 'evaluator', 'pusher']) expect(record.components[id]).toMatchObject({ state: 'skipped', skippedBecause: 'example_validator' });
    expect(record.components.transform!.state).toBe('succeeded');
    expect(store.executions.find((e) => e.type === 'ExampleValidator')!.lastKnownState).toBe('FAILED');
    expect(store.events.filter((e) => e.executionId === store.executions.find((x) => x.type === 'ExampleValidator')!.id).map((e) => e.type)).toEqual(['INPUT', 'INPUT']);
    expect(record.outputs.example_validator).toBeUndefined();
  });

  it('an internal fault is kept as its words, not as a coded error', async () => {
    const host = new RecordingHost();
    host.fail.schema_gen = () => new TypeError('x is undefined');
    const record = await run(checkPipeline(demo()), host, emptyStore(), 'r1');
    expect(record.components.schema_gen!.error).toEqual({ kind: 'internal', message: 'x is undefined' });
  });

  it('cancel stops the running component and everything pending; nothing of it is recorded as output', async () => {
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    host.hang = 'trainer';
    const store = emptyStore();
    const controller = new AbortController();
    const done = run(dag, host, store, 'r1', undefined, controller.signal);
    await host.whenStarted('trainer');
    controller.abort();
    const record = await done;
    expect(record.outcome).toBe('cancelled');
    expect(record.components.trainer!.state).toBe('cancelled');
    expect(record.components.evaluator!.state).not.toBe('succeeded');
    expect(host.executed()).not.toContain('evaluator');
    expect(store.executions.find((e) => e.type === 'Trainer')!.lastKnownState).toBe('CANCELED');
    expect(store.artifacts.some((a) => a.uri?.startsWith('trainer.'))).toBe(false);
  });

  it('a saved run continues after a reload: what finished stays, what was running starts again', async () => {
    const dag = checkPipeline(demo());
    const host = new RecordingHost();
    host.hang = 'trainer';
    const store = emptyStore();
    let saved: RunRecord | null = null;
    const controller = new AbortController();
    const first = runPipeline(dag, host, store, newRunRecord('r1', dag, now()), {
      now,
      signal: controller.signal,
      onChange: (r) => void (saved = structuredClone(r)),
    });
    await host.whenStarted('trainer');
    // the tab closes while the trainer runs: the last saved record has it running
    const snapshot = structuredClone(saved!) as RunRecord;
    expect(snapshot.components.trainer!.state).toBe('running');
    controller.abort();
    await first;

    host.hang = null;
    host.calls = [];
    const resumed = await runPipeline(dag, host, store, snapshot, { now });
    expect(resumed.outcome).toBe('succeeded');
    expect(host.executed()).toEqual(['trainer', 'evaluator', 'pusher']);
    expect(host.calls[0]!.inputs.transform_graph).toEqual(['transform.transform_graph#1']);
  });
});
