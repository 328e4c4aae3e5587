/**
 * A Trainer that reads columns without a Transform encodes them itself (core/model/preprocess: standardize,
 * boolean, onehot, bagOfWords, tokens, image). TFX computes such encodings in a Transform, so the export
 * writes them as a transform spec that the added Transform's preprocessing_fn runs:
 *   standardize  fill_missing with the mean, then z_score (a missing value becomes 0, as in Pipette)
 *   boolean      fill_missing with the mean (Pipette's 0/1 with the training mean for a missing value)
 *   onehot       vocabulary with one OOV bucket (Pipette's last slot for missing and unseen values)
 *   bagOfWords   lower-cased words, vocabulary of the 1000 most frequent: counts where Pipette marks presence
 * Token sequences and images have no transform step; they are left out with a note.
 */
import type { ColumnType } from '../../data/types';
import type { ColumnEncoding } from '../../model/preprocess/types';
import type { SpecColumn } from '../../transform/check';
import type { TransformSpec, TransformStep } from '../../transform/spec';
import { note, type ExportNote } from './python';

/**
 * Pipette's default encoding of each column type: fit.ts's defaultEncoding (text without options), kept
 * here as a table because fit.ts's module reads Arrow, which the export must not load.
 */
const DEFAULT_ENCODING: Record<ColumnType, ColumnEncoding> = {
  number: 'standardize',
  integer: 'standardize',
  datetime: 'standardize',
  boolean: 'boolean',
  categorical: 'onehot',
  text: 'bagOfWords',
  image: 'image',
};

/** Pipette's bag of words keeps this many words (options.text.maxVocabulary's default). */
const BAG_OF_WORDS_VOCABULARY = 1000;

export interface FeaturesTransform {
  spec: TransformSpec;
  notes: ExportNote[];
}

/** The Trainer's column features as a transform spec (its steps may be none), and what could not be written. */
export function featuresAsTransform(features: readonly { column: string; encoding?: ColumnEncoding }[], columns: readonly SpecColumn[], component: string): FeaturesTransform {
  const taken = new Set(columns.map((c) => c.name));
  const name = (base: string) => {
    let n = base;
    while (taken.has(n)) n = `${n}_`;
    taken.add(n);
    return n;
  };
  const steps: TransformStep[] = [];
  const notes: ExportNote[] = [];
  for (const f of features) {
    const type = columns.find((c) => c.name === f.column)?.type;
    if (!type) {
      notes.push(note('encoding-not-exported', `${component}: the column "${f.column}" is not among the dataset's columns`, { column: f.column, encoding: f.encoding ?? '' }, component));
      continue;
    }
    const encoding = f.encoding ?? DEFAULT_ENCODING[type];
    const numeric = type === 'number' || type === 'integer' || type === 'datetime' || type === 'boolean';
    if ((encoding === 'standardize' || encoding === 'boolean') && numeric) {
      const filled = name(`${f.column}_filled`);
      steps.push({ name: filled, op: 'fill_missing', inputs: [f.column], params: { with: { analyzer: 'mean', input: f.column } } });
      if (encoding === 'standardize') steps.push({ name: name(`${f.column}_xf`), op: 'z_score', inputs: [filled] });
    } else if (encoding === 'onehot' && !numeric) {
      steps.push({ name: name(`${f.column}_xf`), op: 'vocabulary', inputs: [f.column], params: { num_oov_buckets: 1 } });
    } else if (encoding === 'bagOfWords') {
      const words = name(`${f.column}_words`);
      steps.push({ name: words, op: 'tokenize', inputs: [f.column], params: { split: 'words', lowercase: true } });
      steps.push({ name: name(`${f.column}_xf`), op: 'vocabulary', inputs: [words], params: { top_k: BAG_OF_WORDS_VOCABULARY } });
      notes.push(note('encoding-approximate', `${component}: "${f.column}" as a bag of words counts each word where Pipette marks its presence, over the 1000 most frequent words rather than those in most rows`, { column: f.column, encoding }, component));
    } else {
      notes.push(note('encoding-not-exported', `${component}: "${f.column}" (${encoding} of a ${type} column) has no transform step; it is left out of the features`, { column: f.column, encoding }, component));
    }
  }
  return { spec: { steps }, notes };
}
