/**
 * The tab's pipeline host (app/pipeline-host.ts) on fake-indexeddb with a recording data worker: the
 * ExampleGen finds its dataset by id or name and a ready version ("latest" = the newest ready one; a
 * version still being written is not one), and refuses by name what it cannot find or cannot tell apart;
 * each component calls its stage's worker operation with the examples' version, label and split; the
 * ExampleValidator fails the run on anomalies unless accepted; a cancel is the worker job's cancel; the
 * training side is refused as not runnable, naming the component.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_NOT_APPLIED } from '../../../src/core/pipeline/components';
import { TabPipelineHost, type HostDataApi } from '../../../src/app/pipeline-host';
import type { ArtifactRef, ExecuteContext } from '../../../src/core/pipeline/runner';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { PipetteDB, type DatasetVersion } from '../../../src/store/db';
import { demo } from '../pipeline/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`pipeline-host-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

async function dataset(id: string, projectId: string, name: string, versions: [string, number, DatasetVersion['status']][]): Promise<void> {
  await db.datasets.add({ id, projectId, name, createdAt: 0 });
  for (const [vid, version, status] of versions) {
    await db.versions.add({ id: vid, datasetId: id, projectId, version, parentId: null, status, source: { fileName: 'x.csv', size: 0, format: 'csv' }, rowCount: 1, columns: [], batchRowCounts: [1], byteSize: 0, warnings: [], createdAt: 0 } as DatasetVersion);
  }
}

function exampleGen(settings: Partial<ComponentSpec<'ExampleGen'>['settings']> = {}): ComponentSpec<'ExampleGen'> {
  const c = demo().components[0] as ComponentSpec<'ExampleGen'>;
  return { ...c, settings: { ...c.settings, ...settings } };
}

function ctx(signal = new AbortController().signal): ExecuteContext {
  return { runId: 'pipeline-run-1', signal, progress: () => {}, log: () => {} };
}

/** A data worker that records each call and answers as the services would. */
function recordingData() {
  const calls: { method: string; req: unknown }[] = [];
  let anomalies: { column: string }[] = [];
  let hang = false;
  const cancelled: string[] = [];
  const data = {
    statistics: (req: unknown) => (calls.push({ method: 'statistics', req }), Promise.resolve({ stats: { rowCount: 1, columns: [] } })),
    inferSchema: (req: unknown) => (calls.push({ method: 'inferSchema', req }), Promise.resolve({ id: 's1', version: 4 })),
    saveSchema: () => Promise.reject(new Error('not used')),
    validate: (req: unknown) => (calls.push({ method: 'validate', req }), Promise.resolve({ anomalies })),
    analyzeTransform: (req: { jobId: string }) => {
      calls.push({ method: 'analyzeTransform', req });
      return hang ? new Promise(() => {}) : Promise.resolve({ id: 't1', name: 'penguins-prep', version: 2 });
    },
    cancel: (jobId: string) => (cancelled.push(jobId), Promise.resolve(true)),
  } as unknown as HostDataApi;
  return {
    data,
    calls,
    cancelled,
    setAnomalies: (a: { column: string }[]) => (anomalies = a),
    setHang: () => (hang = true),
  };
}

const examplesRef = (properties: ArtifactRef['properties']): ArtifactRef => ({ id: 1, kind: 'Examples', uri: 'pipette:version/v2', properties });

describe('ExampleGen', () => {
  it('resolves the dataset by name to its newest ready version, and by number or id to that version', async () => {
    await dataset('d1', 'p1', 'Palmer penguins', [
      ['v1', 1, 'ready'],
      ['v2', 2, 'ready'],
      ['v3', 3, 'writing'],
    ]);
    await dataset('d9', 'p2', 'Palmer penguins', [['w1', 1, 'ready']]);
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    expect(await host.resolve(exampleGen())).toEqual({ datasetVersionId: 'v2' });
    const out = await host.execute(exampleGen(), {}, undefined, ctx());
    expect(out.examples).toEqual({
      uri: 'pipette:version/v2',
      properties: { versionId: 'v2', datasetId: 'd1', dataset: 'Palmer penguins', version: 2, label: 'Species', seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
    });
    expect(await host.resolve(exampleGen({ version: { number: 1 } }))).toEqual({ datasetVersionId: 'v1' });
    expect(await host.resolve(exampleGen({ dataset: { id: 'd1' }, version: { id: 'v1' } }))).toEqual({ datasetVersionId: 'v1' });
  });

  it('an Evaluator resolves the version aliased production, unless a baseline_model is wired (an input, cached by it)', async () => {
    await db.aliases.put({ projectId: 'p1', alias: 'production', modelId: 'm7', updatedAt: 1 });
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    const evaluator = (inputs: ComponentSpec['inputs']): ComponentSpec => ({ id: 'evaluator', type: 'Evaluator', settings: { thresholds: [] }, inputs });
    const wired = { examples: { from: 'example_gen', port: 'examples' }, model: { from: 'trainer', port: 'model' } };
    expect(await host.resolve(evaluator(wired))).toEqual({ production: 'm7' });
    expect(await host.resolve(evaluator({ ...wired, baseline_model: { from: 'base', port: 'model' } }))).toEqual({});
  });

  it('refuses two datasets of that name, a name or id not in the project, and a version that is not ready', async () => {
    await dataset('d1', 'p1', 'Palmer penguins', [['v1', 1, 'ready'], ['v3', 3, 'writing']]);
    await dataset('d2', 'p1', 'Palmer penguins', [['x1', 1, 'ready']]);
    await dataset('d3', 'p1', 'Empty', [['e1', 1, 'writing']]);
    await dataset('d9', 'p2', 'Elsewhere', [['w1', 1, 'ready']]);
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    await expect(host.resolve(exampleGen())).rejects.toMatchObject({ kind: 'PipelineError', code: 'ambiguous-dataset', details: { component: 'example_gen', params: { dataset: 'Palmer penguins', count: 2 } } });
    await expect(host.resolve(exampleGen({ dataset: { name: 'Iris' } }))).rejects.toMatchObject({ code: 'no-dataset', details: { params: { dataset: 'Iris' } } });
    await expect(host.resolve(exampleGen({ dataset: { id: 'd9' } }))).rejects.toMatchObject({ code: 'no-dataset', details: { params: { dataset: 'd9' } } });
    await expect(host.resolve(exampleGen({ dataset: { name: 'Empty' } }))).rejects.toMatchObject({ code: 'no-version', details: { params: { dataset: 'Empty', version: 'latest' } } });
    await expect(host.resolve(exampleGen({ dataset: { id: 'd1' }, version: { number: 3 } }))).rejects.toMatchObject({ code: 'no-version', details: { params: { version: '3' } } });
  });
});

describe('the stage components', () => {
  const examples = examplesRef({ versionId: 'v2', label: 'Species', seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 } });

  it('calls each stage operation with the examples version, label and split, and names the records it made', async () => {
    const worker = recordingData();
    const host = new TabPipelineHost(db, 'p1', worker.data);
    const spec = demo();
    const byId = (id: string) => spec.components.find((c) => c.id === id)!;
    const stats = (await host.execute(byId('statistics_gen'), { examples: [examples] }, undefined, ctx())).statistics!;
    expect(stats).toEqual({ uri: 'pipette:statistics/v2', properties: { versionId: 'v2', labelColumn: 'Species' } });
    const statsRef: ArtifactRef = { id: 2, kind: 'Statistics', uri: stats.uri, properties: stats.properties! };
    const schema = (await host.execute(byId('schema_gen'), { statistics: [statsRef] }, undefined, ctx())).schema!;
    expect(schema).toEqual({ uri: 'pipette:schema/s1', properties: { schemaId: 's1', version: 4 } });
    const schemaRef: ArtifactRef = { id: 3, kind: 'Schema', uri: schema.uri, properties: schema.properties! };
    expect((await host.execute(byId('example_validator'), { statistics: [statsRef], schema: [schemaRef] }, undefined, ctx())).anomalies?.uri).toBe('pipette:anomalies/v2/s1');
    expect((await host.execute(byId('transform'), { examples: [examples], schema: [schemaRef] }, undefined, ctx())).transform_graph).toEqual({ uri: 'pipette:transform/t1', properties: { transformId: 't1', name: 'penguins-prep', version: 2 } });
    const strip = (req: unknown) => ({ ...(req as object), jobId: undefined });
    expect(worker.calls.map((c) => [c.method, strip(c.req)])).toEqual([
      ['statistics', { jobId: undefined, versionId: 'v2', labelColumn: 'Species' }],
      ['inferSchema', { jobId: undefined, projectId: 'p1', versionId: 'v2' }],
      ['validate', { jobId: undefined, projectId: 'p1', versionId: 'v2', schemaId: 's1' }],
      ['analyzeTransform', { jobId: undefined, projectId: 'p1', datasetVersionId: 'v2', labelColumn: 'Species', seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 }, name: 'penguins-prep', parentId: null, spec: (byId('transform').settings as { spec: unknown }).spec }],
    ]);
  });

  it("a StatisticsGen with a wired schema says in its log that the schema is recorded but not applied", async () => {
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    const statisticsGen = demo().components.find((c) => c.id === 'statistics_gen')!;
    const logged = async (inputs: Record<string, ArtifactRef[]>) => {
      const lines: string[] = [];
      await host.execute(statisticsGen, inputs, undefined, { ...ctx(), log: (l: string) => void lines.push(l) });
      return lines;
    };
    const schema: ArtifactRef = { id: 3, kind: 'Schema', uri: 'pipette:schema/s1', properties: {} };
    expect(await logged({ examples: [examples], schema: [schema] })).toEqual([SCHEMA_NOT_APPLIED]);
    expect(await logged({ examples: [examples] })).toEqual([]);
  });

  it('fails the ExampleValidator on anomalies with their count and columns, unless it accepts them', async () => {
    const worker = recordingData();
    worker.setAnomalies([{ column: 'Sex' }, { column: 'Island' }, { column: 'Sex' }]);
    const host = new TabPipelineHost(db, 'p1', worker.data);
    const validator = demo().components.find((c) => c.id === 'example_validator')! as ComponentSpec<'ExampleValidator'>;
    const inputs = { statistics: [{ id: 2, kind: 'Statistics' as const, uri: '', properties: { versionId: 'v2' } }], schema: [{ id: 3, kind: 'Schema' as const, uri: '', properties: { schemaId: 's1' } }] };
    await expect(host.execute(validator, inputs, undefined, ctx())).rejects.toMatchObject({ kind: 'PipelineError', code: 'anomalies', details: { component: 'example_validator', params: { count: 3, columns: 'Sex, Island' } } });
    const accepting = { ...validator, settings: { acceptAnomalies: true } };
    expect((await host.execute(accepting, inputs, undefined, ctx())).anomalies?.properties).toEqual({ versionId: 'v2', schemaId: 's1', count: 3 });
  });

  it('cancels the worker job when the component is cancelled', async () => {
    const worker = recordingData();
    worker.setHang();
    const host = new TabPipelineHost(db, 'p1', worker.data);
    const controller = new AbortController();
    const transform = demo().components.find((c) => c.id === 'transform')!;
    void host.execute(transform, { examples: [examples] }, undefined, ctx(controller.signal));
    await Promise.resolve();
    controller.abort();
    const jobId = (worker.calls[0]!.req as { jobId: string }).jobId;
    expect(worker.cancelled).toEqual([jobId]);
  });

  it('refuses the training side (Tuner, Trainer, optimizers) without a training worker, naming each', async () => {
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    const tuner: ComponentSpec = { id: 'tuner', type: 'Tuner', settings: {}, inputs: {} };
    const quantizer: ComponentSpec = { id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: {} };
    const trainer = demo().components.find((x) => x.id === 'trainer')!;
    for (const c of [tuner, quantizer, trainer]) {
      await expect(host.execute(c, {}, undefined, ctx())).rejects.toMatchObject({ code: 'not-runnable', details: { component: c.id, params: { type: c.type } } });
    }
  });

  it('pushes only a blessed model: the alias moves, else the Pusher completes with pushed false', async () => {
    await db.models.add({ id: 'm1', projectId: 'p1' } as never);
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    const pusher = { ...demo().components.find((x) => x.id === 'pusher')!, settings: { alias: 'staging' } };
    const model = [{ id: 5, kind: 'Model' as const, uri: 'pipette:model/m1', properties: { modelId: 'm1' } }];
    const blessing = (blessed: boolean) => [{ id: 6, kind: 'ModelBlessing' as const, uri: 'pipette:evaluation/e1', properties: { blessed } }];
    const refused = await host.execute(pusher, { model, model_blessing: blessing(false) }, undefined, ctx());
    expect(refused.pushed_model?.properties).toEqual({ pushed: false, reason: 'not-blessed', alias: 'staging', modelId: 'm1' });
    expect(await db.aliases.get(['p1', 'staging'])).toBeUndefined();
    const pushed = await host.execute(pusher, { model, model_blessing: blessing(true) }, undefined, ctx());
    expect(pushed.pushed_model?.properties).toEqual({ pushed: true, alias: 'staging', modelId: 'm1' });
    expect((await db.aliases.get(['p1', 'staging']))?.modelId).toBe('m1');
  });

  it('says an artifact exists only while its record does', async () => {
    await dataset('d1', 'p1', 'Palmer penguins', [['v1', 1, 'ready'], ['v3', 3, 'writing']]);
    const host = new TabPipelineHost(db, 'p1', recordingData().data);
    const ref = (uri: string, properties: ArtifactRef['properties'] = {}): ArtifactRef => ({ id: 1, kind: 'Examples', uri, properties });
    expect(await host.exists(ref('pipette:version/v1'))).toBe(true);
    expect(await host.exists(ref('pipette:version/v3'))).toBe(false);
    expect(await host.exists(ref('pipette:schema/s1'))).toBe(false);
    await db.statistics.put({ versionId: 'v1', labelColumn: 'Species', stats: { rowCount: 1, columns: [] } as never, computedAt: 0 });
    expect(await host.exists(ref('pipette:statistics/v1', { labelColumn: 'Species' }))).toBe(true);
    expect(await host.exists(ref('pipette:statistics/v1', { labelColumn: '' }))).toBe(false);
  });
});
