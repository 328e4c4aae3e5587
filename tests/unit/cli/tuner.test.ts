/**
 * The Tuner through the built command-line runner (`bin/pipette.mjs run`, this file's own build) in its own
 * Node process on the penguins as CSV: ExampleGen -> Tuner (random search, 3 trials of 2 epochs over the
 * first Dense layer's units and the learning rate) -> Trainer reading best_hyperparameters. Checked: the
 * search's record (tuner_results.json) has 3 completed trials of 2 epochs, its best is the best by
 * val_acc counted here, best_hyperparameters.json holds that trial's values; the Trainer's run trained
 * exactly the best trial's config (its layers and learning rate are the values, and its validation
 * accuracy per epoch is the trial's objective history, on the same seeds in the same process); a second
 * run is cached through the Tuner and the Trainer.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/core/pipeline/draft';
import type { PipelineSpec, TrainerSettings, TunerSettings } from '../../../src/core/pipeline/spec';
import { applyValues } from '../../../src/core/tune/space';
import type { HpValues } from '../../../src/core/tune/types';
import { buildOwnCli, ownCliDir, runOwnCli } from './own-build';

const root = resolve(import.meta.dirname, '../../..');
const DATASET = 'Palmer penguins';
const COLUMNS = ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
const penguins = JSON.parse(readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8')) as Record<string, unknown>[];

const cli = ownCliDir('pipette-cli-tuner-test');
let work: string;
let data: string;

const pipette = (...args: string[]) => runOwnCli(cli, work, ...args);

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'].map((column) => ({ column }));

/** The base both the Tuner and the Trainer have: a small MLP, 2 epochs, no early stopping. */
function base(name: string): TrainerSettings {
  return {
    ...defaultSettings('Trainer'),
    name,
    features: FEATURES,
    layers: [{ type: 'dense', units: 16, activation: 'relu' }],
    hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2, patience: 0, classWeights: 'none' },
    backend: 'cpu',
  };
}

function tunedPipeline(): PipelineSpec {
  const demo = readJson<PipelineSpec>(join(root, 'pipelines/demo.pipeline.json'));
  const tuner: TunerSettings = {
    ...base('penguins-search'),
    space: {
      version: 1,
      hps: [
        { name: 'units', kind: 'choice', values: [8, 16, 32] },
        { name: 'learning_rate', kind: 'float', min: 1e-3, max: 1e-1, sampling: 'log' },
      ],
      bindings: [
        { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
        { hp: 'learning_rate', target: { kind: 'hyper', field: 'learningRate' } },
      ],
      blocks: [],
    },
    search: { algorithm: 'random', objective: { metric: 'val_acc', direction: 'max' }, maxTrials: 3, hyperband: { maxEpochs: 10, factor: 3, iterations: 1 }, bayesian: { alpha: 1e-4, beta: 2.6 }, seed: 7 },
  };
  const examples = { examples: { from: 'example_gen', port: 'examples' } };
  return {
    ...demo,
    name: 'penguins-tuned',
    components: [
      demo.components[0]!,
      { id: 'tuner', type: 'Tuner', settings: tuner, inputs: examples },
      { id: 'trainer', type: 'Trainer', settings: base('penguins-tuned'), inputs: { ...examples, hyperparameters: { from: 'tuner', port: 'best_hyperparameters' } } },
    ],
  };
}

interface TunerResults {
  best: string;
  epochsTrained: number;
  trials: { id: string; status: string; epochs: number; initialEpoch: number; parentId: string | null; values: HpValues; history: number[]; best: number }[];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-cli-tuner-'));
  data = join(work, 'data');
  mkdirSync(join(data, DATASET), { recursive: true });
  writeFileSync(join(data, DATASET, 'penguins.csv'), Papa.unparse(penguins, { columns: COLUMNS }));
  writeFileSync(join(work, 'tuned.json'), JSON.stringify(tunedPipeline(), null, 2));
  await buildOwnCli(cli);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(cli, { recursive: true, force: true });
});

describe('pipette run with a Tuner', () => {
  it('searches 3 random trials, and the Trainer trains the best trial\'s config', () => {
    const out = join(work, 'out');
    const r = pipette('run', join(work, 'tuned.json'), '--data', data, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const id of ['tuner', 'trainer']) expect(r.stdout).toMatch(new RegExp(`^${id} +succeeded +\\d+\\.\\d\\d s$`, 'm'));

    const results = readJson<TunerResults>(join(out, 'artifacts/tuner/2/tuner_results.json'));
    expect(results.trials).toHaveLength(3);
    for (const t of results.trials) {
      expect(t.status).toBe('completed');
      expect(t.epochs).toBe(2);
      expect(t.history).toHaveLength(2);
      expect(t.best).toBe(Math.max(...t.history));
    }
    // three different draws
    expect(new Set(results.trials.map((t) => JSON.stringify(t.values))).size).toBe(3);
    // the best by val_acc, the first on a tie, counted here
    const best = results.trials.reduce((a, b) => (b.best > a.best ? b : a));
    expect(results.best).toBe(best.id);
    const hp = readJson<{ trialId: string; values: HpValues; metric: string; best: number }>(join(out, 'artifacts/tuner/2/best_hyperparameters.json'));
    expect(hp).toMatchObject({ trialId: best.id, values: best.values, metric: 'val_acc', best: best.best });

    const run = readJson<{ config: { layers: unknown[]; hyper: TrainerSettings['hyper'] }; hyperparameters: { values: HpValues }; history: { valAcc: number }[] }>(join(out, 'artifacts/trainer/3/model_run.json'));
    expect(run.hyperparameters.values).toEqual(best.values);
    expect(run.config.layers).toEqual([{ type: 'dense', units: best.values.units, activation: 'relu' }]);
    expect(run.config.hyper).toEqual({ ...base('x').hyper, learningRate: best.values.learning_rate });
    const tuner = tunedPipeline().components[1]!.settings as TunerSettings;
    expect({ layers: run.config.layers, hyper: run.config.hyper }).toEqual(applyValues({ layers: tuner.layers, hyper: tuner.hyper }, tuner.space, best.values));
    // the same config on the same seeds and data: the Trainer's validation accuracy is the trial's objective
    expect(run.history.map((h) => h.valAcc)).toEqual(best.history);
  }, 300_000);

  it('is cached on a second run: the same inputs and settings reuse the search and the model', () => {
    const out = join(work, 'out');
    const r = pipette('run', join(work, 'tuned.json'), '--data', data, '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tuner +cached/m);
    expect(r.stdout).toMatch(/^trainer +cached/m);
  }, 120_000);

  it('runs Hyperband\'s schedule in Node: max_epochs 3, factor 3 is 6 trials and 11 epochs, promoted trials continuing their parent', () => {
    const spec = tunedPipeline();
    spec.components = spec.components.slice(0, 2);
    const tuner = spec.components[1]!.settings as TunerSettings;
    tuner.search = { ...tuner.search, algorithm: 'hyperband', hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } };
    writeFileSync(join(work, 'hyperband.json'), JSON.stringify(spec));
    const out = join(work, 'out-hyperband');
    const r = pipette('run', join(work, 'hyperband.json'), '--data', data, '--out', out);
    expect(r.status).toBe(0);
    const results = readJson<TunerResults>(join(out, 'artifacts/tuner/2/tuner_results.json'));
    // KerasTuner's schedule (by hand: bracket 1 runs 3 trials of 1 epoch and promotes 1 to 3; bracket 0 runs 2 of 3)
    expect(results.trials).toHaveLength(6);
    expect(results.trials.reduce((sum, t) => sum + t.epochs - t.initialEpoch, 0)).toBe(11);
    // trained, not counted: a promoted trial trained from scratch would make it 12
    expect(results.epochsTrained).toBe(11);
    const promoted = results.trials.filter((t) => t.parentId !== null);
    expect(promoted).toHaveLength(1);
    for (const t of promoted) {
      const parent = results.trials.find((p) => p.id === t.parentId)!;
      expect(t.values).toEqual(parent.values);
      expect(t.history).toHaveLength(t.epochs);
      // continued: its first epochs are its parent's, not trained again
      expect(t.history.slice(0, t.initialEpoch)).toEqual(parent.history);
    }
  }, 300_000);
});
