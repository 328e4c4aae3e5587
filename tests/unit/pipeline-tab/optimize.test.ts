/**
 * The optimizers of the tab's host (app/pipeline-optimize.ts) with a recording training worker on
 * fake-indexeddb: each calls the Optimize stage's own operation on the input model with the component's
 * settings and gives the version it saved as pipette:model/<id> with its number, parent and what was done;
 * a cancel is the job's cancel and ends the component cancelled; the Distiller distills on a wired
 * examples version.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDistiller, runPruner, runQuantizer } from '../../../src/app/pipeline-optimize';
import type { HostTrainApi } from '../../../src/app/pipeline-train';
import type { ArtifactRef, ExecuteContext } from '../../../src/core/pipeline/runner';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { PipetteDB } from '../../../src/store/db';
import type { ModelVersionRecord } from '../../../src/store/training-records';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`pipeline-optimize-${dbCount++}`);
  await db.open();
  await db.models.put({ id: 'm2', projectId: 'p1', name: 'penguins (uint8)', version: 2, source: 'optimize', runId: null, datasetVersionId: 'v1', parentModelId: 'm1', weightBytes: 3532, createdAt: 1 } as unknown as ModelVersionRecord);
});
afterEach(async () => {
  await db.delete();
});

const ctx = (signal = new AbortController().signal, progress: (f: number | null) => void = () => {}): ExecuteContext => ({ runId: 'pipeline-run-1', signal, progress, log: () => {} });
const model: ArtifactRef = { id: 7, kind: 'Model', uri: 'pipette:model/m1', properties: { modelId: 'm1', runId: 'r1' } };
const SIZES = { bundleBytes: 0, bundleGzipBytes: 0, weightBytes: 0, weightGzipBytes: 0 };
const REPORT = { layers: [{ layer: 'dense_1', sparsity: 0.5 }], prunedWeights: 100, zeros: 50, sparsity: 0.5, totalParams: 120, modelSparsity: 50 / 120 };

function recordingTrain(status: 'done' | 'cancelled' = 'done') {
  const calls: { method: string; req: Record<string, unknown> }[] = [];
  const cancelled: string[] = [];
  const train = {
    quantizeModel: (req: Record<string, unknown>) => (
      calls.push({ method: 'quantizeModel', req }),
      Promise.resolve({ modelId: 'm2', dtype: req.dtype, quantized: 2, kept: 4, before: { ...SIZES, bundleBytes: 16_000 }, after: { ...SIZES, bundleBytes: 8_000 }, accuracy: 0.98, notes: [] })
    ),
    pruneModel: async (req: Record<string, unknown>, onProgress: (p: unknown) => void) => {
      calls.push({ method: 'pruneModel', req });
      onProgress({ jobId: req.jobId, phase: 'training', fraction: 0.25 });
      return status === 'cancelled' ? { status, modelId: null, quantizedModelId: null, report: null, accuracy: null } : { status, modelId: 'm2', quantizedModelId: null, report: REPORT, accuracy: 0.97 };
    },
    distillModel: (req: Record<string, unknown>) => (
      calls.push({ method: 'distillModel', req }),
      Promise.resolve({ status: 'done', distilled: { modelId: 'm2', params: 300, accuracy: null, history: [] }, scratch: { modelId: 'm3', params: 300, accuracy: null, history: [] }, teacherParams: 2947, teacherAccuracy: null, labeledRows: 344, warnings: [] })
    ),
    cancel: (id: string) => (cancelled.push(id), Promise.resolve(true)),
  } as unknown as HostTrainApi;
  return { train, calls, cancelled };
}

describe('optimizers in the tab', () => {
  it("the Quantizer is the Optimize stage's quantize of the input model; its output names the new version, its parent and sizes", async () => {
    const { train, calls } = recordingTrain();
    const c: ComponentSpec<'Quantizer'> = { id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: {} };
    const out = await runQuantizer(db, train, c, { model: [model] }, ctx());
    expect(calls).toEqual([{ method: 'quantizeModel', req: { modelId: 'm1', dtype: 'uint8' } }]);
    expect(out.model).toEqual({
      uri: 'pipette:model/m2',
      properties: { modelId: 'm2', version: 2, name: 'penguins (uint8)', parentModelId: 'm1', weightBytes: 3532, dtype: 'uint8', bundleBytes: 8_000, parentBundleBytes: 16_000, accuracy: 0.98 },
    });
  });

  it('the Pruner prunes with the schedule and fine-tuning of its settings, never quantizing on its own; progress is the training fraction', async () => {
    const { train, calls } = recordingTrain();
    const c: ComponentSpec<'Pruner'> = {
      id: 'pruner',
      type: 'Pruner',
      settings: { schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, frequency: 2 }, training: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 2 } },
      inputs: {},
    };
    const seen: (number | null)[] = [];
    const out = await runPruner(db, train, c, { model: [model] }, ctx(undefined, (f) => seen.push(f)));
    expect(calls[0]!.req).toMatchObject({ modelId: 'm1', schedule: c.settings.schedule, training: c.settings.training, thenQuantize: false });
    expect(seen).toEqual([0.25]);
    expect(out.model!.properties).toMatchObject({ modelId: 'm2', parentModelId: 'm1', sparsity: 0.5, layers: [{ layer: 'dense_1', sparsity: 0.5 }] });
  });

  it("a cancelled prune cancels the worker's job and ends the component cancelled (nothing saved)", async () => {
    const { train, calls, cancelled } = recordingTrain('cancelled');
    const controller = new AbortController();
    const c = { id: 'pruner', type: 'Pruner', settings: { schedule: {}, training: {} }, inputs: {} } as unknown as ComponentSpec<'Pruner'>;
    const running = runPruner(db, train, c, { model: [model] }, ctx(controller.signal));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelled).toEqual([calls[0]!.req.jobId]);
  });

  it("the Distiller distills on the wired examples' version and gives the distilled student (the scratch one is saved beside it)", async () => {
    const { train, calls } = recordingTrain();
    const c: ComponentSpec<'Distiller'> = {
      id: 'distiller',
      type: 'Distiller',
      settings: { student: { kind: 'hidden', sizes: [8] }, temperature: 2, alpha: 0.5, training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 5 }, labeledShare: 0.5 },
      inputs: {},
    };
    const examples: ArtifactRef = { id: 1, kind: 'Examples', uri: 'pipette:version/v2', properties: { versionId: 'v2' } };
    const out = await runDistiller(db, train, c, { model: [model], examples: [examples] }, ctx());
    expect(calls[0]!.req).toMatchObject({ modelId: 'm1', student: { kind: 'hidden', sizes: [8] }, temperature: 2, alpha: 0.5, datasetVersionId: 'v2', labeledShare: 0.5 });
    expect(out.model!.properties).toMatchObject({ modelId: 'm2', parentModelId: 'm1', studentParams: 300, teacherParams: 2947, scratchModelId: 'm3' });
    await runDistiller(db, train, c, { model: [model] }, ctx());
    expect(calls[1]!.req.datasetVersionId).toBeNull();
  });
});
