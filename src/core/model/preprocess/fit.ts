/** fitPreprocess: the encoding of each feature and of the label, learned from the training rows only. */
import { slotNames as transformSlotNames } from '../../transform/fitted';
import { TrainError, trainErrorWhy } from '../errors';
import type { InputSpec } from '../model-spec';
import { NUMBER_RE, type ColumnTable, type FlatColumn } from './columns';
import { fitImage, type DecodeImage } from './images';
import { categoryReader, getColumn, labelReader, missingLabel, numericReader, textReader, tokenize } from './readers';
import { fitTransformFeature } from './transform-feature';
import type { ColumnEncoding, FeatureChoice, FeatureStats, LabelStats, PreprocessOptions, PreprocessStats } from './types';

type ColumnChoice = Exclude<FeatureChoice, { encoding: 'transform' }>;

function choiceOf(f: string | FeatureChoice): FeatureChoice {
  return typeof f === 'string' ? { column: f } : f;
}

function defaultEncoding(type: FlatColumn['type'], options: PreprocessOptions): ColumnEncoding {
  switch (type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return 'standardize';
    case 'boolean':
      return 'boolean';
    case 'categorical':
      return 'onehot';
    case 'text':
      return options.text?.mode ?? 'bagOfWords';
    case 'image':
      return 'image';
  }
}

const ALLOWED: Record<ColumnEncoding, readonly FlatColumn['type'][]> = {
  standardize: ['number', 'integer', 'datetime', 'boolean', 'categorical', 'text'],
  boolean: ['boolean'],
  onehot: ['categorical', 'text', 'boolean', 'integer', 'number'],
  bagOfWords: ['text', 'categorical'],
  tokens: ['text', 'categorical'],
  image: ['image'],
};

/** Most frequent first, ties alphabetical: a deterministic ranking. */
function ranked(counts: Map<string, number>, limit: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([k]) => k);
}

function codepointSort(values: string[]): string[] {
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Classes in order: numerically when every class is a number, else by code point. */
function sortClasses(values: string[]): string[] {
  if (values.every((v) => NUMBER_RE.test(v))) return values.sort((a, b) => Number(a) - Number(b));
  return codepointSort(values);
}

function meanStd(read: (row: number) => number, rows: ArrayLike<number>): { mean: number; std: number; missing: number } {
  // Two passes: numerically safer than sum of squares for large offsets (timestamps!).
  let n = 0;
  let sum = 0;
  let missing = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = read(rows[i]!);
    if (Number.isNaN(v)) missing++;
    else {
      n++;
      sum += v;
    }
  }
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = read(rows[i]!);
    if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  }
  return { mean, std: n ? Math.sqrt(ss / n) : 0, missing };
}

/**
 * Learn the encoding of the chosen features and the label from the training rows. Throws TrainError
 * naming the column (and row) for a label with one class, text in a numeric feature, mixed image sizes.
 */
export async function fitPreprocess(
  table: ColumnTable,
  trainRows: ArrayLike<number>,
  options: PreprocessOptions,
  decode?: DecodeImage,
): Promise<PreprocessStats> {
  if (trainRows.length === 0) throw trainErrorWhy('bad-split', 'empty-train', {}, 'The training split has no rows');
  const choices = checkedChoices(options);
  const label = options.labelStats ?? fitLabel(table, trainRows, options);
  const ctx: FitContext = { trainRows, options, warnings: [] };
  const features: FeatureStats[] = [];
  let offset = 0;
  for (const choice of choices) {
    if (choice.encoding === 'transform') {
      features.push(fitTransformFeature(table, choice, label.column, trainRows));
      offset += features[features.length - 1]!.slots;
      continue;
    }
    const col = getColumn(table, choice.column);
    const encoding = encodingOf(choice, col, options, choices.length);
    const feature =
      encoding === 'image'
        ? await fitImage(col as Extract<FlatColumn, { type: 'image' }>, choice.column, trainRows, options, decode, offset)
        : fitColumn(col, { column: choice.column, sourceType: col.type, offset }, encoding, ctx);
    features.push(feature);
    // token ids and images are the only feature, and no vector slots
    if (encoding !== 'image' && encoding !== 'tokens') offset += feature.slots;
  }

  const first = features[0]!;
  let input: InputSpec;
  if (first.encoding === 'image') input = { kind: 'image', height: first.height, width: first.width, channels: first.channels };
  else if (first.encoding === 'tokens') input = { kind: 'tokens', length: first.length, vocabSize: first.vocabulary.length + 2 };
  else input = { kind: 'tabular', features: offset };
  return {
    version: 1,
    features,
    label,
    input,
    slotNames: input.kind === 'tabular' ? features.flatMap((f) => (f.encoding === 'transform' ? transformSlotNames(f.fitted) : slotNamesOf(f))) : [],
    trainRows: trainRows.length,
    warnings: ctx.warnings,
  };
}

/** The chosen features, refused when there are none, one is the label, or one is chosen twice. */
function checkedChoices(options: PreprocessOptions): FeatureChoice[] {
  const choices = options.features.map(choiceOf);
  if (choices.length === 0) throw trainErrorWhy('bad-encoding', 'no-features', {}, 'Choose at least one feature column');
  const transform = choices.find((c) => c.encoding === 'transform');
  if (transform && choices.length > 1) {
    throw trainErrorWhy('bad-encoding', 'transform-sole', { column: transform.column, params: { others: choices.length - 1 } }, `The features come from transform "${transform.column}", which must be the only feature (remove the other ${choices.length - 1})`);
  }
  const seen = new Set<string>();
  for (const c of choices) {
    if (c.column === options.label) throw trainErrorWhy('bad-encoding', 'label-as-feature', { column: c.column }, `Column "${c.column}" is the label; it cannot also be a feature`);
    if (seen.has(c.column)) throw trainErrorWhy('bad-encoding', 'chosen-twice', { column: c.column }, `Column "${c.column}" is chosen twice`);
    seen.add(c.column);
  }
  return choices;
}

/** The feature's encoding (chosen, or the column type's default), refused when it does not fit the column. */
function encodingOf(choice: ColumnChoice, col: FlatColumn, options: PreprocessOptions, features: number): ColumnEncoding {
  const column = choice.column;
  const encoding = choice.encoding ?? defaultEncoding(col.type, options);
  if (!ALLOWED[encoding].includes(col.type)) {
    throw trainErrorWhy('bad-encoding', 'encoding-type', { column, params: { encoding, type: col.type } }, `Column "${column}" is ${col.type}; it cannot be encoded as ${encoding}`);
  }
  if ((encoding === 'image' || encoding === 'tokens') && features > 1) {
    throw trainErrorWhy(
      'bad-encoding',
      'sole-feature',
      { column, params: { encoding, others: features - 1 } },
      `Column "${column}" is encoded as ${encoding === 'image' ? 'an image' : 'token ids'}, which must be the only feature (remove the other ${features - 1})`,
    );
  }
  return encoding;
}

/** What the fit of every feature shares: the rows it learns from, the options, the warnings it collects. */
interface FitContext {
  trainRows: ArrayLike<number>;
  options: PreprocessOptions;
  warnings: string[];
}

interface ColumnBase {
  column: string;
  sourceType: FlatColumn['type'];
  offset: number;
}

function fitColumn(col: FlatColumn, base: ColumnBase, encoding: Exclude<ColumnEncoding, 'image'>, ctx: FitContext): FeatureStats {
  const { column } = base;
  const { trainRows, warnings } = ctx;
  switch (encoding) {
    case 'standardize': {
      const read = numericReader(col, column);
      const { mean, std, missing } = meanStd(read, trainRows);
      if (missing === trainRows.length) throw trainErrorWhy('bad-encoding', 'no-values', { column }, `Column "${column}" has no values in the training split`);
      if (std === 0) warnings.push(`Column "${column}" has the same value in every training row; it carries no information`);
      if (missing) warnings.push(`Column "${column}": ${missing} missing training values are replaced by the training mean`);
      return { ...base, encoding, slots: 1, missingInTrain: missing, mean, std: std || 1 };
    }
    case 'boolean': {
      const read = numericReader(col, column);
      const { mean, missing } = meanStd(read, trainRows);
      if (missing) warnings.push(`Column "${column}": ${missing} missing training values are replaced by the training fraction of true`);
      return { ...base, encoding, slots: 1, missingInTrain: missing, mean };
    }
    case 'onehot':
      return fitOneHot(col, base, ctx);
    case 'bagOfWords':
    case 'tokens':
      return fitWords(col, base, encoding, ctx);
  }
}

function fitOneHot(col: FlatColumn, base: ColumnBase, { trainRows, options, warnings }: FitContext): FeatureStats {
  const { column } = base;
  const maxCategories = options.maxCategories ?? 100;
  const read = categoryReader(col, column);
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < trainRows.length; i++) {
    const v = read(trainRows[i]!);
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  if (counts.size > maxCategories) {
    warnings.push(`Column "${column}" has ${counts.size} distinct training values; the ${maxCategories} most frequent get their own slot, the rest share the "other" slot`);
  }
  const categories = codepointSort(ranked(counts, maxCategories));
  return { ...base, encoding: 'onehot', slots: categories.length + 1, missingInTrain: missing, categories };
}

function fitWords(col: FlatColumn, base: ColumnBase, encoding: 'bagOfWords' | 'tokens', { trainRows, options }: FitContext): FeatureStats {
  const { column } = base;
  const maxVocabulary = options.text?.maxVocabulary ?? 1000;
  const read = textReader(col, column);
  const df = new Map<string, number>();
  const lengths: number[] = [];
  let missing = 0;
  for (let i = 0; i < trainRows.length; i++) {
    const s = read(trainRows[i]!);
    if (s === null) missing++;
    const tokens = s === null ? [] : tokenize(s);
    lengths.push(tokens.length);
    for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  if (df.size === 0) throw trainErrorWhy('bad-encoding', 'no-words', { column }, `Column "${column}" has no words in the training split`);
  if (encoding === 'bagOfWords') {
    const vocabulary = codepointSort(ranked(df, maxVocabulary));
    return { ...base, encoding, slots: vocabulary.length, missingInTrain: missing, vocabulary };
  }
  // ids 0 and 1 are padding and unknown, so the vocabulary takes ids 2..
  const vocabulary = ranked(df, Math.max(1, maxVocabulary - 2));
  lengths.sort((a, b) => a - b);
  const p95 = lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * 0.95))]!;
  const length = options.text?.sequenceLength ?? Math.min(256, Math.max(1, p95));
  if (!(Number.isInteger(length) && length > 0)) throw trainErrorWhy('bad-encoding', 'sequence-length', { column, params: { length } }, `The sequence length must be a positive integer (got ${length})`);
  return { ...base, encoding, slots: length, missingInTrain: missing, vocabulary, length };
}

/** A name per vector slot ("island=Biscoe", "words:price"); none for token ids and images. */
function slotNamesOf(f: Exclude<FeatureStats, { encoding: 'transform' }>): string[] {
  switch (f.encoding) {
    case 'standardize':
    case 'boolean':
      return [f.column];
    case 'onehot':
      return [...f.categories.map((c) => `${f.column}=${c}`), `${f.column}=<other>`];
    case 'bagOfWords':
      return f.vocabulary.map((w) => `${f.column}:${w}`);
    case 'tokens':
    case 'image':
      return [];
  }
}

function fitLabel(table: ColumnTable, trainRows: ArrayLike<number>, options: PreprocessOptions): LabelStats {
  const column = options.label;
  const col = getColumn(table, column);
  if (options.task === 'classification') {
    const read = labelReader(col, column);
    const counts = new Map<string, number>();
    for (let i = 0; i < trainRows.length; i++) {
      const v = read(trainRows[i]!);
      if (v === null) throw missingLabel(column, trainRows[i]!);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (counts.size < 2) {
      const only = [...counts.keys()][0] ?? '';
      throw new TrainError(
        'one-class',
        { column, params: { value: only } },
        `Label column "${column}" has only one class ("${only}") in the training split; a classifier needs at least two`,
      );
    }
    const classes = sortClasses([...counts.keys()]);
    return { column, sourceType: col.type, task: 'classification', classes, counts: classes.map((c) => counts.get(c)!) };
  }
  const read = numericReader(col, column);
  const { mean, std, missing } = meanStd(read, trainRows);
  if (missing) {
    for (let i = 0; i < trainRows.length; i++) if (Number.isNaN(read(trainRows[i]!))) throw missingLabel(column, trainRows[i]!);
  }
  if (std === 0) {
    throw new TrainError('one-class', { column }, `Label column "${column}" has the same value (${mean}) in every training row; there is nothing to learn`);
  }
  return { column, sourceType: col.type, task: 'regression', mean, std };
}
