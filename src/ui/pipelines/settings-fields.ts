/**
 * The settings paths each type's form shows with their problem beside them (ComponentSettings lists a
 * problem of any other path below the form). The paths are settings.ts's, e.g. split.fractions.train.
 */
import type { ComponentType } from '../../core/pipeline/spec';

const TRAINER = ['name', 'task', 'presetId', 'features', 'modelSeed', 'hyper.optimizer', 'hyper.learningRate', 'hyper.batchSize', 'hyper.epochs', 'hyper.patience', 'hyper.classWeights', 'backend'];
const FINE_TUNE = ['training', 'training.optimizer', 'training.learningRate', 'training.batchSize', 'training.epochs'];

export const SHOWN_FIELDS: Record<ComponentType, readonly string[]> = {
  ExampleGen: ['dataset', 'dataset.name', 'dataset.id', 'version', 'version.number', 'label', 'split.seed', 'split.fractions', 'split.fractions.train', 'split.fractions.validation', 'split.fractions.test'],
  StatisticsGen: [],
  SchemaGen: ['maxDomainSize', 'inferRanges'],
  ImportSchemaGen: ['', 'schemaVersionId'],
  ExampleValidator: ['acceptAnomalies'],
  Transform: ['name', 'spec', 'spec.steps'],
  Trainer: TRAINER,
  Tuner: [...TRAINER, 'space', 'search.algorithm', 'search.objective.metric', 'search.objective.direction', 'search.maxTrials', 'search.hyperband.maxEpochs', 'search.hyperband.factor', 'search.seed', 'search'],
  Evaluator: ['thresholds', 'minCount', 'bootstrap', 'decisionThreshold'],
  Pusher: ['alias'],
  Quantizer: ['dtype'],
  Pruner: ['schedule.initialSparsity', 'schedule.finalSparsity', 'schedule.beginStep', 'schedule.endStep', 'schedule.frequency', ...FINE_TUNE],
  Distiller: ['student.kind', 'student.factor', 'student.sizes', 'temperature', 'alpha', 'labeledShare', ...FINE_TUNE],
};

/** A number field's value: NaN when empty, so the settings check names the field. */
export function numberOf(e: Event): number {
  return (e.currentTarget as HTMLInputElement).valueAsNumber;
}

/** An optional number field's value: absent when empty. */
export function optionalNumberOf(e: Event): number | undefined {
  const input = e.currentTarget as HTMLInputElement;
  return input.value.trim() === '' ? undefined : input.valueAsNumber;
}
