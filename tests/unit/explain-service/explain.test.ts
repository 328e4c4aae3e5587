import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalError } from '../../../src/core/evaluate/errors';
import type { ExplainProgress } from '../../../src/protocol/explain';
import { ExplainService } from '../../../src/services/explain';
import { loadModelData, predictEncoded } from '../../../src/services/model-data';
import type { ModelService } from '../../../src/services/registry-model';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { presetById } from '../../../src/core/train/presets';
import { useCpu } from '../train/helpers';
import { importJson, penguinConfig, penguins as penguinsJson, trainPenguinModel } from '../train-service/penguins';

// One small penguins species model for the whole file, trained with the real training service.
let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let modelId: string;
let versionId: string;
let models: ModelService;
let service: ExplainService;
const own = { datasetVersionId: null };

type Penguin = Record<string, string | number | null>;
const penguins = JSON.parse(penguinsJson.toString('utf8')) as Penguin[];
const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
const never = new AbortController().signal;

function importRows(rows: Penguin[], name: string): Promise<string> {
  return importJson(db, projectId, name, Buffer.from(JSON.stringify(rows)));
}

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('explain-svc');
  await db.open();
  projectId = (await createProject(db, 'Penguins')).id;
  versionId = await importRows(penguins, 'penguins.json');
  ({ modelId, models } = await trainPenguinModel(tf, db, projectId, versionId, penguinConfig(FEATURES, { backend: 'cpu' }, { epochs: 10 })));
  service = new ExplainService({ tf, db, loadModel: (id) => models.load(id) });
}, 120_000);

afterAll(async () => {
  await db.delete();
});

describe('setup', () => {
  it('offers the categorical columns as sensitive, and the test rows with their predictions', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    expect(setup.task).toBe('classification');
    expect(setup.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(setup.part).toBe('test');
    expect(setup.features.map((f) => f.column)).toEqual(FEATURES);
    expect(setup.features.find((f) => f.column === 'Island')!.categories).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    expect(setup.sensitiveColumns.map((c) => c.column).sort()).toEqual(['Island', 'Sex']);
    expect(setup.rows).toHaveLength(setup.evaluationRows);
    expect(setup.rows.every((r) => setup.classes!.includes(r.predicted) && r.confidence! > 0 && r.confidence! <= 1)).toBe(true);
  });
});

describe('fairness', () => {
  it('gives per-group rates by sex that agree with the model outputs counted by hand', async () => {
    const result = await service.fairness({ modelId, ...own, sensitiveColumn: 'Sex', positiveClass: 'Adelie' });
    const { report } = result;
    const data = await loadModelData(db, { modelId, part: 'test', extraColumns: ['Sex'] });
    const { model } = await models.load(modelId);
    const probs = await predictEncoded(tf, model, data.encoded, data.stats);
    model.dispose();
    const sex = data.table.columns.get('Sex')!;
    if (sex.type !== 'categorical') throw new Error('Sex is categorical');
    // by hand, at threshold 0.5: each group's share of rows with P(Adelie) >= 0.5, and its TPR
    const at = report.thresholds.find((t) => t.threshold === 0.5)!;
    report.groups.forEach((g, j) => {
      const idx = Array.from(data.rows.keys()).filter((i) => {
        const code = sex.codes[data.rows[i]!]!;
        return (code < 0 ? null : sex.dictionary[code]) === g.group;
      });
      const predicted = idx.filter((i) => probs[i * 3]! >= 0.5);
      expect(g.count).toBe(idx.length);
      expect(at.groups[j]!.positiveRate).toBeCloseTo(predicted.length / idx.length, 10);
      const actual = idx.filter((i) => data.encoded.y![i] === 0);
      if (actual.length) expect(at.groups[j]!.tpr).toBeCloseTo(actual.filter((i) => probs[i * 3]! >= 0.5).length / actual.length, 10);
    });
    expect(report.groups.map((g) => g.group)).toContain('FEMALE');
    expect(report.groups.map((g) => g.group)).toContain('MALE');
    expect(report.thresholds.map((t) => t.threshold)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const rates = at.groups.map((g) => g.positiveRate);
    expect(at.gaps.demographicParityDifference).toBeCloseTo(Math.max(...rates) - Math.min(...rates), 12);
    expect(result.evaluationRows).toBe(data.rows.length);
  });

  it('names the problem: one group, one class, an unknown class, a version without a feature', async () => {
    const males = await importRows(penguins.filter((p) => p.Sex === 'MALE'), 'males.json');
    const e1 = await service.fairness({ modelId, datasetVersionId: males, sensitiveColumn: 'Sex', positiveClass: 'Adelie' }).catch((e) => e);
    expect(e1).toBeInstanceOf(EvalError);
    expect(e1.code).toBe('one-group');
    expect(e1.details.column).toBe('Sex');
    const adelie = await importRows(penguins.filter((p) => p.Species === 'Adelie'), 'adelie.json');
    const e2 = await service.fairness({ modelId, datasetVersionId: adelie, sensitiveColumn: 'Sex', positiveClass: 'Adelie' }).catch((e) => e);
    expect(e2.code).toBe('one-class');
    const e3 = await service.fairness({ modelId, ...own, sensitiveColumn: 'Sex', positiveClass: 'Emperor' }).catch((e) => e);
    expect(e3.code).toBe('bad-option');
    const noSex = await importRows(penguins.map(({ Sex: _, ...rest }) => rest), 'nosex.json');
    const e4 = await service.explainSetup({ modelId, datasetVersionId: noSex }).catch((e) => e);
    expect(e4.code).toBe('input-mismatch');
    expect(e4.details.column).toBe('Sex');
  });
});

describe('explanations', () => {
  it('permutation importance by column, with progress, and a cancel that stops it', async () => {
    const progress: ExplainProgress[] = [];
    const result = await service.featureImportance({ modelId, ...own, jobId: 'j1', repeats: 2 }, never, (p) => progress.push(p));
    expect(result.metric).toBe('accuracy');
    expect(result.features.map((f) => f.name).sort()).toEqual([...FEATURES].sort());
    expect(result.baseline).toBeGreaterThan(0.8);
    // sorted, most important first; the beak and flipper measurements separate the species
    expect(result.features[0]!.importance).toBeGreaterThan(0);
    expect(result.features.map((f) => f.importance)).toEqual([...result.features.map((f) => f.importance)].sort((a, b) => b - a));
    expect(progress.at(-1)).toEqual({ done: 12, total: 12 });

    const abort = new AbortController();
    const stopped = service.featureImportance({ modelId, ...own, jobId: 'j2' }, abort.signal, (p) => {
      if (p.done === 1) abort.abort();
    });
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('integrated gradients: attributions per column that sum to F(x) - F(baseline) within 5%', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    for (const item of setup.rows.slice(0, 3)) {
      const ig = await service.integratedGradients({ modelId, ...own, row: item.row });
      expect(ig.outputLabel).toBe(item.predicted);
      expect(ig.columns.map((c) => c.column).sort()).toEqual([...FEATURES].sort());
      expect(ig.columns.reduce((s, c) => s + c.value, 0)).toBeCloseTo(ig.sum, 4);
      expect(Math.abs(ig.sum - (ig.fx - ig.fBaseline))).toBeLessThanOrEqual(0.05 * Math.abs(ig.fx - ig.fBaseline));
      expect(ig.fx).toBeCloseTo(item.confidence!, 4);
    }
  });

  it('KernelSHAP: one value per column summing to f(x) - E[f], with progress', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    const row = setup.rows[0]!.row;
    const progress: ExplainProgress[] = [];
    const shap = await service.kernelShap({ modelId, ...own, row, jobId: 's1' }, never, (p) => progress.push(p));
    expect(shap.values.map((v) => v.column)).toEqual(FEATURES);
    expect(shap.exact).toBe(true); // 6 columns: every coalition
    expect(shap.sum).toBeCloseTo(shap.fx - shap.expected, 5);
    expect(shap.fx).toBeCloseTo(setup.rows[0]!.confidence!, 5);
    expect(shap.backgroundRows).toBe(100);
    expect(shap.background).toBe('train');
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);

    const abort = new AbortController();
    const stopped = service.kernelShap({ modelId, ...own, row, jobId: 's3' }, abort.signal, () => abort.abort());
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('KernelSHAP of an imported model: the background is the evaluation rows, and the result says so', async () => {
    // a bundle from elsewhere: its lineage names no dataset version this browser has
    const files = unzipSync((await models.exportZip(modelId)).bytes);
    const meta = { ...JSON.parse(strFromU8(files['metadata.json']!)), lineage: { splitSeed: 1 } };
    const imported = await models.importZip((await createProject(db, 'Elsewhere')).id, zipSync({ ...files, 'metadata.json': strToU8(JSON.stringify(meta)) }));
    const target = { modelId: imported, datasetVersionId: versionId };
    const setup = await service.explainSetup(target);
    const shap = await service.kernelShap({ ...target, row: setup.rows[0]!.row, jobId: 'i1' }, never, () => {});
    expect(shap.background).toBe('evaluation');
    expect(shap.backgroundRows).toBe(Math.min(100, setup.evaluationRows));
  });

  it('What-If: edited values change the prediction; unedited ones give the stored prediction', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    const item = setup.rows.find((r) => r.predicted === 'Adelie')!;
    const detail = await service.rowDetail({ modelId, ...own, row: item.row });
    expect(detail.prediction.predicted).toBe('Adelie');
    expect(Object.keys(detail.values)).toEqual(FEATURES);
    const same = await service.whatIf({ modelId, ...own, row: item.row, values: detail.values });
    expect(same.probabilities![0]).toBeCloseTo(detail.prediction.probabilities![0]!, 5);
    // a Gentoo's measurements on an Adelie's row
    const edited = await service.whatIf({
      modelId,
      ...own,
      row: item.row,
      values: { ...detail.values, Island: 'Biscoe', 'Beak Length (mm)': 47.5, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 220, 'Body Mass (g)': 5200 },
    });
    expect(edited.predicted).toBe('Gentoo');
  });

  it('nearest counterfactual: an evaluation row predicted differently, with the columns that differ', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    const item = setup.rows[0]!;
    const cf = await service.nearestCounterfactual({ modelId, ...own, row: item.row });
    expect(cf.row).not.toBeNull();
    expect(cf.prediction!.predicted).not.toBe(item.predicted);
    expect(cf.changes.length).toBeGreaterThan(0);
    const other = await service.rowDetail({ modelId, ...own, row: cf.row! });
    const mine = await service.rowDetail({ modelId, ...own, row: item.row });
    expect(other.prediction.predicted).toBe(cf.prediction!.predicted);
    for (const c of cf.changes) {
      expect(c.to).toEqual(other.values[c.column]);
      expect(c.from).toEqual(mine.values[c.column]);
    }
  });

  it('leaks no tensors', async () => {
    const setup = await service.explainSetup({ modelId, ...own });
    const row = setup.rows[1]!.row;
    await service.integratedGradients({ modelId, ...own, row }); // the model is loaded and cached
    const before = tf.memory().numTensors;
    await service.integratedGradients({ modelId, ...own, row });
    await service.kernelShap({ modelId, ...own, row, jobId: 's2' }, never, () => {});
    await service.whatIf({ modelId, ...own, row, values: null });
    await service.nearestCounterfactual({ modelId, ...own, row });
    await service.fairness({ modelId, ...own, sensitiveColumn: 'Island', positiveClass: 'Gentoo' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a regression model', () => {
  it('explains body mass in grams: IG completeness and SHAP additivity in the label units; fairness and counterfactuals refuse it', async () => {
    const preset = presetById('mlp-regressor')!;
    const features = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Sex'];
    const { modelId: regId } = await trainPenguinModel(
      tf,
      db,
      projectId,
      versionId,
      penguinConfig(features, { task: 'tabular-regression', presetId: preset.id, label: 'Body Mass (g)', spec: preset.make({ input: { kind: 'tabular', features: 1 }, classes: 0 }), backend: 'cpu' }, { epochs: 20 }),
    );
    const target = { modelId: regId, datasetVersionId: null };
    const setup = await service.explainSetup(target);
    expect(setup.task).toBe('regression');
    expect(setup.classes).toBeNull();
    const item = setup.rows[0]!;
    // a prediction in grams, not standardized units
    expect(Number(item.predicted)).toBeGreaterThan(2000);
    expect(Number(item.predicted)).toBeLessThan(7000);

    const ig = await service.integratedGradients({ ...target, row: item.row });
    expect(ig.fx).toBeCloseTo(Number(item.predicted), 1);
    expect(Math.abs(ig.sum - (ig.fx - ig.fBaseline))).toBeLessThanOrEqual(0.05 * Math.abs(ig.fx - ig.fBaseline));

    const shap = await service.kernelShap({ ...target, row: item.row, jobId: 'r1' }, never, () => {});
    expect(shap.fx).toBeCloseTo(Number(item.predicted), 1);
    expect(shap.sum).toBeCloseTo(shap.fx - shap.expected, 2);
    // heavier flippers, heavier penguin
    const detail = await service.rowDetail({ ...target, row: item.row });
    const longer = await service.whatIf({ ...target, row: item.row, values: { ...detail.values, 'Flipper Length (mm)': Number(detail.values['Flipper Length (mm)']) + 25 } });
    expect(longer.value!).toBeGreaterThan(detail.prediction.value!);

    const importance = await service.featureImportance({ ...target, jobId: 'r2', repeats: 2 }, never, () => {});
    expect(importance.metric).toBe('mse');
    expect(importance.features).toHaveLength(features.length);

    await expect(service.fairness({ ...target, sensitiveColumn: 'Sex', positiveClass: 'x' })).rejects.toMatchObject({ code: 'bad-option' });
    await expect(service.nearestCounterfactual({ ...target, row: item.row })).rejects.toMatchObject({ code: 'bad-option' });
  });
});
