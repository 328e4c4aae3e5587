import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import type { Threshold } from '../../../src/core/evaluate/blessing';
import type { EvaluateRequest } from '../../../src/protocol/evaluate';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { EvaluateService } from '../../../src/services/evaluate';
import { loadModelData, predictEncoded } from '../../../src/services/model-data';
import { addModelVersion, resolveAlias, setAlias } from '../../../src/services/registry';
import { ModelService } from '../../../src/services/registry-model';
import { presetById } from '../../../src/core/train/presets';
import { useCpu } from '../train/helpers';
import { errorMessage } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';
import { importJson as importPenguinsJson, penguinConfig, penguins, PENGUIN_FEATURES, trainPenguinModel } from '../train-service/penguins';

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let models: ModelService;
let service: EvaluateService;
let modelId: string;
let runTestAccuracy: number;

const rows = JSON.parse(penguins.toString()) as Record<string, unknown>[];
const importJson = (name: string, bytes: Buffer) => importPenguinsJson(db, projectId, name, bytes);

function request(over: Partial<EvaluateRequest> = {}): EvaluateRequest {
  return { jobId: crypto.randomUUID(), modelId, datasetVersionId: null, specs: [], bootstrap: 0, minCount: 30, thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.5 }], ...over };
}

/** Another version of the same model's weights (an import), to promote and compare against. */
async function copyOf(id: string): Promise<string> {
  const record = (await db.models.get(id))!;
  const stored = (await db.modelArtifacts.get(id))!;
  const copy = crypto.randomUUID();
  await addModelVersion(db, { id: copy, projectId, name: 'copy', source: 'import', runId: null, datasetVersionId: null, parentModelId: id, metadata: record.metadata }, stored.artifacts);
  return copy;
}

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('evaluate-service');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importJson('penguins.json', penguins);
  const config = penguinConfig(PENGUIN_FEATURES, { name: 'Run', backend: 'cpu', split: { seed: 11, fractions: { train: 0.6, validation: 0.1, test: 0.3 } } }, { epochs: 6 });
  const trained = await trainPenguinModel(tf, db, projectId, versionId, config);
  models = trained.models;
  modelId = trained.modelId;
  runTestAccuracy = trained.run.metrics!.summary.accuracy!;
  service = new EvaluateService({ tf, db, loadModel: (id) => models.load(id) });
}, 120_000);

afterAll(async () => {
  await db.delete();
});

describe('evaluate', () => {
  it('overall and per-slice metrics equal a hand computation on the test split, and the evaluation is recorded', async () => {
    const progress: string[] = [];
    const e = await service.evaluate(
      request({ specs: [{ column: 'Sex', kind: 'categorical' }, { cross: [{ column: 'Island', kind: 'categorical' }, { column: 'Sex', kind: 'categorical' }] }], bootstrap: 50 }),
      undefined,
      (p) => progress.push(p.phase),
    );
    expect(progress).toEqual(expect.arrayContaining(['loading', 'predicting', 'slicing', 'saving']));

    // by hand: the model's own predictions on its test rows, counted row by row
    const data = await loadModelData(db, { modelId, part: 'test', extraColumns: ['Sex'] });
    const { model } = await models.load(modelId);
    const probs = await predictEncoded(tf, model, data.encoded, data.stats);
    model.dispose();
    const k = data.classes!.length;
    const y = data.encoded.y as Int32Array;
    const island = data.table.columns.get('Island')!;
    const sex = data.table.columns.get('Sex')!;
    const name = (col: typeof island, row: number) => (col.type === 'categorical' && col.codes[row]! >= 0 ? col.dictionary[col.codes[row]!]! : null);
    const tally = new Map<string, { right: number; count: number }>();
    let right = 0;
    data.rows.forEach((row, r) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
      const ok = best === y[r] ? 1 : 0;
      right += ok;
      for (const key of [`Sex=${JSON.stringify(name(sex, row))}`, `Island=${JSON.stringify(name(island, row))} & Sex=${JSON.stringify(name(sex, row))}`]) {
        const id = key.replace(/=null/g, '=(missing)');
        const t = tally.get(id) ?? { right: 0, count: 0 };
        t.right += ok;
        t.count++;
        tally.set(id, t);
      }
    });
    expect(e.part).toBe('test');
    expect(e.datasetVersionId).toBe(versionId);
    expect(e.sliced.overall.count).toBe(data.rows.length);
    expect(e.sliced.overall.metrics.accuracy!.value).toBeCloseTo(right / data.rows.length, 12);
    expect(e.sliced.overall.metrics.accuracy!.value).toBeCloseTo(runTestAccuracy, 12);
    const slices = e.sliced.slicings.flatMap((s) => s.slices);
    expect(slices.length).toBe(tally.size);
    for (const s of slices) {
      const t = tally.get(s.id)!;
      expect(t, s.id).toBeDefined();
      expect(s.count).toBe(t.count);
      expect(s.metrics.accuracy!.value).toBeCloseTo(t.right / t.count, 12);
      expect(s.small).toBe(t.count < 30);
    }
    // both slicings cover every row once
    for (const s of e.sliced.slicings) expect(s.slices.reduce((a, x) => a + x.count, 0)).toBe(data.rows.length);
    const ci = e.sliced.overall.metrics.accuracy!.ci!;
    expect(ci.lo).toBeLessThanOrEqual(ci.hi);
    expect(ci.replicates).toBe(50);

    const stored = await db.evaluations.get(e.id);
    expect(stored?.modelId).toBe(modelId);
    expect(stored?.blessing.blessed).toBe(true);
    expect(stored?.sliced.overall.metrics.accuracy!.value).toBe(e.sliced.overall.metrics.accuracy!.value);
  });

  it('a column with hundreds of values gives the top slices plus "other"; numeric buckets cover every row', async () => {
    const tagged = await importJson('tagged.json', Buffer.from(JSON.stringify(rows.map((r, i) => ({ ...r, Tag: `t${i}` })))));
    const e = await service.evaluate(request({ datasetVersionId: tagged, specs: [{ column: 'Tag', kind: 'categorical', topN: 50 }, { column: 'Body Mass (g)', kind: 'numeric', buckets: 4 }] }));
    expect(e.part).toBe('all');
    expect(e.sliced.overall.count).toBe(rows.length);
    const [tags, mass] = e.sliced.slicings;
    expect(tags!.slices).toHaveLength(51);
    expect(tags!.slices[50]!.conditions[0]).toEqual({ column: 'Tag', kind: 'other', distinct: rows.length - 50 });
    expect(tags!.slices[50]!.count).toBe(rows.length - 50);
    expect(tags!.slices[0]!.small).toBe(true);
    expect(mass!.slices.reduce((a, s) => a + s.count, 0)).toBe(rows.length);
  });

  it('refuses clearly: a version without a feature column, a slice column that does not exist, no thresholds', async () => {
    const lacking = await importJson('lacking.json', Buffer.from(JSON.stringify(rows.map(({ Island: _, ...rest }) => rest))));
    const mismatch = await service.evaluate(request({ datasetVersionId: lacking })).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(EvalError);
    expect((mismatch as EvalError).code).toBe('input-mismatch');
    expect((mismatch as EvalError).details.column).toBe('Island');
    const noColumn = await service.evaluate(request({ specs: [{ column: 'Colour', kind: 'categorical' }] })).catch((e: unknown) => e);
    expect((noColumn as EvalError).code).toBe('missing-column');
    expect((noColumn as EvalError).details.column).toBe('Colour');
    await expect(service.evaluate(request({ thresholds: [] }))).rejects.toMatchObject({ code: 'bad-option' });
    const before = await db.evaluations.count();
    const controller = new AbortController();
    controller.abort();
    await expect(service.evaluate(request(), controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    // cancelled while slicing: it stops before the next slicing, and nothing is recorded
    const midway = new AbortController();
    const phases: string[] = [];
    const stopped = service.evaluate(request({ specs: [{ column: 'Island', kind: 'categorical' }, { column: 'Sex', kind: 'categorical' }], bootstrap: 20 }), midway.signal, (p) => {
      phases.push(p.phase);
      if (p.phase === 'slicing' && p.fraction > 0) midway.abort();
    });
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
    expect(phases).not.toContain('saving');
    expect(await db.evaluations.count()).toBe(before);
  });
});

describe('regression', () => {
  it('MAE, RMSE and R² per slice in the label\'s own units equal a hand computation; curves are refused', async () => {
    const preset = presetById('mlp-regressor')!;
    const config = penguinConfig(['Species', 'Island', 'Beak Length (mm)', 'Flipper Length (mm)'], {
      name: 'Mass', task: 'tabular-regression', presetId: preset.id, label: 'Body Mass (g)', backend: 'cpu', spec: preset.make({ input: { kind: 'tabular', features: 1 } }),
    }, { epochs: 10 });
    const trained = await trainPenguinModel(tf, db, projectId, versionId, config);
    const e = await service.evaluate(request({ modelId: trained.modelId, specs: [{ column: 'Island', kind: 'categorical' }], thresholds: [{ kind: 'absolute', metric: 'mae', op: '<=', value: 1e6 }] }));
    expect(e.task).toBe('regression');
    expect(e.sliced.metrics).toEqual(['mae', 'rmse', 'r2']);

    const data = await loadModelData(db, { modelId: trained.modelId, part: 'test' });
    const model = (await trained.models.load(trained.modelId)).model;
    const predicted = await predictEncoded(tf, model, data.encoded, data.stats);
    model.dispose();
    const rawMass = data.table.columns.get('Body Mass (g)')!;
    const island = data.table.columns.get('Island')!;
    const byIsland = new Map<string, number[]>();
    let abs = 0;
    data.rows.forEach((row, r) => {
      const actual = rawMass.type === 'integer' || rawMass.type === 'number' ? rawMass.values[row]! : NaN;
      const err = Math.abs(actual - predicted[r]!);
      abs += err;
      const name = island.type === 'categorical' ? island.dictionary[island.codes[row]!]! : '';
      byIsland.set(name, [...(byIsland.get(name) ?? []), err]);
    });
    expect(e.sliced.overall.metrics.mae!.value).toBeCloseTo(abs / data.rows.length, 3);
    expect(e.sliced.overall.metrics.mae!.value).toBeCloseTo(trained.run.metrics!.summary.mae!, 3);
    for (const s of e.sliced.slicings[0]!.slices) {
      const errs = byIsland.get(String((s.conditions[0] as { value: string }).value))!;
      expect(s.count).toBe(errs.length);
      expect(s.metrics.mae!.value).toBeCloseTo(errs.reduce((a, b) => a + b, 0) / errs.length, 3);
    }
    await expect(service.curves({ modelId: trained.modelId, datasetVersionId: null, positiveClass: 0 })).rejects.toMatchObject({ code: 'bad-option' });
  });
});

describe('curves', () => {
  it('one class against the rest: ROC, PR, calibration and metrics at each threshold step', async () => {
    const c = await service.curves({ modelId, datasetVersionId: null, positiveClass: 0 });
    expect(c.part).toBe('test');
    expect(c.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(c.atThresholds).toHaveLength(101);
    // at 0 every row is predicted positive; above every score none is
    expect(c.atThresholds[0]!.tpr).toBe(1);
    expect(c.atThresholds[0]!.tp + c.atThresholds[0]!.fp).toBe(c.count);
    expect(c.atThresholds[0]!.tp).toBe(c.positives);
    expect(c.roc.auc).toBeGreaterThan(0.5);
    expect(c.roc.points[0]).toEqual({ x: 0, y: 0 });
    expect(c.calibration.count).toBe(c.count);
    expect(c.calibration.bins.reduce((a, b) => a + b.count, 0)).toBe(c.count);
  });

  it('an evaluation set with one class is refused with the class named', async () => {
    const adelie = await importJson('adelie.json', Buffer.from(JSON.stringify(rows.filter((r) => r.Species === 'Adelie'))));
    const err = await service.curves({ modelId, datasetVersionId: adelie, positiveClass: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).code).toBe('one-class');
    expect((err as EvalError).details.params?.class).toBe('Adelie');
  });
});

describe('blessing and the promotion gate', () => {
  const failing: Threshold = { kind: 'absolute', metric: 'accuracy', op: '>=', value: 1.01 };

  it('a threshold that fails: NOT BLESSED with the reason; production is refused, then allowed with a written reason', async () => {
    const candidate = await copyOf(modelId);
    const never = await setAlias(db, projectId, 'production', candidate).catch((e: unknown) => e);
    expect((never as EvalError).code).toBe('not-evaluated');
    const e = await service.evaluate(request({ modelId: candidate, thresholds: [failing, { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.5 }] }));
    expect(e.blessing.blessed).toBe(false);
    expect(e.blessing.reasons.map((r) => [r.code, r.passed])).toEqual([['absolute-fail', false], ['absolute-pass', true]]);
    const refused = await setAlias(db, projectId, 'production', candidate).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(EvalError);
    expect((refused as EvalError).code).toBe('not-blessed');
    await expect(setAlias(db, projectId, 'production', candidate, { overrideReason: '   ' })).rejects.toMatchObject({ code: 'not-blessed' });
    expect(await resolveAlias(db, projectId, 'production')).toBeUndefined();
    // staging is not gated
    await setAlias(db, projectId, 'staging', candidate);
    expect((await resolveAlias(db, projectId, 'staging'))?.id).toBe(candidate);

    await setAlias(db, projectId, 'production', candidate, { overrideReason: 'Hotfix for the demo; re-evaluate Monday' });
    expect((await resolveAlias(db, projectId, 'production'))?.id).toBe(candidate);
    expect((await db.aliases.get([projectId, 'production']))?.override).toEqual({ reason: 'Hotfix for the demo; re-evaluate Monday', evaluationId: e.id });
    expect((await db.evaluations.get(e.id))?.override?.reason).toBe('Hotfix for the demo; re-evaluate Monday');
  });

  it('relative thresholds compare with production on the same rows; a blessed version is promoted without an override', async () => {
    const production = (await resolveAlias(db, projectId, 'production'))!;
    const candidate = await copyOf(modelId);
    const e = await service.evaluate(request({ modelId: candidate, specs: [{ column: 'Island', kind: 'categorical' }], thresholds: [
      { kind: 'relative', metric: 'accuracy', tolerance: 0 },
      { kind: 'relative', metric: 'accuracy', slice: 'Island="Dream"', tolerance: 0 },
      { kind: 'relative', metric: 'logLoss', tolerance: 0 },
    ] }));
    expect(e.baselineModelId).toBe(production.id);
    // the same weights: the baseline's values on the same rows are the candidate's own
    for (const r of e.blessing.reasons) {
      expect(r.code).toBe('relative-pass');
      expect(r.baseline).toBeCloseTo(r.value, 6);
    }
    expect(e.blessing.blessed).toBe(true);
    await setAlias(db, projectId, 'production', candidate);
    expect((await resolveAlias(db, projectId, 'production'))?.id).toBe(candidate);
    expect((await db.aliases.get([projectId, 'production']))?.override).toBeUndefined();
  });

  it('a production version that cannot read the rows fails its relative thresholds, and the record keeps why by code', async () => {
    // production reads a column this dataset version does not have
    const record = (await db.models.get(modelId))!;
    const stored = (await db.modelArtifacts.get(modelId))!;
    const preprocessing = { ...record.metadata.preprocessing, features: record.metadata.preprocessing.features.map((f, i) => (i === 0 ? { ...f, column: 'Beak Colour' } : f)) };
    const other = crypto.randomUUID();
    await addModelVersion(db, { id: other, projectId, name: 'other input', source: 'import', runId: null, datasetVersionId: null, parentModelId: null, metadata: { ...record.metadata, preprocessing } }, stored.artifacts);
    await setAlias(db, projectId, 'production', other, { overrideReason: 'a production version of another input' });

    const e = await service.evaluate(request({ thresholds: [{ kind: 'relative', metric: 'accuracy', tolerance: 0 }] }));
    expect(e.blessing.blessed).toBe(false);
    expect(e.baselineError).toMatchObject({ kind: 'EvalError', code: 'input-mismatch', details: { column: 'Beak Colour' } });
    const kept = (await db.evaluations.get(e.id))!.baselineError;
    expect(kept).toEqual(e.baselineError);
    i18n.locale = 'zh-TW';
    expect(errorMessage(kept)).toBe('模型會讀取欄位「Beak Colour」，但這個資料集版本沒有此欄位：無法在其上評估。');
    i18n.locale = 'en';
  });

  it('a baseline given by the request (a pipeline\'s wired baseline_model) is compared with instead of production', async () => {
    // production is still the version that cannot read these rows (the test above)
    const candidate = await copyOf(modelId);
    const e = await service.evaluate(request({ modelId: candidate, baselineModelId: modelId, thresholds: [{ kind: 'relative', metric: 'accuracy', tolerance: 0 }] }));
    expect(e.baselineModelId).toBe(modelId);
    expect(e.baselineError).toBeUndefined();
    // the same weights on the same rows: the baseline's value is the candidate's own
    expect(e.blessing.reasons[0]!.code).toBe('relative-pass');
    expect(e.blessing.reasons[0]!.baseline).toBeCloseTo(e.blessing.reasons[0]!.value, 6);
    await expect(service.evaluate(request({ modelId: candidate, baselineModelId: 'gone', thresholds: [{ kind: 'relative', metric: 'accuracy', tolerance: 0 }] }))).rejects.toMatchObject({ kind: 'RecordError', code: 'missing', details: { what: 'model-version', id: 'gone' } });
  });
});
