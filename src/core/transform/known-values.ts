/**
 * The values a categorical raw input of a fitted transform is known to take, for the predict form to offer
 * (as the form offers a one-hot column's categories): the fitted vocabularies of the vocabulary steps that
 * read the column itself, most frequent first; for a column no such step reads (hashed, crossed), the
 * dataset's categories when the caller has them. Arrow-free: the page imports it.
 */
import type { FittedTransform } from './fitted';
import { EMPTY_VOCABULARY_TOKEN } from './spec';

/** Known values per categorical input column (columns without any are left out). */
export function knownInputValues(fitted: Pick<FittedTransform, 'columns' | 'steps'>, datasetCategories: (column: string) => readonly string[] = () => []): Map<string, string[]> {
  const known = new Map<string, string[]>();
  for (const c of fitted.columns) {
    if (c.type !== 'categorical') continue;
    const values = new Set<string>();
    for (const s of fitted.steps) {
      if (s.op !== 'vocabulary' || s.inputs[0] !== c.name) continue;
      const vocabulary = s.state.vocabulary;
      if (Array.isArray(vocabulary)) for (const v of vocabulary) if (typeof v === 'string' && v !== EMPTY_VOCABULARY_TOKEN) values.add(v);
    }
    if (values.size === 0) for (const v of datasetCategories(c.name)) values.add(v);
    if (values.size > 0) known.set(c.name, [...values]);
  }
  return known;
}
