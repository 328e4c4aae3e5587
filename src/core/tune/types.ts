/**
 * The Tune stage's shared types: a search space (KerasTuner's hyperparameter kinds, conditions, and where
 * each value goes in a Train-stage config), a search's settings, a trial as the oracles read it, and what
 * an oracle decides next. Everything here is plain JSON, stored with the search; the oracles are pure
 * functions of these, so a reloaded search resumes by re-reading its trials.
 */
import type { LayerSpec } from '../model/model-spec';
import type { OptimizerName } from '../train/optimizers';

/** A hyperparameter's value: Int and Float give numbers, Choice any of its values, Boolean a boolean. */
export type HpValue = number | string | boolean;
/** Values by hyperparameter name; only the active ones are present. */
export type HpValues = Record<string, HpValue>;

/** 'log' spreads draws evenly over the logarithm (min must be > 0); with a step, the step multiplies. */
export type Sampling = 'linear' | 'log';

/** KerasTuner's conditional scope: active only while `parent` is active and takes one of `values`. */
export interface HpCondition {
  parent: string;
  values: HpValue[];
}

interface HpCommon {
  name: string;
  condition?: HpCondition;
}

/**
 * One hyperparameter. Defaults as KerasTuner's: Int and Float their min, Choice its first value, Boolean
 * false. Int: a linear Int without a step steps by 1; a log Int without a step draws continuously and
 * floors. A step with 'log' sampling multiplies (must be > 1), as in KerasTuner.
 */
export type HpDef =
  | (HpCommon & { kind: 'int'; min: number; max: number; step?: number; sampling: Sampling; default?: number })
  | (HpCommon & { kind: 'float'; min: number; max: number; step?: number; sampling: Sampling; default?: number })
  | (HpCommon & { kind: 'choice'; values: HpValue[]; default?: HpValue })
  | (HpCommon & { kind: 'boolean'; default?: boolean });

export type HpKind = HpDef['kind'];

/** The training settings a binding can set (the Train stage's Hyperparameters, store/training-records.ts). */
export interface TunableHyper {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  patience: number;
  classWeights: 'none' | 'balanced';
}
export type HyperField = keyof TunableHyper;

/** The Train-stage config a space is applied to: the model's layer stack and its training settings. */
export interface BaseConfig {
  layers: LayerSpec[];
  hyper: TunableHyper;
}

/** Where a value goes: `hyper.<field>` or `layers[<index>].<field>` (index into the base's layers). */
export type BindingTarget = { kind: 'hyper'; field: HyperField } | { kind: 'layer'; index: number; field: string };

export interface Binding {
  hp: string;
  target: BindingTarget;
}

/**
 * A layer template repeated `count` times (the value of the Int or Choice hyperparameter named by
 * `count`), inserted before base layer `at` (0..layers.length; base indices, before any insertion).
 * A field of block layer `layer` is set per block from the hyperparameter `hp` with `{i}` replaced by the
 * block's index (0-based), as KerasTuner's `units_{i}`; an `hp` without `{i}` is shared by every block.
 */
export interface RepeatedBlock {
  count: string;
  at: number;
  layers: LayerSpec[];
  bindings: { hp: string; layer: number; field: string }[];
}

export interface SearchSpace {
  version: 1;
  /** In order: a condition's parent comes before the parameters that depend on it. */
  hps: HpDef[];
  bindings: Binding[];
  blocks: RepeatedBlock[];
}

export type Direction = 'min' | 'max';

/** Any metric the Train stage records per epoch (e.g. 'val_acc', 'val_loss'), and which way is better. */
export interface Objective {
  metric: string;
  direction: Direction;
}

export type Algorithm = 'random' | 'hyperband' | 'bayesian';

export interface SearchConfig {
  algorithm: Algorithm;
  objective: Objective;
  /** Random and Bayesian: stop after this many trials (every trial counts, failed ones too). Hyperband ignores it: its schedule decides. */
  maxTrials: number;
  /** Hyperband's max_epochs, factor (>= 2) and hyperband_iterations (>= 1). */
  hyperband: { maxEpochs: number; factor: number; iterations: number };
  /** numInitialPoints absent = max(3 x the number of hyperparameters, 3); alpha the GP noise, beta the UCB weight. */
  bayesian: { numInitialPoints?: number; alpha: number; beta: number };
  /** Optuna's MedianPruner (interval 1), for random and Bayesian searches only. */
  pruner?: { kind: 'median'; startupTrials: number; warmupEpochs: number };
  seed: number;
}

export type TrialStatus = 'running' | 'completed' | 'pruned' | 'failed' | 'stopped';

/**
 * A trial as the oracles read it. Pass a search's trials in the order they were created (the order of
 * nextTrial's decisions).
 */
export interface TrialView {
  id: string;
  values: HpValues;
  status: TrialStatus;
  /** Train to this epoch (cumulative: Hyperband's tuner/epochs). */
  epochs: number;
  /** Start here (a promoted trial continues its parent's checkpoint: tuner/initial_epoch). */
  initialEpoch: number;
  /** Hyperband: the trial whose checkpoint this one continues (tuner/trial_id). */
  parentId: string | null;
  /** Hyperband: the bracket number, the round within it, and the Hyperband iteration (0-based). */
  bracket?: number;
  round?: number;
  iteration?: number;
  /** The objective per epoch (index = epoch number - 1), as far as trained (a promoted trial's starts with its parent's). */
  history: number[];
  /** The best objective value of the history (by the objective's direction) and its epoch (1-based). */
  best: number | null;
  bestEpoch: number | null;
  /**
   * The validation loss at the best epoch, where the run has one (set when the trial finishes): of two equal
   * objectives the lower wins, so a saturated validation accuracy (every row right) still tells models apart.
   */
  tieLoss?: number;
}

/** A new trial to create and run: train `values` from `initialEpoch` to `epochs` (continuing `parentId` when set). */
export interface TrialDecision {
  kind: 'trial';
  values: HpValues;
  epochs: number;
  initialEpoch: number;
  parentId: string | null;
  bracket?: number;
  round?: number;
  iteration?: number;
}

export type DoneWhy = 'max-trials' | 'schedule-complete' | 'space-exhausted';

export type Decision =
  | TrialDecision
  /** Everything runnable is running: ask again when a trial ends. */
  | { kind: 'wait' }
  | { kind: 'done'; why: DoneWhy };
