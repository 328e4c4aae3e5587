/**
 * The optimization service in Node (fake-indexeddb, TF.js cpu): a penguin classifier trained by the real
 * TrainService, then quantized, pruned, distilled and compared through OptimizeService, as the training
 * worker does. One trained teacher for the file (training it is the slow part); each test counts model
 * versions before and after, so "nothing written" is checked, not assumed.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimizeError } from '../../../src/core/optimize/errors';
import type { VariantMetadata } from '../../../src/core/optimize/artifacts';
import { presetById } from '../../../src/core/train/presets';
import { readBundle } from '../../../src/core/model/bundle';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { importIntoStore } from '../../../src/services/import';
import { loadModelData, predictEncoded } from '../../../src/services/model-data';
import { labeledRows, OptimizeService } from '../../../src/services/optimize';
import { apportion } from '../../../src/core/model/split';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import type { FineTuneSettings, OptimizeProgress } from '../../../src/protocol/optimize';
import { useCpu } from '../train/helpers';

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let models: ModelService;
let service: OptimizeService;
let teacherId: string;

const penguinsJson = readFileSync(join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
const never = new AbortController().signal;
const TRAINING: FineTuneSettings = { optimizer: 'adam', learningRate: 0.002, batchSize: 32, epochs: 4 };

const cpuOnly: BackendControl = {
  reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }],
  use: async () => {
    await tf.setBackend('cpu');
  },
};

async function importJson(name: string, rows: unknown[]): Promise<string> {
  const out = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([JSON.stringify(rows)], name)] }, never, () => {});
  return out.versionId;
}

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('optimize-svc');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importJson('penguins.json', JSON.parse(penguinsJson));
  models = new ModelService({ tf, db });
  const training = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  const preset = presetById('mlp-classifier')!;
  const runId = crypto.randomUUID();
  await training.start(
    {
      runId,
      projectId,
      datasetVersionId: versionId,
      config: {
        name: 'Teacher',
        task: 'tabular-classification',
        presetId: preset.id,
        features: FEATURES.map((column) => ({ column })),
        label: 'Species',
        spec: preset.make({ input: { kind: 'tabular', features: 1 }, classes: 2 }),
        baseModelId: null,
        split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
        hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 12, patience: 0, classWeights: 'none' },
        backend: 'cpu',
      },
    },
    never,
  );
  teacherId = await models.saveRun(runId, 'Teacher');
  service = new OptimizeService({ tf, db, models });
}, 120_000);

afterAll(async () => {
  await db.delete();
});

/** The test split's probabilities of a version, as the registry loads it. */
async function testProbs(modelId: string): Promise<Float32Array> {
  const data = await loadModelData(db, { modelId, part: 'test' });
  const { model } = await models.load(modelId);
  try {
    return await predictEncoded(tf, model, data.encoded, data.stats);
  } finally {
    model.dispose();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectNothingWritten(work: () => Promise<unknown>, code: string): Promise<OptimizeError> {
  const before = await db.models.count();
  const artifacts = await db.modelArtifacts.count();
  const e = await work().catch((x: unknown) => x);
  expect(e).toBeInstanceOf(OptimizeError);
  expect((e as OptimizeError).code).toBe(code);
  expect(await db.models.count()).toBe(before);
  expect(await db.modelArtifacts.count()).toBe(artifacts);
  return e as OptimizeError;
}

describe('quantize', () => {
  it('uint8 and float16 write new versions with lineage, stored small, predicting within tolerance', async () => {
    const teacher = await testProbs(teacherId);
    const tensors = tf.memory().numTensors;
    for (const [dtype, tolerance, ratio] of [['uint8', 0.03, 0.3], ['float16', 2e-3, 0.55]] as const) {
      const out = await service.quantize({ modelId: teacherId, dtype });
      const record = (await db.models.get(out.modelId))!;
      expect(record.source).toBe('optimize');
      expect(record.parentModelId).toBe(teacherId);
      expect(record.datasetVersionId).toBe(versionId);
      const meta = record.metadata as VariantMetadata;
      expect(meta.optimization?.method).toBe('quantize');
      expect(meta.optimization?.settings.dtype).toBe(dtype);
      expect(meta.optimization?.notes.join(' ')).toMatch(/dequantizes/);
      expect(meta.lineage).toMatchObject({ parentModelVersionId: teacherId, modelVersionId: out.modelId, datasetVersionId: versionId, splitSeed: 42 });
      // the stored artifacts keep the quantized manifest, so the export is the small one
      const stored = (await db.modelArtifacts.get(out.modelId))!.artifacts;
      expect(stored.weightSpecs.filter((w) => w.quantization?.dtype === dtype).length).toBe(out.quantized);
      expect(out.quantized).toBeGreaterThanOrEqual(2);
      expect(out.after.weightBytes / out.before.weightBytes).toBeLessThan(ratio);
      const zip = (await models.exportZip(out.modelId)).bytes;
      expect(readBundle(zip).weightSpecs.some((w) => w.quantization?.dtype === dtype)).toBe(true);
      expect(zip.length).toBeLessThan((await models.exportZip(teacherId)).bytes.length);
      // TF.js dequantizes on load: the same probabilities within the stated tolerance
      const probs = await testProbs(out.modelId);
      const diff = maxAbsDiff(probs, teacher);
      expect(diff).toBeLessThan(tolerance);
      expect(out.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(meta.metrics).toEqual({ accuracy: out.accuracy, split: 'test' });
      // the exported zip imports back with the same predictions (quantization kept)
      const imported = await models.importZip(projectId, zip);
      expect((await db.modelArtifacts.get(imported))!.artifacts.weightSpecs.some((w) => w.quantization)).toBe(true);
      expect(maxAbsDiff(await testProbs(imported), probs)).toBe(0);
    }
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('refuses an unknown dtype and an already quantized model, writing nothing', async () => {
    await expectNothingWritten(() => service.quantize({ modelId: teacherId, dtype: 'int4' as never }), 'bad-option');
    const q = await service.quantize({ modelId: teacherId, dtype: 'uint8' });
    await expectNothingWritten(() => service.quantize({ modelId: q.modelId, dtype: 'float16' }), 'already-quantized');
  });
});

describe('prune', () => {
  it('fine-tunes to the final sparsity per layer, then quantizes; the zeros survive both', async () => {
    const progress: OptimizeProgress[] = [];
    const tensors = tf.memory().numTensors;
    const out = await service.prune(
      { jobId: 'p1', modelId: teacherId, schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 20, frequency: 5 }, training: TRAINING, thenQuantize: true },
      never,
      (p) => progress.push(p),
    );
    expect(out.status).toBe('done');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(out.report!.layers.length).toBe(3);
    for (const l of out.report!.layers) expect(l.sparsity).toBeCloseTo(0.5, 1);
    expect(out.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(progress.some((p) => p.phase === 'training' && p.fraction > 0)).toBe(true);
    const pruned = (await db.models.get(out.modelId!))!;
    expect(pruned.parentModelId).toBe(teacherId);
    expect((pruned.metadata as VariantMetadata).optimization?.method).toBe('prune');
    const both = (await db.models.get(out.quantizedModelId!))!;
    expect(both.parentModelId).toBe(pruned.id);
    const o = (both.metadata as VariantMetadata).optimization!;
    expect([o.previous?.[0]?.method, o.method]).toEqual(['prune', 'quantize']);
    // the kernel zeros stay exactly 0 after uint8 (0 is a code)
    const { model } = await models.load(both.id);
    const kernel = (await model.layers.find((l) => l.getClassName() === 'Dense')!.getWeights()[0]!.data()) as Float32Array;
    model.dispose();
    expect(kernel.filter((v) => v === 0).length / kernel.length).toBeCloseTo(0.5, 1);
  }, 60_000);

  it('refuses a sparsity outside [0, 1), a schedule past the run, and a cancel writes nothing', async () => {
    const schedule = { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 20, frequency: 5 };
    const e = await expectNothingWritten(
      () => service.prune({ jobId: 'p2', modelId: teacherId, schedule: { ...schedule, finalSparsity: 1 }, training: TRAINING, thenQuantize: false }, never),
      'bad-sparsity',
    );
    expect(e.details.field).toBe('finalSparsity');
    await expectNothingWritten(() => service.prune({ jobId: 'p3', modelId: teacherId, schedule: { ...schedule, initialSparsity: -0.1 }, training: TRAINING, thenQuantize: false }, never), 'bad-sparsity');
    // 4 epochs of ~240 rows in batches of 32 are 32 steps
    await expectNothingWritten(() => service.prune({ jobId: 'p4', modelId: teacherId, schedule: { ...schedule, endStep: 500 }, training: TRAINING, thenQuantize: false }, never), 'bad-schedule');
    await expectNothingWritten(() => service.prune({ jobId: 'p5', modelId: teacherId, schedule, training: { ...TRAINING, epochs: 0 }, thenQuantize: false }, never), 'bad-option');
    const before = await db.models.count();
    const tensors = tf.memory().numTensors;
    const abort = new AbortController();
    const out = await service.prune({ jobId: 'p6', modelId: teacherId, schedule, training: TRAINING, thenQuantize: true }, abort.signal, (p) => {
      if (p.phase === 'training') abort.abort();
    });
    expect(out.status).toBe('cancelled');
    expect(await db.models.count()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);
});

describe('distill', () => {
  it('saves the distilled student and the same student from scratch, side by side', async () => {
    const tensors = tf.memory().numTensors;
    const out = await service.distill({ jobId: 'd1', modelId: teacherId, student: { kind: 'hidden', sizes: [8] }, temperature: 4, alpha: 0.3, training: { ...TRAINING, learningRate: 0.01, epochs: 15 } }, never);
    expect(out.status).toBe('done');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(out.warnings).toEqual([]);
    const d = out.distilled!;
    const s = out.scratch!;
    // 12 inputs -> 8 -> 3
    expect(d.params).toBe(12 * 8 + 8 + 8 * 3 + 3);
    expect(d.params).toBeLessThan(out.teacherParams);
    expect(d.history).toHaveLength(15);
    expect(s.history).toHaveLength(15);
    expect(d.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(s.accuracy).not.toBeNull();
    expect(out.teacherAccuracy).toBeGreaterThanOrEqual(0.95);
    const rd = (await db.models.get(d.modelId))!;
    const rs = (await db.models.get(s.modelId))!;
    expect([rd.parentModelId, rs.parentModelId]).toEqual([teacherId, teacherId]);
    expect((rd.metadata as VariantMetadata).optimization?.method).toBe('distill');
    expect((rs.metadata as VariantMetadata).optimization?.method).toBe('scratch');
    expect(rd.metadata.modelSpec?.layers).toEqual([{ type: 'dense', units: 8, activation: 'relu' }]);
  }, 60_000);

  it('with a tenth of the labeled rows, both students learn from the same stratified tenth of the training split', async () => {
    const tensors = tf.memory().numTensors;
    const train = await loadModelData(db, { modelId: teacherId, part: 'train' });
    const y = train.encoded.y as Int32Array;
    // the split's own apportionment: a tenth of the training rows, rounded by largest remainders
    const expected = apportion(y.length, [0.1, 0, 0.9])[0]!;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(y.length / 5);
    const out = await service.distill({ jobId: 'd-share', modelId: teacherId, student: { kind: 'hidden', sizes: [8] }, temperature: 5, alpha: 0.5, labeledShare: 0.1, training: { ...TRAINING, epochs: 3 } }, never);
    expect(out.status).toBe('done');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(out.labeledRows).toBe(expected);
    for (const id of [out.distilled!.modelId, out.scratch!.modelId]) {
      const settings = ((await db.models.get(id))!.metadata as VariantMetadata).optimization!.settings;
      expect(settings).toMatchObject({ labeledShare: 0.1, labeledRows: expected });
    }
    // the pick keeps every class's share of the training rows, and is the same for the same seed
    const picked = labeledRows(y, 0.1, 42);
    expect(picked).toHaveLength(expected);
    expect(labeledRows(y, 0.1, 42)).toEqual(picked);
    for (let c = 0; c < 3; c++) {
      const inClass = y.filter((v) => v === c).length;
      const pickedInClass = Array.from(picked).filter((i) => y[i] === c).length;
      expect(Math.abs(pickedInClass - inClass * 0.1)).toBeLessThanOrEqual(1);
    }
    // by default, all of the training rows
    const all = await service.distill({ jobId: 'd-all', modelId: teacherId, student: { kind: 'hidden', sizes: [4] }, temperature: 5, alpha: 0.5, training: { ...TRAINING, epochs: 1 } }, never);
    expect(all.labeledRows).toBe(y.length);
    expect(((await db.models.get(all.scratch!.modelId))!.metadata as VariantMetadata).optimization!.settings).toMatchObject({ labeledShare: 1, labeledRows: y.length });
  }, 60_000);

  it('warns about a student larger than its teacher, and still trains it', async () => {
    const out = await service.distill({ jobId: 'd2', modelId: teacherId, student: { kind: 'hidden', sizes: [128, 64] }, temperature: 2, alpha: 0.5, training: { ...TRAINING, epochs: 1 } }, never);
    expect(out.status).toBe('done');
    expect(out.warnings.map((w) => w.code)).toEqual(['bigger-student']);
    expect(out.warnings[0]!.params.teacher).toBe(out.teacherParams);
    expect(out.warnings[0]!.params.student).toBeGreaterThan(out.teacherParams);
  }, 60_000);

  it('a cancel while distilling, or while training the student from scratch, writes nothing', async () => {
    for (const phase of ['training', 'scratch'] as const) {
      const before = await db.models.count();
      const tensors = tf.memory().numTensors;
      const abort = new AbortController();
      const seen: string[] = [];
      const out = await service.distill(
        { jobId: `dc-${phase}`, modelId: teacherId, student: { kind: 'narrower', factor: 0.5 }, temperature: 4, alpha: 0.3, training: { ...TRAINING, epochs: 50 } },
        abort.signal,
        (p) => {
          seen.push(p.phase);
          if (p.phase === phase) abort.abort();
        },
      );
      expect(seen).toContain(phase);
      expect(out.status).toBe('cancelled');
      expect(await db.models.count()).toBe(before);
      expect(tf.memory().numTensors).toBe(tensors);
    }
  }, 60_000);

  it('refuses bad settings, data without the label column, another label set, and a regression teacher', async () => {
    const base = { jobId: 'd3', modelId: teacherId, student: { kind: 'hidden' as const, sizes: [8] }, temperature: 4, alpha: 0.3, training: TRAINING };
    expect((await expectNothingWritten(() => service.distill({ ...base, alpha: 1.5 }, never), 'bad-option')).details.field).toBe('alpha');
    expect((await expectNothingWritten(() => service.distill({ ...base, temperature: 0 }, never), 'bad-option')).details.field).toBe('temperature');
    for (const labeledShare of [0, -0.1, 1.5, Number.NaN]) {
      expect((await expectNothingWritten(() => service.distill({ ...base, labeledShare }, never), 'bad-option')).details.field).toBe('labeledShare');
    }
    expect((await expectNothingWritten(() => service.distill({ ...base, student: { kind: 'narrower', factor: 1.5 } }, never), 'bad-option')).details.field).toBe('factor');
    const rows = JSON.parse(penguinsJson) as Record<string, unknown>[];
    const noLabel = await importJson('no-label.json', rows.map(({ Species: _s, ...rest }) => rest));
    const e1 = await expectNothingWritten(() => service.distill({ ...base, datasetVersionId: noLabel }, never), 'missing-column');
    expect(e1.details.params?.column).toBe('Species');
    const noFeature = await importJson('no-island.json', rows.map(({ Island: _i, ...rest }) => rest));
    expect((await expectNothingWritten(() => service.distill({ ...base, datasetVersionId: noFeature }, never), 'missing-column')).details.params?.column).toBe('Island');
    const otherLabels = await importJson('other-labels.json', rows.map((r, i) => ({ ...r, Species: i % 2 ? 'Emperor' : r.Species })));
    await expectNothingWritten(() => service.distill({ ...base, datasetVersionId: otherLabels }, never), 'label-mismatch');
    // a regression model has no class probabilities to distill
    const teacher = (await db.models.get(teacherId))!;
    const regression = { ...teacher, id: 'reg', metadata: { ...teacher.metadata, task: 'regression' as const } };
    await db.models.put(regression);
    await expectNothingWritten(() => service.distill({ ...base, modelId: 'reg' }, never), 'not-classification');
    await db.models.delete('reg');
  }, 60_000);
});

describe('a model imported without its data', () => {
  it('quantizes and compares without accuracy, and refuses to prune with a clear error', async () => {
    const other = (await createProject(db, 'Elsewhere')).id;
    // a bundle from somewhere else: its lineage names no dataset version this browser has
    const files = unzipSync((await models.exportZip(teacherId)).bytes);
    const meta = JSON.parse(strFromU8(files['metadata.json']!));
    meta.lineage = { splitSeed: 1 };
    const imported = await models.importZip(other, zipSync({ ...files, 'metadata.json': strToU8(JSON.stringify(meta)) }));
    expect((await db.models.get(imported))!.parentModelId).toBeNull();
    const q = await service.quantize({ modelId: imported, dtype: 'uint8' });
    expect(q.accuracy).toBeNull();
    expect((await db.models.get(q.modelId))!.parentModelId).toBe(imported);
    const schedule = { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 20, frequency: 5 };
    await expectNothingWritten(() => service.prune({ jobId: 'p9', modelId: imported, schedule, training: TRAINING, thenQuantize: false }, never), 'no-data');
    const result = await service.compare({ jobId: 'c9', rootId: imported }, never);
    expect(result.rows.map((r) => r.id)).toEqual([imported, q.modelId]);
    for (const r of result.rows) {
      expect(r.accuracy).toBeNull();
      expect(r.latencyMs).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('compare', () => {
  it('lists the original and every descendant with sizes, accuracy, latency and a Pareto front', async () => {
    const tensors = tf.memory().numTensors;
    const result = await service.compare({ jobId: 'c1', rootId: teacherId }, never);
    expect(tf.memory().numTensors).toBe(tensors);
    const family = await db.models.where('projectId').equals(projectId).toArray();
    const descendants = new Set([teacherId]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const m of family) if (m.parentModelId && descendants.has(m.parentModelId) && !descendants.has(m.id)) grew = descendants.add(m.id) !== null;
    }
    expect(result.rows.map((r) => r.id).sort()).toEqual([...descendants].sort());
    const root = result.rows.find((r) => r.id === teacherId)!;
    expect(root.lineage.method).toBe('original');
    expect(root.gzipRatio).toBe(1);
    expect(root.accuracyDelta).toBe(0);
    const uint8 = result.rows.find((r) => r.lineage.method === 'quantize' && r.lineage.previous.length === 0 && r.weightBytes < root.weightBytes / 3)!;
    expect(uint8.parameters).toBe(root.parameters);
    expect(uint8.gzipBytes).toBeLessThan(root.gzipBytes);
    for (const r of result.rows) {
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.accuracy).not.toBeNull();
    }
    expect(result.rows.some((r) => r.pareto)).toBe(true);
    // the smallest row is on the front unless a row of equal size is more accurate
    const smallest = result.rows.reduce((a, b) => (b.gzipBytes < a.gzipBytes ? b : a));
    expect(smallest.pareto).toBe(true);
    // cached: the same numbers again (versions are immutable)
    const again = await service.compare({ jobId: 'c2', rootId: teacherId }, never);
    expect(again.rows.map((r) => r.latencyMs)).toEqual(result.rows.map((r) => r.latencyMs));
  }, 60_000);
});
