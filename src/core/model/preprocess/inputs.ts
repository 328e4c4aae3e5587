/**
 * What a model reads, from its statistics alone: the raw columns (with their types) and the feature choices
 * that rebuild it. Types only, no Arrow: the page imports this module directly (the predict form, the
 * new-run form) without pulling the encoders in.
 */
import type { ColumnType } from '../../data/types';
import type { FeatureChoice, FeatureStats, PreprocessStats, TransformFeatureStats } from './types';

export interface InputColumn {
  column: string;
  type: ColumnType;
}

/** The model's transform feature, if its features come from a transform. */
export function transformFeature(stats: Pick<PreprocessStats, 'features'>): TransformFeatureStats | null {
  const f = stats.features[0];
  return f?.encoding === 'transform' ? f : null;
}

/**
 * The raw columns a model reads, in order: each feature's column, or for a transform the columns the
 * transform reads. What a prediction request carries and what a dataset version must hold.
 */
export function inputColumns(stats: Pick<PreprocessStats, 'features'>): InputColumn[] {
  return stats.features.flatMap((f) => (f.encoding === 'transform' ? f.fitted.columns.map((c) => ({ column: c.name, type: c.type })) : [{ column: f.column, type: f.sourceType }]));
}

/** The raw columns a list of feature choices reads (a transform's inputs for a transform choice). */
export function choiceColumns(choices: readonly FeatureChoice[]): string[] {
  return choices.flatMap((c) => (c.encoding === 'transform' ? c.fitted.columns.map((col) => col.name) : [c.column]));
}

/** The choice that gives this feature again (a base model's features, the split of a model's data). */
export function choiceOf(f: FeatureStats): FeatureChoice {
  return f.encoding === 'transform' ? { column: f.column, encoding: 'transform', transform: { ...f.transform }, fitted: f.fitted } : { column: f.column, encoding: f.encoding };
}
