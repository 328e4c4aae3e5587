/**
 * The new-run form's model (src/app/train-draft.ts): what each choice changes in a draft, what is asked
 * of the training worker, the problems of bad drafts (as message keys, in the order the form shows them),
 * and the exact run config a draft becomes, for a new model, a label set and a model trained further.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../../src/core/data/types';
import type { PrepareResult } from '../../../src/protocol/train';
import type { DatasetVersion } from '../../../src/store/db';
import type { ModelVersionRecord } from '../../../src/store/training-records';
import * as draft from '../../../src/app/train-draft';

const col = (name: string, type: ColumnInfo['type']): ColumnInfo => ({ name, type, nullCount: 0 });
const penguins = [col('Species', 'categorical'), col('Island', 'categorical'), col('Beak Length (mm)', 'number'), col('Body Mass (g)', 'integer'), col('id', 'text')];
const version = { id: 'v1', columns: penguins } as DatasetVersion;

/** The form's starting values (train.svelte.ts's TrainDraft). */
function fresh(): draft.DraftFields {
  return {
    datasetVersionId: '',
    task: 'tabular-classification',
    presetId: 'mlp-classifier',
    label: '',
    features: [],
    layers: [],
    layersFor: '',
    seed: 42,
    fractions: { train: 0.7, validation: 0.15, test: 0.15 },
    hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'none' },
    backend: 'auto',
    baseModelId: null,
    labelSource: { kind: 'column' },
    transformId: null,
    transformOutputs: null,
  };
}

const prepared: PrepareResult = {
  input: { kind: 'tabular', features: 5 },
  classes: ['Adelie', 'Chinstrap', 'Gentoo'],
  counts: { train: 70, validation: 15, test: 15, excluded: 0 },
  slots: 5,
  warnings: [],
};

describe('new-run draft', () => {
  it('a dataset version sets the label, the task, its first preset and the features; another task and label redo them', () => {
    const d = fresh();
    d.hyper.classWeights = 'balanced';
    draft.pickVersion(d, version, 'Species');
    expect([d.datasetVersionId, d.label, d.task, d.presetId, d.layersFor]).toEqual(['v1', 'Species', 'tabular-classification', 'mlp-classifier', '']);
    expect(d.features).toEqual(['Island', 'Beak Length (mm)', 'Body Mass (g)']);
    // the preset's training settings, the person's class weights
    expect(d.hyper).toEqual({ optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'balanced' });

    draft.pickTask(d, 'tabular-regression', penguins);
    expect([d.task, d.presetId]).toEqual(['tabular-regression', 'mlp-regressor']);
    draft.pickLabel(d, 'Body Mass (g)', penguins);
    expect(d.features).toEqual(['Species', 'Island', 'Beak Length (mm)']);
    draft.toggleFeature(d, 'Island', false);
    draft.toggleFeature(d, 'id', true);
    expect(d.features).toEqual(['Species', 'Beak Length (mm)', 'id']);
  });

  it('labels from a label set keep the label column as the gold column; back to the column takes the default label', () => {
    const d = fresh();
    draft.pickVersion(d, version, 'Species');
    draft.pickSource(d, 'set-1', penguins, 'Species');
    expect(d.labelSource).toEqual({ kind: 'labelSet', labelSetId: 'set-1', goldColumn: 'Species' });
    draft.pickGold(d, '', penguins);
    expect([d.labelSource, d.label]).toEqual([{ kind: 'labelSet', labelSetId: 'set-1', goldColumn: null }, '']);
    expect(draft.labelTaskOf({ ...d, task: 'tabular-regression' }, undefined)).toBe('classification');
    draft.pickSource(d, 'column', penguins, 'Species');
    expect([d.labelSource, d.label]).toEqual([{ kind: 'column' }, 'Species']);
  });

  it('asks the worker to prepare only a complete data side with a valid split', () => {
    const d = fresh();
    expect(draft.prepareRequest(d, penguins, undefined, undefined)).toBe(null);
    draft.pickVersion(d, version, 'Species');
    expect(draft.prepareRequest(d, penguins, undefined, undefined)).toEqual({
      datasetVersionId: 'v1',
      features: [{ column: 'Island' }, { column: 'Beak Length (mm)' }, { column: 'Body Mass (g)' }],
      label: 'Species',
      labelTask: 'classification',
      split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
      baseModelId: null,
      labelSource: { kind: 'column' },
    });
    expect(draft.prepareRequest({ ...d, features: [] }, penguins, undefined, undefined)).toBe(null);
    expect(draft.prepareRequest({ ...d, label: '' }, penguins, undefined, undefined)).toBe(null);
    // a label set needs no label column
    expect(draft.prepareRequest({ ...d, label: '', labelSource: { kind: 'labelSet', labelSetId: 's', goldColumn: null } }, penguins, undefined, undefined)).not.toBe(null);
    expect(draft.prepareRequest({ ...d, fractions: { train: 0.7, validation: 0.2, test: 0.2 } }, penguins, undefined, undefined)).toBe(null);
  });

  it('says what is wrong with bad drafts, where the form shows it', () => {
    const d = fresh();
    expect(draft.draftIssues(d)).toEqual([]);
    expect(draft.draftIssues({ ...d, fractions: { train: 0, validation: 0.5, test: 0.5 } })).toEqual([{ field: 'split', message: 'train.form.splitInvalid' }]);
    expect(draft.draftIssues({ ...d, fractions: { train: 0.8, validation: 0.3, test: -0.1 } })).toEqual([{ field: 'split', message: 'train.form.splitInvalid' }]);
    for (const bad of [{ learningRate: 0 }, { batchSize: 2.5 }, { epochs: 0 }, { patience: -1 }]) {
      expect(draft.draftIssues({ ...d, hyper: { ...d.hyper, ...bad } }), JSON.stringify(bad)).toEqual([{ field: 'hyper', message: 'train.form.hyperInvalid' }]);
    }
    expect(draft.draftIssues({ ...d, seed: 1.5 })).toEqual([{ field: 'hyper', message: 'train.form.hyperInvalid' }]);
    // wasm trains convolutions since the training worker registers its gradient kernels (core/train/wasm-kernels.ts)
    const conv: typeof d = { ...d, backend: 'wasm', layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu', padding: 'valid' }] };
    expect(draft.draftIssues(conv)).toEqual([]);
    expect(draft.draftIssues({ ...conv, fractions: { train: 1, validation: 1, test: 0 }, seed: -1 }).map((i) => i.field)).toEqual(['split', 'hyper']);
  });

  it('becomes the exact run config of a new model', () => {
    const d = fresh();
    draft.pickVersion(d, version, 'Species');
    d.layers = [{ type: 'dense', units: 8, activation: 'relu' }];
    d.backend = 'cpu';
    const config = draft.runConfig(d, { name: '  ', defaultName: 'Run 3', columns: penguins, prepared, base: undefined });
    expect(config).toEqual({
      name: 'Run 3',
      task: 'tabular-classification',
      presetId: 'mlp-classifier',
      features: [{ column: 'Island' }, { column: 'Beak Length (mm)' }, { column: 'Body Mass (g)' }],
      label: 'Species',
      spec: { version: 1, input: { kind: 'tabular', features: 5 }, layers: [{ type: 'dense', units: 8, activation: 'relu' }], head: { kind: 'classification', classes: 3 }, seed: 42 },
      baseModelId: null,
      split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
      hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'none' },
      backend: 'cpu',
    });
    expect(draft.runConfig({ ...d, task: 'tabular-regression' }, { name: 'mine', defaultName: 'x', columns: penguins, prepared, base: undefined })).toMatchObject({
      name: 'mine',
      task: 'tabular-regression',
      spec: { head: { kind: 'regression' } },
    });
  });

  it('a label set makes a classifier and is recorded in the config', () => {
    const d = fresh();
    draft.pickVersion(d, version, 'Species');
    draft.pickSource(d, 'set-1', penguins, 'Species');
    d.task = 'tabular-regression';
    const config = draft.runConfig(d, { name: 'weak', defaultName: 'x', columns: penguins, prepared, base: undefined });
    expect(config.task).toBe('tabular-classification');
    expect(config.labelSource).toEqual({ kind: 'labelSet', labelSetId: 'set-1', goldColumn: 'Species' });
    expect(config.spec?.head).toEqual({ kind: 'classification', classes: 3 });
  });

  it('a model trained further keeps its features, label, task and spec; a label set is then ignored', () => {
    const spec = { version: 1 as const, input: { kind: 'tabular' as const, features: 2 }, layers: [{ type: 'conv2d' as const, filters: 4, kernelSize: 3, activation: 'relu' as const, padding: 'valid' as const }], head: { kind: 'regression' as const }, seed: 42 };
    const base = {
      id: 'm1',
      metadata: {
        task: 'regression',
        modelSpec: spec,
        preprocessing: { features: [{ column: 'Island', encoding: 'onehot', categories: ['a'] }, { column: 'Beak Length (mm)', encoding: 'standardize', mean: 1, std: 1 }], label: { column: 'Body Mass (g)', task: 'regression' } },
      },
    } as unknown as ModelVersionRecord;
    const d = { ...fresh(), datasetVersionId: 'v1', label: 'Species', baseModelId: 'm1', labelSource: { kind: 'labelSet' as const, labelSetId: 's', goldColumn: null } };
    expect(draft.labelTaskOf(d, base)).toBe('regression');
    expect(draft.prepareRequest(d, penguins, undefined, base)).toMatchObject({ baseModelId: 'm1', labelTask: 'regression', labelSource: undefined });
    expect(draft.runConfig(d, { name: 'further', defaultName: 'x', columns: penguins, prepared, base })).toEqual({
      name: 'further',
      task: 'tabular-regression',
      presetId: null,
      features: [{ column: 'Island', encoding: 'onehot' }, { column: 'Beak Length (mm)', encoding: 'standardize' }],
      label: 'Body Mass (g)',
      spec,
      baseModelId: 'm1',
      split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
      hyper: fresh().hyper,
      backend: 'auto',
    });
  });

  describe('features from a transform version', () => {
    const counts = { train: 70, validation: 15, test: 15, excluded: 0 };
    const analyzed = (id: string, o: { label?: string | null; stratified?: boolean; versionId?: string; createdAt?: number } = {}): draft.TransformChoice => ({
      id,
      name: 'prep',
      version: 1,
      createdAt: o.createdAt ?? 1,
      source: {
        datasetVersionId: o.versionId ?? 'v1',
        labelColumn: o.label === undefined ? 'Species' : o.label,
        split: { seed: 7, fractions: { train: 0.8, validation: 0.1, test: 0.1 }, stratified: o.stratified ?? true, counts },
      },
    });

    it("are those of the chosen version, newest first; one analyzed without a label cannot be used", () => {
      const all = [analyzed('a', { createdAt: 1 }), analyzed('b', { versionId: 'v2' }), analyzed('c', { createdAt: 3, label: null })];
      expect(draft.transformsOf(all, 'v1').map((t) => t.id)).toEqual(['c', 'a']);
      expect(all.map(draft.transformUsable)).toEqual([true, true, false]);
      expect(draft.transformIssues(fresh(), all[2])).toEqual([{ field: 'split', message: 'train.form.transformNoLabel' }]);
    });

    it("take the transform's label, seed, fractions and a task that splits as it did; another version drops it", () => {
      const d = fresh();
      draft.pickVersion(d, version, 'Species');
      d.baseModelId = 'm1';
      draft.pickSource(d, 'set-1', penguins, 'Species');
      draft.pickTransform(d, analyzed('t1', { label: 'Body Mass (g)', stratified: false }));
      expect([d.transformId, d.label, d.seed, d.fractions, d.task, d.presetId, d.baseModelId, d.labelSource]).toEqual([
        't1',
        'Body Mass (g)',
        7,
        { train: 0.8, validation: 0.1, test: 0.1 },
        'tabular-regression',
        'mlp-regressor',
        null,
        { kind: 'column' },
      ]);
      expect(draft.transformIssues(d, analyzed('t1', { label: 'Body Mass (g)', stratified: false }))).toEqual([]);
      draft.pickTransform(d, null);
      expect(d.transformId).toBe(null);
      draft.pickTransform(d, analyzed('t2'));
      draft.pickVersion(d, version, 'Species');
      expect(d.transformId).toBe(null);
    });

    it("flag a split that is no longer the transform's", () => {
      const t = analyzed('t1');
      const d = fresh();
      draft.pickVersion(d, version, 'Species');
      draft.pickTransform(d, t);
      expect(draft.transformIssues(d, t)).toEqual([]);
      const issue = [{ field: 'split', message: 'train.form.transformSplit' }];
      expect(draft.transformIssues({ ...d, seed: 8 }, t)).toEqual(issue);
      expect(draft.transformIssues({ ...d, fractions: { train: 0.7, validation: 0.15, test: 0.15 } }, t)).toEqual(issue);
      expect(draft.transformIssues({ ...d, label: 'Island' }, t)).toEqual(issue);
      expect(draft.transformIssues({ ...d, task: 'tabular-regression' }, t)).toEqual(issue);
      expect(draft.transformIssues(d, undefined)).toEqual([]);
    });

    it('ask the worker for the transform instead of columns, and record it in the run config', () => {
      const d = fresh();
      draft.pickVersion(d, version, 'Species');
      draft.pickTransform(d, analyzed('t1'));
      const split = { seed: 7, fractions: { train: 0.8, validation: 0.1, test: 0.1 } };
      expect(draft.prepareRequest({ ...d, features: [] }, penguins, undefined, undefined)).toEqual({
        datasetVersionId: 'v1',
        features: [],
        label: 'Species',
        labelTask: 'classification',
        split,
        baseModelId: null,
        labelSource: { kind: 'column' },
        transformId: 't1',
      });
      const config = draft.runConfig(d, { name: 'on prep', defaultName: 'x', columns: penguins, prepared, base: undefined });
      expect([config.transformId, config.features, config.split, config.label]).toEqual(['t1', [], split, 'Species']);
      // a model trained further keeps its own features: the transform is not asked for
      const base = { id: 'm1', metadata: { task: 'classification', preprocessing: { features: [], label: { column: 'Species' } } } } as unknown as ModelVersionRecord;
      expect(draft.prepareRequest({ ...d, baseModelId: 'm1' }, penguins, undefined, base)).not.toHaveProperty('transformId');
      expect(draft.runConfig({ ...d, baseModelId: 'm1' }, { name: 'f', defaultName: 'x', columns: penguins, prepared, base })).not.toHaveProperty('transformId');
    });

    it('train on the chosen output steps: asked for and recorded; all of them on again is every output', () => {
      const layout = ['m0_z', 'island', 'sex'];
      const d = fresh();
      draft.pickVersion(d, version, 'Species');
      draft.pickTransform(d, analyzed('t1'), ['sex', 'm0_z']);
      expect(layout.map((o) => draft.outputChosen(d, o))).toEqual([true, false, true]);
      expect(draft.prepareRequest(d, penguins, undefined, undefined)).toMatchObject({ transformId: 't1', transformOutputs: ['sex', 'm0_z'] });
      expect(draft.runConfig(d, { name: 'n', defaultName: 'x', columns: penguins, prepared, base: undefined })).toMatchObject({ transformId: 't1', transformOutputs: ['sex', 'm0_z'] });
      // turning one off keeps the layout's order; none left asks the worker nothing
      draft.toggleOutput(d, 'island', true, layout);
      expect(d.transformOutputs).toBeNull();
      draft.toggleOutput(d, 'm0_z', false, layout);
      expect(d.transformOutputs).toEqual(['island', 'sex']);
      draft.toggleOutput(d, 'island', false, layout);
      draft.toggleOutput(d, 'sex', false, layout);
      expect(d.transformOutputs).toEqual([]);
      expect(draft.prepareRequest(d, penguins, undefined, undefined)).toBeNull();
      // every output: nothing recorded but the transform, as before
      draft.pickTransform(d, analyzed('t1'));
      expect(draft.prepareRequest(d, penguins, undefined, undefined)).not.toHaveProperty('transformOutputs');
      draft.pickTransform(d, analyzed('t1'), ['island']);
      draft.pickVersion(d, version, 'Species');
      expect([d.transformId, d.transformOutputs]).toEqual([null, null]);
    });
  });
});

describe('a transform link (the Transform page, and feature selection on a transform)', () => {
  it('reads the transform and, from feature selection, the JSON list of output steps', () => {
    expect(draft.transformLink({ transform: 't1' })).toEqual({ transform: 't1', outputs: null });
    expect(draft.transformLink({ transform: 't1', features: JSON.stringify(['island', 'm2_z']) })).toEqual({ transform: 't1', outputs: ['island', 'm2_z'] });
    expect(draft.transformLink({ transform: 't1', features: '{"a":1}' })).toEqual({ transform: 't1', outputs: null });
    expect(draft.transformLink({ version: 'v1', features: '["Island"]' })).toBeNull();
    expect(draft.transformLink(undefined)).toBeNull();
  });
});

describe('a columns link (feature selection\'s "Train on this subset")', () => {
  it('reads the version, label, seed and the JSON list of columns', () => {
    const query = { version: 'v1', label: 'Species', seed: '7', features: JSON.stringify(['Island', 'Beak Length (mm)']) };
    expect(draft.columnsLink(query)).toEqual({ version: 'v1', label: 'Species', seed: 7, features: ['Island', 'Beak Length (mm)'] });
  });

  it('is null without a version or with features that are not a list of names', () => {
    expect(draft.columnsLink(undefined)).toBeNull();
    expect(draft.columnsLink({ transform: 't1' })).toBeNull();
    expect(draft.columnsLink({ version: 'v1', features: 'Island' })).toBeNull();
    expect(draft.columnsLink({ version: 'v1', features: '[1, 2]' })).toBeNull();
    expect(draft.columnsLink({ version: 'v1', features: '["Island"]', seed: 'x' })?.seed).toBeNull();
  });

  it('chooses exactly the linked columns on the version, with its label and seed, as a new model', () => {
    const d = { ...fresh(), task: 'tabular-regression' as const, baseModelId: 'old', transformId: 't1' };
    draft.useColumns(d, version, { version: 'v1', label: 'Species', seed: 7, features: ['Beak Length (mm)', 'id', 'gone', 'Species'] }, 'Island');
    expect(d.datasetVersionId).toBe('v1');
    expect(d.label).toBe('Species');
    expect(d.task).toBe('tabular-classification');
    expect(d.seed).toBe(7);
    // a column the version lacks and the label itself are not features
    expect(d.features).toEqual(['Beak Length (mm)', 'id']);
    expect(d.baseModelId).toBeNull();
    expect(d.transformId).toBeNull();
  });

  it('takes the scope target when the linked label is not a column', () => {
    const d = fresh();
    draft.useColumns(d, version, { version: 'v1', label: 'nope', seed: null, features: ['Island'] }, 'Island');
    expect(d.label).toBe('Island');
    expect(d.seed).toBe(42);
    expect(d.features).toEqual([]);
  });
});
