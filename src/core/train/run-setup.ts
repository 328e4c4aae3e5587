/**
 * What a training run is set up from, shared by the Train stage's service (services/train.ts, in the
 * training worker) and the command-line runner's Trainer (cli/trainer.ts): the spec the run trains (the
 * person's layers on the input and head the data gives), the trainer's config from the stage's
 * hyperparameters, and the headline metrics of a test-split report. Moved here so both train alike.
 */
import type { ClassificationReport, RegressionReport } from '../model/metrics';
import type { ModelSpec } from '../model/model-spec';
import type { PreprocessStats } from '../model/preprocess';
import { balancedClassWeights, balancedSoftClassWeights, type TrainConfig } from './trainer';

/** The Train stage's hyperparameters: the trainer's own settings plus early stopping and class weights. */
export interface RunHyperparameters extends Pick<TrainConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'> {
  /** Early-stopping patience in epochs; 0 = train every epoch. */
  patience: number;
  classWeights: 'none' | 'balanced';
}

/** The spec a run trains: the person's layers on the input and head the data gives. */
export function resolveSpec(spec: ModelSpec, stats: PreprocessStats): ModelSpec {
  return {
    ...spec,
    version: 1,
    input: stats.input,
    head: stats.label.task === 'classification' ? { kind: 'classification', classes: stats.label.classes.length } : { kind: 'regression' },
  };
}

/**
 * The trainer's config of a run: its hyperparameters, the split's seed for the shuffles, balanced class
 * weights from the training labels (or soft targets) when asked, early stopping restoring the best epoch.
 */
export function trainConfigOf(hyper: RunHyperparameters, stats: PreprocessStats, seed: number, trainLabels: { y: Int32Array | Float32Array | null; soft?: Float32Array | null }): TrainConfig {
  const label = stats.label;
  const classification = label.task === 'classification';
  const classes = label.task === 'classification' ? label.classes.length : 1;
  const soft = trainLabels.soft ?? null;
  return {
    task: label.task,
    optimizer: hyper.optimizer,
    learningRate: hyper.learningRate,
    batchSize: hyper.batchSize,
    epochs: hyper.epochs,
    seed,
    classWeights: hyper.classWeights === 'balanced' && classification ? (soft ? balancedSoftClassWeights(soft, classes) : balancedClassWeights(trainLabels.y as Int32Array, classes)) : null,
    earlyStopping: hyper.patience > 0 ? { patience: hyper.patience, restoreBestWeights: true } : null,
    // a progress bar needs a few updates a second; each one wakes the page and repaints it
    progressEveryMs: 250,
  };
}

/** A run's headline numbers: accuracy, macro F1, log loss (and AUC for two classes); or MAE, RMSE, R². */
export function classificationSummary(report: ClassificationReport): Record<string, number> {
  return { accuracy: report.accuracy, macroF1: report.macro.f1, logLoss: report.logLoss, ...(report.roc ? { auc: report.roc.auc } : {}) };
}

export function regressionSummary(report: RegressionReport): Record<string, number> {
  return { mae: report.mae, rmse: report.rmse, r2: report.r2 };
}
