/**
 * The Tune page's form as a pure model: the choices a person makes (data, preset, algorithm and its
 * settings, objective, budget, the space as JSON) turned into the search's Train-stage base config and its
 * settings, and the problems that stop a start (the space checked by core/tune/check.ts, each naming its
 * parameter). No TF.js, no store.
 */
import type { ColumnInfo } from '../core/data/types';
import type { InputSpec, LayerSpec } from '../core/model/model-spec';
import { checkSearch, checkSpace } from '../core/tune/check';
import { TuneError } from '../core/tune/errors';
import { readSpace } from '../core/tune/space-json';
import type { Algorithm, BaseConfig, Direction, SearchConfig, SearchSpace } from '../core/tune/types';
import type { Task } from '../core/train/presets';
import { TUNE_METRICS, type TuneMetric } from '../services/tune';
import type { RunConfig } from '../store/training-records';
import { defaultFeatures, featureChoices, findPreset, guessTask, presetsForTask } from './train-presets';

/**
 * Trials at the same time by default, chosen by measurement (`npm run bench -- tune`: the same Hyperband
 * search, max_epochs 10, factor 3, 30 trials, on the penguins from the Tune page): 2 workers 148.6-149.4
 * trials/min against 94.5-97.2 with 1 (2026-12-03, load 2.3-3.5 on 2 cores). A trial of this size spends
 * much of its time outside the training steps (loading, encoding, timing the backends), which a second
 * worker overlaps.
 */
export const DEFAULT_TUNE_WORKERS = 2;

export interface TuneFormFields {
  datasetVersionId: string;
  label: string;
  task: Task;
  presetId: string;
  algorithm: Algorithm;
  metric: TuneMetric;
  direction: Direction;
  maxTrials: number;
  maxEpochs: number;
  factor: number;
  /** Random and Bayesian: epochs of each trial. */
  epochs: number;
  pruner: boolean;
  /** 0 = no time limit. */
  budgetMinutes: number;
  workers: number;
  seed: number;
  spaceText: string;
}

/**
 * The space a preset's layers suggest: the first Dense layer's units (or the first convolution's filters)
 * and the learning rate on a log scale.
 */
export function defaultSpace(layers: readonly LayerSpec[]): SearchSpace {
  const dense = layers.findIndex((l) => l.type === 'dense');
  const conv = layers.findIndex((l) => l.type === 'conv2d');
  const hps: SearchSpace['hps'] = [{ name: 'learning_rate', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log' }];
  const bindings: SearchSpace['bindings'] = [{ hp: 'learning_rate', target: { kind: 'hyper', field: 'learningRate' } }];
  if (dense >= 0) {
    hps.unshift({ name: 'units', kind: 'int', min: 16, max: 128, step: 16, sampling: 'linear' });
    bindings.unshift({ hp: 'units', target: { kind: 'layer', index: dense, field: 'units' } });
  } else if (conv >= 0) {
    hps.unshift({ name: 'filters', kind: 'choice', values: [8, 16, 32] });
    bindings.unshift({ hp: 'filters', target: { kind: 'layer', index: conv, field: 'filters' } });
  }
  return { version: 1, hps, bindings, blocks: [] };
}

/** The form for a dataset version: its label (the scope's target when present), the task it suggests, its first preset. */
export function formFor(datasetVersionId: string, columns: readonly ColumnInfo[], label: string): Pick<TuneFormFields, 'datasetVersionId' | 'label' | 'task' | 'presetId'> {
  const task = guessTask(columns, label);
  return { datasetVersionId, label, task, presetId: presetsForTask(task)[0]?.id ?? '' };
}

export function defaultFields(): TuneFormFields {
  return {
    datasetVersionId: '',
    label: '',
    task: 'tabular-classification',
    presetId: 'mlp-classifier',
    algorithm: 'hyperband',
    metric: 'val_acc',
    direction: 'max',
    maxTrials: 10,
    maxEpochs: 10,
    factor: 3,
    epochs: 10,
    pruner: false,
    budgetMinutes: 0,
    workers: DEFAULT_TUNE_WORKERS,
    seed: 1,
    spaceText: '',
  };
}

/** The space as typed, read by core's readSpace (a wrong shape: its TuneError 'bad-space' naming where), or 'not-json'. */
export function parseSpace(text: string): SearchSpace | TuneError | 'not-json' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  try {
    return readSpace(value);
  } catch (e) {
    if (e instanceof TuneError) return e;
    throw e;
  }
}

/** The base run every trial starts from: the preset's layers for the data's input, the preset's training settings. */
export function baseRunConfig(f: TuneFormFields, columns: readonly ColumnInfo[], input: InputSpec, classes: number | null, name: string): RunConfig | null {
  const preset = findPreset(f.presetId);
  if (!preset) return null;
  const spec = preset.make({ input, classes: classes ?? undefined });
  return {
    name,
    task: f.task,
    presetId: preset.id,
    features: featureChoices(preset, columns, defaultFeatures(f.task, preset, columns, f.label)),
    label: f.label,
    spec,
    baseModelId: null,
    split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
    hyper: { ...preset.training, epochs: f.algorithm === 'hyperband' ? f.maxEpochs : f.epochs, patience: 0, classWeights: 'none' },
    backend: 'auto',
  };
}

export function baseOfConfig(config: RunConfig): BaseConfig {
  return { layers: config.spec?.layers ?? [], hyper: { ...config.hyper } };
}

/** The search's settings from the form. */
export function searchConfig(f: TuneFormFields): SearchConfig {
  return {
    algorithm: f.algorithm,
    objective: { metric: f.metric, direction: f.direction },
    maxTrials: f.maxTrials,
    hyperband: { maxEpochs: f.maxEpochs, factor: f.factor, iterations: 1 },
    bayesian: { alpha: 1e-4, beta: 2.6 },
    ...(f.pruner && f.algorithm !== 'hyperband' ? { pruner: { kind: 'median' as const, startupTrials: 5, warmupEpochs: 1 } } : {}),
    seed: f.seed,
  };
}

/** The objective's usual direction. */
export function directionOf(metric: TuneMetric): Direction {
  return TUNE_METRICS[metric].direction;
}

/** Every problem of the space and the settings against the base layers (empty: the search can start). */
export function formProblems(f: TuneFormFields, layers: readonly LayerSpec[]): TuneError[] | 'not-json' {
  const space = parseSpace(f.spaceText);
  if (space === 'not-json') return space;
  if (space instanceof TuneError) return [space];
  const base: BaseConfig = { layers: [...layers], hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: f.epochs, patience: 0, classWeights: 'none' } };
  const spaceIssues = checkSpace(space, base);
  return spaceIssues.length ? spaceIssues : checkSearch(searchConfig(f), space);
}

/** A trial's values for a table cell: name=value, fractions to 3 significant digits. */
export function formatValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, x]) => `${k}=${typeof x === 'number' && !Number.isInteger(x) ? x.toPrecision(3) : String(x)}`)
    .join(', ');
}
