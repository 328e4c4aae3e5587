/**
 * Feature and label encoding: Arrow columns in, one Float32Array matrix (and label array) out.
 *
 * fitPreprocess learns everything from the TRAINING rows only (means and standard deviations, category
 * lists, vocabularies, class lists, the image size), so validation and test rows never leak into the
 * model. The learned PreprocessStats is plain JSON: it is saved with the run, travels with the model into
 * a bundle's metadata.json, and encode() applies exactly the same transform at prediction time.
 *
 * Encodings (one vector slot per number, in the order the features are listed):
 *   standardize  (x - mean) / std; a missing value becomes the training mean (0 after scaling)
 *   boolean      0 / 1; a missing value becomes the training fraction of true
 *   onehot       one slot per training category (sorted), plus a last slot for missing and unseen values
 *   bagOfWords   one slot per vocabulary word: 1 if the text contains it (lower-cased letter/digit runs)
 *   tokens       token ids, length L: 0 = padding, 1 = unknown word, 2 + i = vocabulary[i]
 *   image        pixels / 255, height x width x channels (grayscale by luminance, or RGB)
 * tokens and image give the model a non-vector input, so each must be the only feature.
 */
import type { RecordBatch } from 'apache-arrow';
import { batchColumnTypes, isValid, readColumn } from '../data/arrow';
import { imageSize } from '../data/png';
import type { ColumnType } from '../data/types';
import { TrainError } from './errors';
import { inputShape, type InputSpec } from './model-spec';

// ---------------------------------------------------------------------------------------------------
// Columns

/** Boolean slots: 0, 1, or this for missing. */
export const MISSING_BOOL = 2;

/** One column of the whole dataset, flattened across record batches. */
export type FlatColumn =
  /** NaN = missing (Arrow nulls become NaN); datetimes are milliseconds since 1970 UTC */
  | { type: 'number' | 'integer' | 'datetime'; values: Float64Array }
  | { type: 'boolean'; values: Uint8Array }
  /** -1 = missing; codes index one dictionary merged over all batches */
  | { type: 'categorical'; codes: Int32Array; dictionary: string[] }
  | { type: 'text'; values: (string | null)[] }
  | { type: 'image'; values: (Uint8Array | null)[] };

export interface ColumnTable {
  rowCount: number;
  columns: Map<string, FlatColumn>;
}

export type CellValue = number | boolean | string | Uint8Array | null | undefined;

/**
 * Gather the named columns (all when `names` is omitted) of a dataset's record batches. Row i of the
 * table is row i of the batches laid end to end.
 */
export function tableFromBatches(batches: readonly RecordBatch[], names?: readonly string[]): ColumnTable {
  const rowCount = batches.reduce((n, b) => n + b.numRows, 0);
  const columns = new Map<string, FlatColumn>();
  if (batches.length === 0) return { rowCount, columns };
  const schema = batchColumnTypes(batches[0]!);
  const wanted = names ?? schema.map((c) => c.name);
  for (const name of wanted) {
    const type = schema.find((c) => c.name === name)?.type;
    if (!type) continue; // encode() reports the missing column with its name
    columns.set(name, flattenColumn(batches, name, type, rowCount));
  }
  return { rowCount, columns };
}

function flattenColumn(batches: readonly RecordBatch[], name: string, type: ColumnType, rowCount: number): FlatColumn {
  let at = 0;
  switch (type) {
    case 'number':
    case 'integer':
    case 'datetime': {
      const values = new Float64Array(rowCount);
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'number' && col.type !== 'integer' && col.type !== 'datetime') throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values[at + i] = isValid(col.validity, i) ? col.values[i]! : NaN;
        at += b.numRows;
      }
      return { type, values };
    }
    case 'boolean': {
      const values = new Uint8Array(rowCount);
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'boolean') throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values[at + i] = isValid(col.validity, i) ? col.values[i]! : MISSING_BOOL;
        at += b.numRows;
      }
      return { type, values };
    }
    case 'categorical': {
      const codes = new Int32Array(rowCount);
      const dictionary: string[] = [];
      const global = new Map<string, number>();
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== 'categorical') throw mixedTypes(name);
        // each batch has its own dictionary: translate its indices once, not per row
        const local = col.dictionary.map((s) => {
          let c = global.get(s);
          if (c === undefined) global.set(s, (c = dictionary.push(s) - 1));
          return c;
        });
        for (let i = 0; i < b.numRows; i++) codes[at + i] = isValid(col.validity, i) ? local[col.indices[i]!]! : -1;
        at += b.numRows;
      }
      return { type, codes, dictionary };
    }
    case 'text':
    case 'image': {
      const values: (string | Uint8Array | null)[] = [];
      for (const b of batches) {
        const col = readColumn(b, indexOf(b, name));
        if (col.type !== type) throw mixedTypes(name);
        for (let i = 0; i < b.numRows; i++) values.push(col.values[i] ?? null);
      }
      return { type, values } as FlatColumn;
    }
  }
}

function indexOf(batch: RecordBatch, name: string): number {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new TrainError('missing-column', { column: name }, `Column "${name}" is missing from part of the dataset`);
  return i;
}

function mixedTypes(name: string): TrainError {
  return new TrainError('bad-encoding', { column: name }, `Column "${name}" has different types in different parts of the dataset`);
}

/**
 * A table from plain rows (the predict panel's form, a pasted text). Strings in number columns are parsed;
 * unparseable ones raise the same not-numeric error as a dataset would.
 */
export function tableFromRecords(records: readonly Record<string, CellValue>[], types: Record<string, ColumnType>): ColumnTable {
  const rowCount = records.length;
  const columns = new Map<string, FlatColumn>();
  for (const [name, type] of Object.entries(types)) {
    const cell = (i: number) => records[i]![name];
    switch (type) {
      case 'number':
      case 'integer':
      case 'datetime': {
        const values = new Float64Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          values[i] =
            typeof v === 'number'
              ? v
              : typeof v === 'string'
                ? type === 'datetime' && !NUMBER_RE.test(v.trim()) && v.trim() !== ''
                  ? parseDate(v, name, i)
                  : parseNumber(v, name, i)
                : typeof v === 'boolean'
                  ? Number(v)
                  : NaN;
        }
        columns.set(name, { type, values });
        break;
      }
      case 'boolean': {
        const values = new Uint8Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
          values[i] = s === true || s === 1 || s === 'true' || s === '1' ? 1 : s === false || s === 0 || s === 'false' || s === '0' ? 0 : MISSING_BOOL;
        }
        columns.set(name, { type, values });
        break;
      }
      case 'categorical': {
        const dictionary: string[] = [];
        const index = new Map<string, number>();
        const codes = new Int32Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = cell(i);
          if (v === null || v === undefined || v === '') {
            codes[i] = -1;
            continue;
          }
          const s = String(v);
          let c = index.get(s);
          if (c === undefined) index.set(s, (c = dictionary.push(s) - 1));
          codes[i] = c;
        }
        columns.set(name, { type, codes, dictionary });
        break;
      }
      case 'text':
        columns.set(name, { type, values: records.map((r) => (r[name] === null || r[name] === undefined ? null : String(r[name]))) });
        break;
      case 'image':
        columns.set(name, { type, values: records.map((r) => (r[name] instanceof Uint8Array ? (r[name] as Uint8Array) : null)) });
        break;
    }
  }
  return { rowCount, columns };
}

// ---------------------------------------------------------------------------------------------------
// Options and stats

export type FeatureEncoding = 'standardize' | 'boolean' | 'onehot' | 'bagOfWords' | 'tokens' | 'image';

export interface FeatureChoice {
  column: string;
  /** Default: by column type (numbers standardize, booleans 0/1, categories one-hot, text bag of words, images pixels). */
  encoding?: FeatureEncoding;
}

export type Task = 'classification' | 'regression';

export interface PreprocessOptions {
  features: readonly (string | FeatureChoice)[];
  label: string;
  task: Task;
  /**
   * The label's statistics when the targets come from elsewhere (a label set's probabilities): the label
   * column is then not read here; `label` is still refused as a feature.
   */
  labelStats?: LabelStats;
  /** Most one-hot slots per categorical column; rarer values share the unknown slot (default 100). */
  maxCategories?: number;
  text?: {
    /** How a text column is encoded by default (default 'bagOfWords'). */
    mode?: 'bagOfWords' | 'tokens';
    /** Most vocabulary words, by how many training texts contain them (default 1000). */
    maxVocabulary?: number;
    /** Token sequence length (default: the 95th percentile of training texts, at most 256). */
    sequenceLength?: number;
  };
  image?: {
    /** 1 = grayscale, 3 = RGB (default: 1 if the first training image is gray, else 3). */
    channels?: 1 | 3;
  };
}

interface FeatureBase {
  column: string;
  /** The column's type in the dataset the stats were fitted on. */
  sourceType: ColumnType;
  /** Where this feature's slots start in the vector, and how many it takes. */
  offset: number;
  slots: number;
  /** Missing values in the training rows (imputed as documented per encoding). */
  missingInTrain: number;
}

export type FeatureStats =
  | (FeatureBase & { encoding: 'standardize'; mean: number; std: number })
  | (FeatureBase & { encoding: 'boolean'; mean: number })
  | (FeatureBase & { encoding: 'onehot'; categories: string[] })
  | (FeatureBase & { encoding: 'bagOfWords'; vocabulary: string[] })
  | (FeatureBase & { encoding: 'tokens'; vocabulary: string[]; length: number })
  | (FeatureBase & { encoding: 'image'; height: number; width: number; channels: 1 | 3 });

export type LabelStats =
  | { column: string; sourceType: ColumnType; task: 'classification'; classes: string[]; counts: number[] }
  /** The model learns (y - mean) / std; decodeRegression undoes it. */
  | { column: string; sourceType: ColumnType; task: 'regression'; mean: number; std: number };

export interface PreprocessStats {
  version: 1;
  features: FeatureStats[];
  label: LabelStats;
  /** The model input these features make. */
  input: InputSpec;
  /** A name per vector slot for tabular inputs ("island=Biscoe", "words:price"), else empty. */
  slotNames: string[];
  trainRows: number;
  /** Things worth telling the person that did not stop the fit (constant columns, capped categories). */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------
// Value access with clear errors

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(text: string, column: string, row: number): number {
  const s = text.trim();
  if (s === '') return NaN;
  if (!NUMBER_RE.test(s)) {
    throw new TrainError('not-numeric', { column, row: row + 1, params: { value: s.slice(0, 40) } }, `Column "${column}", row ${row + 1}: "${s.slice(0, 40)}" is not a number`);
  }
  return Number(s);
}

function parseDate(text: string, column: string, row: number): number {
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) {
    throw new TrainError('not-numeric', { column, row: row + 1, params: { value: text.slice(0, 40) } }, `Column "${column}", row ${row + 1}: "${text.slice(0, 40)}" is not a date`);
  }
  return ms;
}

/** Reads a column as numbers: NaN = missing. Text that is not a number, or an infinity, throws. */
function numericReader(col: FlatColumn, column: string): (row: number) => number {
  const finite = (v: number, row: number) => {
    if (v === Infinity || v === -Infinity) {
      throw new TrainError('non-finite', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: ${v} is not a usable number`);
    }
    return v;
  };
  switch (col.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return (r) => finite(col.values[r]!, r);
    case 'boolean':
      return (r) => (col.values[r] === MISSING_BOOL ? NaN : col.values[r]!);
    case 'categorical': {
      const parsed: (number | undefined)[] = [];
      return (r) => {
        const c = col.codes[r]!;
        if (c < 0) return NaN;
        return (parsed[c] ??= parseNumber(col.dictionary[c]!, column, r));
      };
    }
    case 'text':
      return (r) => {
        const s = col.values[r];
        return s === null || s === undefined ? NaN : parseNumber(s, column, r);
      };
    case 'image':
      throw new TrainError('bad-encoding', { column }, `Column "${column}" holds images, not numbers`);
  }
}

/** Reads a column as category strings: null = missing. */
function categoryReader(col: FlatColumn, column: string): (row: number) => string | null {
  switch (col.type) {
    case 'number':
    case 'integer':
      return (r) => (Number.isNaN(col.values[r]!) ? null : String(col.values[r]));
    case 'boolean':
      return (r) => (col.values[r] === MISSING_BOOL ? null : col.values[r] ? 'true' : 'false');
    case 'categorical':
      return (r) => (col.codes[r]! < 0 ? null : col.dictionary[col.codes[r]!]!);
    case 'text':
      return (r) => {
        const s = col.values[r];
        return s === null || s === undefined || s === '' ? null : s;
      };
    case 'datetime':
    case 'image':
      throw new TrainError('bad-encoding', { column }, `Column "${column}" holds ${col.type === 'image' ? 'images' : 'dates'}, which cannot be used as categories`);
  }
}

/** Lower-cased runs of letters and digits (any script). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function textReader(col: FlatColumn, column: string): (row: number) => string | null {
  if (col.type === 'text') return (r) => col.values[r] ?? null;
  if (col.type === 'categorical') return (r) => (col.codes[r]! < 0 ? null : col.dictionary[col.codes[r]!]!);
  throw new TrainError('bad-encoding', { column }, `Column "${column}" is ${col.type}; words can only be read from text or categories`);
}

// ---------------------------------------------------------------------------------------------------
// Fitting

export interface DecodedImage {
  width: number;
  height: number;
  /** Row-major 8-bit pixels, `channels` per pixel (default 4: RGBA, as ImageData gives). */
  data: Uint8Array | Uint8ClampedArray;
  channels?: 1 | 2 | 3 | 4;
}

/**
 * Decodes encoded image bytes (PNG, JPEG, ...). In the browser: createImageBitmap + OffscreenCanvas; in
 * Node tests: a PNG decoder. Injected so this module needs neither.
 */
export type DecodeImage = (bytes: Uint8Array) => DecodedImage | Promise<DecodedImage>;

function choiceOf(f: string | FeatureChoice): FeatureChoice {
  return typeof f === 'string' ? { column: f } : f;
}

function defaultEncoding(type: FlatColumn['type'], options: PreprocessOptions): FeatureEncoding {
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

const ALLOWED: Record<FeatureEncoding, readonly FlatColumn['type'][]> = {
  standardize: ['number', 'integer', 'datetime', 'boolean', 'categorical', 'text'],
  boolean: ['boolean'],
  onehot: ['categorical', 'text', 'boolean', 'integer', 'number'],
  bagOfWords: ['text', 'categorical'],
  tokens: ['text', 'categorical'],
  image: ['image'],
};

function getColumn(table: ColumnTable, column: string): FlatColumn {
  const col = table.columns.get(column);
  if (!col) throw new TrainError('missing-column', { column }, `Column "${column}" is not in the dataset`);
  return col;
}

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

/** A label value of a row as a class string, or null. Used by fit, encode and the split. */
function labelReader(col: FlatColumn, column: string): (row: number) => string | null {
  if (col.type === 'image' || col.type === 'datetime') {
    throw new TrainError('bad-encoding', { column }, `Column "${column}" holds ${col.type === 'image' ? 'images' : 'dates'} and cannot be a label`);
  }
  return categoryReader(col, column);
}

/**
 * The label of each row, for a stratified split: class strings for classification, numbers for
 * regression (the split then only uses them to leave out unlabeled rows). null = missing.
 */
export function labelValues(table: ColumnTable, label: string, task: Task): (string | number | null)[] {
  const col = getColumn(table, label);
  const out: (string | number | null)[] = new Array(table.rowCount);
  if (task === 'classification') {
    const read = labelReader(col, label);
    for (let r = 0; r < table.rowCount; r++) out[r] = read(r);
  } else {
    const read = numericReader(col, label);
    for (let r = 0; r < table.rowCount; r++) {
      const v = read(r);
      out[r] = Number.isNaN(v) ? null : v;
    }
  }
  return out;
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

function isGray(img: DecodedImage): boolean {
  const ch = img.channels ?? 4;
  if (ch <= 2) return true;
  const d = img.data;
  for (let i = 0; i + 2 < d.length; i += ch) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
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
  if (trainRows.length === 0) throw new TrainError('bad-split', {}, 'The training split has no rows');
  const warnings: string[] = [];
  const choices = options.features.map(choiceOf);
  if (choices.length === 0) throw new TrainError('bad-encoding', {}, 'Choose at least one feature column');
  const seen = new Set<string>();
  for (const c of choices) {
    if (c.column === options.label) throw new TrainError('bad-encoding', { column: c.column }, `Column "${c.column}" is the label; it cannot also be a feature`);
    if (seen.has(c.column)) throw new TrainError('bad-encoding', { column: c.column }, `Column "${c.column}" is chosen twice`);
    seen.add(c.column);
  }

  const label = options.labelStats ?? fitLabel(table, trainRows, options);
  const features: FeatureStats[] = [];
  const slotNames: string[] = [];
  let offset = 0;
  const maxCategories = options.maxCategories ?? 100;
  const maxVocabulary = options.text?.maxVocabulary ?? 1000;

  for (const choice of choices) {
    const col = getColumn(table, choice.column);
    const column = choice.column;
    const encoding = choice.encoding ?? defaultEncoding(col.type, options);
    if (!ALLOWED[encoding].includes(col.type)) {
      throw new TrainError('bad-encoding', { column, params: { encoding, type: col.type } }, `Column "${column}" is ${col.type}; it cannot be encoded as ${encoding}`);
    }
    if ((encoding === 'image' || encoding === 'tokens') && choices.length > 1) {
      throw new TrainError(
        'bad-encoding',
        { column },
        `Column "${column}" is encoded as ${encoding === 'image' ? 'an image' : 'token ids'}, which must be the only feature (remove the other ${choices.length - 1})`,
      );
    }
    const base = { column, sourceType: col.type, offset } as const;
    switch (encoding) {
      case 'standardize': {
        const read = numericReader(col, column);
        const { mean, std, missing } = meanStd(read, trainRows);
        if (missing === trainRows.length) throw new TrainError('bad-encoding', { column }, `Column "${column}" has no values in the training split`);
        if (std === 0) warnings.push(`Column "${column}" has the same value in every training row; it carries no information`);
        if (missing) warnings.push(`Column "${column}": ${missing} missing training values are replaced by the training mean`);
        features.push({ ...base, encoding, slots: 1, missingInTrain: missing, mean, std: std || 1 });
        slotNames.push(column);
        offset += 1;
        break;
      }
      case 'boolean': {
        const read = numericReader(col, column);
        const { mean, missing } = meanStd(read, trainRows);
        if (missing) warnings.push(`Column "${column}": ${missing} missing training values are replaced by the training fraction of true`);
        features.push({ ...base, encoding, slots: 1, missingInTrain: missing, mean });
        slotNames.push(column);
        offset += 1;
        break;
      }
      case 'onehot': {
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
        features.push({ ...base, encoding, slots: categories.length + 1, missingInTrain: missing, categories });
        for (const c of categories) slotNames.push(`${column}=${c}`);
        slotNames.push(`${column}=<other>`);
        offset += categories.length + 1;
        break;
      }
      case 'bagOfWords':
      case 'tokens': {
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
        if (df.size === 0) throw new TrainError('bad-encoding', { column }, `Column "${column}" has no words in the training split`);
        if (encoding === 'bagOfWords') {
          const vocabulary = codepointSort(ranked(df, maxVocabulary));
          features.push({ ...base, encoding, slots: vocabulary.length, missingInTrain: missing, vocabulary });
          for (const w of vocabulary) slotNames.push(`${column}:${w}`);
          offset += vocabulary.length;
        } else {
          // ids 0 and 1 are padding and unknown, so the vocabulary takes ids 2..
          const vocabulary = ranked(df, Math.max(1, maxVocabulary - 2));
          lengths.sort((a, b) => a - b);
          const p95 = lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * 0.95))]!;
          const length = options.text?.sequenceLength ?? Math.min(256, Math.max(1, p95));
          if (!(Number.isInteger(length) && length > 0)) throw new TrainError('bad-encoding', { column }, `The sequence length must be a positive integer (got ${length})`);
          features.push({ ...base, encoding, slots: length, missingInTrain: missing, vocabulary, length });
        }
        break;
      }
      case 'image':
        features.push(await fitImage(col as Extract<FlatColumn, { type: 'image' }>, column, trainRows, options, decode, offset));
        break;
    }
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
    slotNames: input.kind === 'tabular' ? slotNames : [],
    trainRows: trainRows.length,
    warnings,
  };
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

function missingLabel(column: string, row: number): TrainError {
  return new TrainError('missing-label', { column, row: row + 1 }, `Label column "${column}", row ${row + 1}: the label is missing`);
}

async function fitImage(
  col: Extract<FlatColumn, { type: 'image' }>,
  column: string,
  trainRows: ArrayLike<number>,
  options: PreprocessOptions,
  decode: DecodeImage | undefined,
  offset: number,
): Promise<FeatureStats> {
  if (!decode) throw new TrainError('bad-encoding', { column }, `Column "${column}" holds images, but no image decoder was given`);
  const firstRow = Array.from(trainRows).find((r) => col.values[r]);
  if (firstRow === undefined) throw new TrainError('missing-image', { column }, `Column "${column}" has no images in the training split`);
  const first = await decodeChecked(decode, col.values[firstRow]!, column, firstRow);
  // Headers are cheap to read: catch mixed sizes before any training (decoding checks again later).
  for (let i = 0; i < trainRows.length; i++) {
    const r = trainRows[i]!;
    const bytes = col.values[r];
    if (!bytes) throw missingImage(column, r);
    const size = imageSize(bytes);
    if (size && (size.width !== first.width || size.height !== first.height)) {
      throw mixedSizes(column, firstRow, first, r, size);
    }
  }
  const channels = options.image?.channels ?? (isGray(first) ? 1 : 3);
  return {
    column,
    sourceType: 'image',
    offset,
    encoding: 'image',
    height: first.height,
    width: first.width,
    channels,
    slots: first.height * first.width * channels,
    missingInTrain: 0,
  };
}

function missingImage(column: string, row: number): TrainError {
  return new TrainError('missing-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the image is missing`);
}

function mixedSizes(column: string, r1: number, a: { width: number; height: number }, r2: number, b: { width: number; height: number }): TrainError {
  return new TrainError(
    'mixed-image-sizes',
    { column, row: r2 + 1, params: { expected: `${a.width}x${a.height}`, actual: `${b.width}x${b.height}` } },
    `Column "${column}": images have different sizes (row ${r1 + 1} is ${a.width}x${a.height}, row ${r2 + 1} is ${b.width}x${b.height}); resize them to one size first`,
  );
}

async function decodeChecked(decode: DecodeImage, bytes: Uint8Array, column: string, row: number): Promise<DecodedImage> {
  let img: DecodedImage;
  try {
    img = await decode(bytes);
  } catch (e) {
    throw new TrainError('bad-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the image cannot be decoded (${e instanceof Error ? e.message : String(e)})`);
  }
  const ch = img.channels ?? 4;
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * ch) {
    throw new TrainError('bad-image', { column, row: row + 1 }, `Column "${column}", row ${row + 1}: the decoder returned ${img.data.length} bytes for a ${img.width}x${img.height} image`);
  }
  return img;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

export interface Encoded {
  rows: number;
  /** rows x product(featureShape), row-major. */
  x: Float32Array;
  /** Per-example shape: [features], [height, width, channels] or [length]. */
  featureShape: number[];
  /** Class indices (classification) or standardized targets (regression); null without labels. */
  y: Int32Array | Float32Array | null;
  /** Values imputed per column in these rows (missing numbers, booleans, categories, texts). */
  missing: Record<string, number>;
}

export interface EncodeOptions {
  /** Encode the label too (default true when the label column is in the table). */
  labels?: boolean;
  decode?: DecodeImage;
}

export function featureShapeOf(stats: PreprocessStats): number[] {
  return inputShape(stats.input);
}

/**
 * Encode `rows` of a table (all rows when omitted) with fitted stats. Throws TrainError naming the column
 * and row for text in a numeric column, a missing or unseen label, or an image of another size.
 */
export async function encode(stats: PreprocessStats, table: ColumnTable, rows?: ArrayLike<number> | null, options: EncodeOptions = {}): Promise<Encoded> {
  const rowList: ArrayLike<number> = rows ?? Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const n = rowList.length;
  const featureShape = featureShapeOf(stats);
  const size = featureShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  const missing: Record<string, number> = {};

  for (const f of stats.features) {
    const col = getColumn(table, f.column);
    let miss = 0;
    switch (f.encoding) {
      case 'standardize': {
        const read = numericReader(col, f.column);
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (Number.isNaN(v)) miss++;
          // missing -> the training mean, which standardizes to exactly 0
          x[i * size + f.offset] = Number.isNaN(v) ? 0 : (v - f.mean) / f.std;
        }
        break;
      }
      case 'boolean': {
        const read = numericReader(col, f.column);
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (Number.isNaN(v)) miss++;
          x[i * size + f.offset] = Number.isNaN(v) ? f.mean : v;
        }
        break;
      }
      case 'onehot': {
        const read = categoryReader(col, f.column);
        const slot = new Map(f.categories.map((c, j) => [c, j]));
        const other = f.categories.length;
        for (let i = 0; i < n; i++) {
          const v = read(rowList[i]!);
          if (v === null) miss++;
          x[i * size + f.offset + (v === null ? other : (slot.get(v) ?? other))] = 1;
        }
        break;
      }
      case 'bagOfWords': {
        const read = textReader(col, f.column);
        const slot = new Map(f.vocabulary.map((w, j) => [w, j]));
        for (let i = 0; i < n; i++) {
          const s = read(rowList[i]!);
          if (s === null) {
            miss++;
            continue;
          }
          for (const t of tokenize(s)) {
            const j = slot.get(t);
            if (j !== undefined) x[i * size + f.offset + j] = 1;
          }
        }
        break;
      }
      case 'tokens': {
        const read = textReader(col, f.column);
        const ids = new Map(f.vocabulary.map((w, j) => [w, j + 2]));
        for (let i = 0; i < n; i++) {
          const s = read(rowList[i]!);
          if (s === null) {
            miss++;
            continue; // all padding
          }
          const tokens = tokenize(s);
          // keep the beginning; the rest stays 0 (padding)
          for (let t = 0; t < Math.min(tokens.length, f.length); t++) x[i * size + t] = ids.get(tokens[t]!) ?? 1;
        }
        break;
      }
      case 'image': {
        if (col.type !== 'image') throw new TrainError('bad-encoding', { column: f.column }, `Column "${f.column}" does not hold images`);
        if (!options.decode) throw new TrainError('bad-encoding', { column: f.column }, `Column "${f.column}" holds images, but no image decoder was given`);
        for (let i = 0; i < n; i++) {
          const r = rowList[i]!;
          const bytes = col.values[r];
          if (!bytes) throw missingImage(f.column, r);
          const img = await decodeChecked(options.decode, bytes, f.column, r);
          if (img.width !== f.width || img.height !== f.height) {
            throw new TrainError(
              'mixed-image-sizes',
              { column: f.column, row: r + 1, params: { expected: `${f.width}x${f.height}`, actual: `${img.width}x${img.height}` } },
              `Column "${f.column}", row ${r + 1}: the image is ${img.width}x${img.height}, but the model takes ${f.width}x${f.height} images; resize it first`,
            );
          }
          writePixels(f, img, x, i * size);
        }
        break;
      }
    }
    missing[f.column] = miss;
  }

  const withLabels = options.labels ?? table.columns.has(stats.label.column);
  const y = withLabels ? encodeLabels(stats.label, table, rowList) : null;
  return { rows: n, x, featureShape, y, missing };
}

function encodeLabels(label: LabelStats, table: ColumnTable, rows: ArrayLike<number>): Int32Array | Float32Array {
  const col = getColumn(table, label.column);
  if (label.task === 'classification') {
    const read = labelReader(col, label.column);
    const index = new Map(label.classes.map((c, j) => [c, j]));
    const y = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = read(rows[i]!);
      if (v === null) throw missingLabel(label.column, rows[i]!);
      const j = index.get(v);
      if (j === undefined) {
        throw new TrainError(
          'unknown-class',
          { column: label.column, row: rows[i]! + 1, params: { value: v } },
          `Label column "${label.column}", row ${rows[i]! + 1}: class "${v}" does not occur in the training split`,
        );
      }
      y[i] = j;
    }
    return y;
  }
  const read = numericReader(col, label.column);
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = read(rows[i]!);
    if (Number.isNaN(v)) throw missingLabel(label.column, rows[i]!);
    y[i] = (v - label.mean) / label.std;
  }
  return y;
}

type ImageStats = Extract<FeatureStats, { encoding: 'image' }>;

/** Pixels -> [0, 1] floats in the feature's channel layout, at out[at...]. */
function writePixels(f: ImageStats, img: DecodedImage, out: Float32Array, at: number): void {
  const src = img.channels ?? 4;
  const d = img.data;
  const pixels = img.width * img.height;
  for (let p = 0; p < pixels; p++) {
    const s = p * src;
    if (f.channels === 1) {
      // Rec. 601 luma, the usual grayscale conversion (and exact for gray RGB)
      const v = src <= 2 ? d[s]! : 0.299 * d[s]! + 0.587 * d[s + 1]! + 0.114 * d[s + 2]!;
      out[at + p] = v / 255;
    } else {
      const o = at + p * 3;
      if (src <= 2) out[o] = out[o + 1] = out[o + 2] = d[s]! / 255;
      else {
        out[o] = d[s]! / 255;
        out[o + 1] = d[s + 1]! / 255;
        out[o + 2] = d[s + 2]! / 255;
      }
    }
  }
}

/** One decoded image (a drawn digit, a camera frame) as model input, with the size check. */
export function imageToInput(stats: PreprocessStats, img: DecodedImage): Float32Array {
  const f = stats.features[0];
  if (!f || f.encoding !== 'image') throw new TrainError('bad-encoding', {}, 'This model does not take images');
  if (img.width !== f.width || img.height !== f.height) {
    throw new TrainError('mixed-image-sizes', { column: f.column }, `The image is ${img.width}x${img.height}, but the model takes ${f.width}x${f.height} images`);
  }
  const out = new Float32Array(f.slots);
  writePixels(f, img, out, 0);
  return out;
}

/** Model outputs (standardized) back to the label's units. */
export function decodeRegression(label: LabelStats, values: ArrayLike<number>): Float32Array {
  if (label.task !== 'regression') throw new TrainError('bad-encoding', { column: label.column }, 'Not a regression label');
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * label.std + label.mean;
  return out;
}
