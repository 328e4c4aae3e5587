import { describe, expect, it } from 'vitest';
import { buildBatch, type ColumnValues, type NamedColumn } from '../../../src/core/data/arrow';
import { encodePng } from '../../../src/core/data/png';
import { TrainError } from '../../../src/core/model/errors';
import {
  decodeRegression,
  encode,
  fitPreprocess,
  imageToInput,
  labelValues,
  tableFromBatches,
  tableFromRecords,
  tokenize,
  type ColumnTable,
  type PreprocessOptions,
} from '../../../src/core/model/preprocess';
import { splitRows } from '../../../src/core/model/split';
import { decodePng } from '../train/helpers';

function bits(present: boolean[]): Uint8Array | null {
  if (present.every(Boolean)) return null;
  const v = new Uint8Array((present.length + 7) >> 3);
  present.forEach((p, i) => p && (v[i >> 3]! |= 1 << (i & 7)));
  return v;
}

function num(values: (number | null)[]): ColumnValues {
  return { type: 'number', values: Float64Array.from(values, (v) => v ?? NaN), validity: bits(values.map((v) => v !== null)) };
}

function cat(values: (string | null)[]): ColumnValues {
  const dictionary = [...new Set(values.filter((v): v is string => v !== null))];
  return {
    type: 'categorical',
    indices: Int32Array.from(values, (v) => (v === null ? 0 : dictionary.indexOf(v))),
    dictionary,
    validity: bits(values.map((v) => v !== null)),
  };
}

function bool(values: (boolean | null)[]): ColumnValues {
  return { type: 'boolean', values: Uint8Array.from(values, (v) => (v ? 1 : 0)), validity: bits(values.map((v) => v !== null)) };
}

function text(values: (string | null)[]): ColumnValues {
  return { type: 'text', values };
}

function lengthOf(c: ColumnValues): number {
  return c.type === 'categorical' ? c.indices.length : c.values.length;
}

function table(...batches: NamedColumn[][]): ColumnTable {
  return tableFromBatches(batches.map((cols) => buildBatch(cols, lengthOf(cols[0]!.values))));
}

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<TrainError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(TrainError);
    return e as TrainError;
  }
  throw new Error('expected a TrainError');
}

// Two record batches, so columns are flattened and categorical dictionaries merged across batches.
// Rows 0-3 train, rows 4-5 test.
const penguins = table(
  [
    { name: 'mass', values: num([1, 2, null, 3]) },
    { name: 'island', values: cat(['b', 'a', 'b', null]) },
    { name: 'male', values: bool([true, false, null, true]) },
    { name: 'species', values: cat(['x', 'y', 'x', 'y']) },
  ],
  [
    { name: 'mass', values: num([10, null]) },
    { name: 'island', values: cat(['c', 'a']) },
    { name: 'male', values: bool([false, true]) },
    { name: 'species', values: cat(['y', 'x']) },
  ],
);
const train = [0, 1, 2, 3];
const options: PreprocessOptions = { features: ['mass', 'island', 'male'], label: 'species', task: 'classification' };

describe('fitPreprocess + encode: tabular', () => {
  it('standardizes with training statistics, one-hots with the training vocabulary, booleans 0/1', async () => {
    const stats = await fitPreprocess(penguins, train, options);
    // mass on training rows: 1, 2, 3 (row 2 missing): mean 2, population std sqrt(((1-2)^2 + 0 + (3-2)^2) / 3) = sqrt(2/3)
    const std = Math.sqrt(2 / 3);
    expect(stats.features[0]).toMatchObject({ encoding: 'standardize', mean: 2, missingInTrain: 1, offset: 0, slots: 1 });
    expect(stats.features[0]!.encoding === 'standardize' && stats.features[0].std).toBeCloseTo(std, 12);
    // island: training values b, a, b (+ a missing) -> categories sorted [a, b] + other
    expect(stats.features[1]).toMatchObject({ encoding: 'onehot', categories: ['a', 'b'], missingInTrain: 1, offset: 1, slots: 3 });
    // male: true, false, true of 3 present -> mean 2/3
    expect(stats.features[2]).toMatchObject({ encoding: 'boolean', missingInTrain: 1, offset: 4, slots: 1 });
    expect(stats.features[2]!.encoding === 'boolean' && stats.features[2].mean).toBeCloseTo(2 / 3, 12);
    expect(stats.label).toEqual({ column: 'species', sourceType: 'categorical', task: 'classification', classes: ['x', 'y'], counts: [2, 2] });
    expect(stats.input).toEqual({ kind: 'tabular', features: 5 });
    expect(stats.slotNames).toEqual(['mass', 'island=a', 'island=b', 'island=<other>', 'male']);
    expect(stats.warnings.join('\n')).toMatch(/"mass": 1 missing training values are replaced by the training mean/);

    const enc = await encode(stats, penguins, [0, 2, 3, 4, 5]);
    expect(enc.featureShape).toEqual([5]);
    const rows = Array.from({ length: 5 }, (_, i) => Array.from(enc.x.subarray(i * 5, i * 5 + 5)));
    const f = (v: number) => Math.fround(v);
    expect(rows[0]).toEqual([f(-1 / std), 0, 1, 0, 1]); // mass 1, island b, male
    expect(rows[1]).toEqual([0, 0, 1, 0, f(2 / 3)]); // mass missing -> mean -> 0; male missing -> 2/3
    expect(rows[2]).toEqual([f(1 / std), 0, 0, 1, 1]); // island missing -> other slot
    expect(rows[3]).toEqual([f(8 / std), 0, 0, 1, 0]); // test row: mass 10 scaled with the TRAINING mean/std; island c unseen -> other
    expect(rows[4]).toEqual([0, 1, 0, 0, 1]);
    expect(Array.from(enc.y!)).toEqual([0, 0, 1, 1, 0]);
    expect(enc.y).toBeInstanceOf(Int32Array);
    expect(enc.missing).toEqual({ mass: 2, island: 1, male: 1 });
  });

  it('the stats are plain JSON: a round trip encodes identically', async () => {
    const stats = await fitPreprocess(penguins, train, options);
    const copy = JSON.parse(JSON.stringify(stats));
    expect(copy).toEqual(stats);
    expect((await encode(copy, penguins)).x).toEqual((await encode(stats, penguins)).x);
  });

  it('encodes a plain row (the predict panel) like the same dataset row', async () => {
    const stats = await fitPreprocess(penguins, train, options);
    const rows = tableFromRecords([{ mass: '10', island: 'c', male: false }], { mass: 'number', island: 'categorical', male: 'boolean' });
    const one = await encode(stats, rows);
    expect(one.y).toBeNull();
    expect(one.x).toEqual((await encode(stats, penguins, [4])).x);
  });

  it('sorts numeric classes numerically', async () => {
    const t = table([{ name: 'x', values: num([1, 2, 3, 4]) }, { name: 'k', values: num([10, 2, 10, 9]) }]);
    const stats = await fitPreprocess(t, [0, 1, 2, 3], { features: ['x'], label: 'k', task: 'classification' });
    expect(stats.label.task === 'classification' && stats.label.classes).toEqual(['2', '9', '10']);
  });

  it('regression targets are standardized, and decodeRegression undoes it', async () => {
    const t = table([{ name: 'x', values: num([1, 2, 3, 4]) }, { name: 'y', values: num([10, 20, 30, 40]) }]);
    const stats = await fitPreprocess(t, [0, 1, 2, 3], { features: ['x'], label: 'y', task: 'regression' });
    // mean 25, population std sqrt((225 + 25 + 25 + 225) / 4) = sqrt(125)
    expect(stats.label).toMatchObject({ task: 'regression', mean: 25 });
    const enc = await encode(stats, t);
    expect(enc.y).toBeInstanceOf(Float32Array);
    expect(enc.y![0]).toBeCloseTo(-15 / Math.sqrt(125), 6);
    expect(Array.from(decodeRegression(stats.label, enc.y!)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([10, 20, 30, 40]);
  });

  it('datetimes standardize as milliseconds; booleans can be one-hot', async () => {
    const day = 86_400_000;
    const t = table([
      { name: 'when', values: { type: 'datetime', values: Float64Array.from([0, day, 2 * day, 3 * day]), validity: null } },
      { name: 'flag', values: bool([true, false, true, true]) },
      { name: 'k', values: cat(['a', 'b', 'a', 'b']) },
    ]);
    const stats = await fitPreprocess(t, [0, 1, 2, 3], { features: ['when', { column: 'flag', encoding: 'onehot' }], label: 'k', task: 'classification' });
    expect(stats.features[0]).toMatchObject({ encoding: 'standardize', sourceType: 'datetime', mean: 1.5 * day });
    expect(stats.features[1]).toMatchObject({ encoding: 'onehot', categories: ['false', 'true'] });
    // the predict panel may type a date: ISO text and milliseconds encode the same
    const typed = tableFromRecords([{ when: '1970-01-03T00:00:00Z', flag: true }, { when: 2 * day, flag: 'true' }], { when: 'datetime', flag: 'boolean' });
    const enc = await encode(stats, typed);
    expect(enc.x.subarray(0, 4)).toEqual(enc.x.subarray(4, 8)); // 1 date slot + 3 one-hot slots per row
    expect(() => tableFromRecords([{ when: 'soon' }], { when: 'datetime' })).toThrow('Column "when", row 1: "soon" is not a date');
  });
});

describe('bad input: clear errors naming the column', () => {
  it('a label with one class in the training split', async () => {
    const t = table([{ name: 'x', values: num([1, 2, 3]) }, { name: 'species', values: cat(['a', 'a', 'b']) }]);
    const e = await thrown(fitPreprocess(t, [0, 1], { features: ['x'], label: 'species', task: 'classification' }));
    expect(e.code).toBe('one-class');
    expect(e.details.column).toBe('species');
    expect(e.message).toBe('Label column "species" has only one class ("a") in the training split; a classifier needs at least two');
  });

  it('a constant regression target', async () => {
    const t = table([{ name: 'x', values: num([1, 2]) }, { name: 'y', values: num([5, 5]) }]);
    expect((await thrown(fitPreprocess(t, [0, 1], { features: ['x'], label: 'y', task: 'regression' }))).code).toBe('one-class');
  });

  it('text in a numeric feature names the row and the value', async () => {
    const t = table([{ name: 'price', values: text(['1.5', ' 2 ', 'abc', '']) }, { name: 'k', values: cat(['a', 'b', 'a', 'b']) }]);
    const e = await thrown(fitPreprocess(t, [0, 1, 2, 3], { features: [{ column: 'price', encoding: 'standardize' }], label: 'k', task: 'classification' }));
    expect(e.code).toBe('not-numeric');
    expect(e.details).toMatchObject({ column: 'price', row: 3 });
    expect(e.message).toBe('Column "price", row 3: "abc" is not a number');
    // "NaN" spelled out is text, too
    const t2 = table([{ name: 'price', values: text(['1', 'NaN']) }, { name: 'k', values: cat(['a', 'b']) }]);
    expect((await thrown(fitPreprocess(t2, [0, 1], { features: [{ column: 'price', encoding: 'standardize' }], label: 'k', task: 'classification' }))).message).toContain('"NaN" is not a number');
    // numbers as text are fine; '' is missing
    const ok = await fitPreprocess(t, [0, 1, 3], { features: [{ column: 'price', encoding: 'standardize' }], label: 'k', task: 'classification' });
    expect(ok.features[0]).toMatchObject({ mean: 1.75, missingInTrain: 1 });
  });

  it('an infinity in a numeric feature', async () => {
    const t = table([{ name: 'x', values: num([1, Infinity]) }, { name: 'k', values: cat(['a', 'b']) }]);
    const e = await thrown(fitPreprocess(t, [0, 1], { features: ['x'], label: 'k', task: 'classification' }));
    expect(e).toMatchObject({ code: 'non-finite', details: { column: 'x', row: 2 } });
  });

  it('missing and unseen labels, missing columns, label as a feature, wrong encodings', async () => {
    const t = table([{ name: 'x', values: num([1, 2, 3, 4]) }, { name: 'k', values: cat(['a', 'b', null, 'c']) }]);
    expect(await thrown(fitPreprocess(t, [0, 1, 2], { features: ['x'], label: 'k', task: 'classification' }))).toMatchObject({ code: 'missing-label', details: { row: 3 } });
    const stats = await fitPreprocess(t, [0, 1], { features: ['x'], label: 'k', task: 'classification' });
    expect(await thrown(encode(stats, t, [3]))).toMatchObject({ code: 'unknown-class', message: 'Label column "k", row 4: class "c" does not occur in the training split' });
    expect(await thrown(fitPreprocess(t, [0, 1], { features: ['nope'], label: 'k', task: 'classification' }))).toMatchObject({ code: 'missing-column', details: { column: 'nope' } });
    expect(await thrown(fitPreprocess(t, [0, 1], { features: ['x', 'k'], label: 'k', task: 'classification' }))).toMatchObject({ code: 'bad-encoding' });
    expect((await thrown(fitPreprocess(t, [0, 1], { features: [{ column: 'x', encoding: 'image' }], label: 'k', task: 'classification' }))).message).toBe(
      'Column "x" is number; it cannot be encoded as image',
    );
  });
});

describe('text', () => {
  const docs = table([
    { name: 'body', values: text(['Cheap pills, cheap!', 'Meeting at noon', 'cheap watches', null, 'Lunch at noon?']) },
    { name: 'spam', values: bool([true, false, true, false, false]) },
  ]);

  it('tokenizes letters and digits in any script, lower-cased', () => {
    expect(tokenize("Héllo, WORLD 42 — naïve-test; 東京")).toEqual(['héllo', 'world', '42', 'naïve', 'test', '東京']);
  });

  it('bag of words: document-frequency vocabulary from training rows, multi-hot slots', async () => {
    const stats = await fitPreprocess(docs, [0, 1, 2, 3], { features: ['body'], label: 'spam', task: 'classification', text: { maxVocabulary: 3 } });
    // document frequencies: cheap 2, then 1 each (alphabetical tie order): at, meeting, noon, pills, watches
    expect(stats.features[0]).toMatchObject({ encoding: 'bagOfWords', vocabulary: ['at', 'cheap', 'meeting'], missingInTrain: 1 });
    expect(stats.label.task === 'classification' && stats.label.classes).toEqual(['false', 'true']);
    const enc = await encode(stats, docs);
    expect(Array.from(enc.x)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('tokens: ids 2.. for the vocabulary, 1 unknown, 0 padding, fixed length', async () => {
    const stats = await fitPreprocess(docs, [0, 1, 2, 3], { features: ['body'], label: 'spam', task: 'classification', text: { mode: 'tokens', sequenceLength: 4 } });
    expect(stats.input).toEqual({ kind: 'tokens', length: 4, vocabSize: 2 + 6 });
    const f = stats.features[0]!;
    expect(f.encoding === 'tokens' && f.vocabulary).toEqual(['cheap', 'at', 'meeting', 'noon', 'pills', 'watches']);
    const enc = await encode(stats, docs);
    expect(enc.featureShape).toEqual([4]);
    // "Lunch at noon?" -> lunch (unknown) 1, at 3, noon 5, padding 0
    expect(Array.from(enc.x.subarray(16, 20))).toEqual([1, 3, 5, 0]);
    // "Cheap pills, cheap!" -> 2, 6, 2, 0
    expect(Array.from(enc.x.subarray(0, 4))).toEqual([2, 6, 2, 0]);
  });

  it('token ids must be the only feature', async () => {
    const t = table([{ name: 'a', values: text(['x y', 'y']) }, { name: 'b', values: num([1, 2]) }, { name: 'k', values: cat(['p', 'q']) }]);
    const e = await thrown(fitPreprocess(t, [0, 1], { features: [{ column: 'a', encoding: 'tokens' }, 'b'], label: 'k', task: 'classification' }));
    expect(e.message).toBe('Column "a" is encoded as token ids, which must be the only feature (remove the other 1)');
  });
});

describe('images', () => {
  function gray(w: number, h: number, v: number) {
    return encodePng(new Uint8Array(w * h).fill(v), w, h, 1);
  }
  function rgba(w: number, h: number, rgb: [number, number, number]) {
    const px = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) px.set([...rgb, 255], i * 4);
    return encodePng(px, w, h, 4);
  }
  const imgTable = (images: Uint8Array[], labels: string[]) =>
    table([
      { name: 'img', values: { type: 'image', values: images } },
      { name: 'digit', values: cat(labels) },
    ]);

  it('grayscale images become [h, w, 1] in [0, 1]', async () => {
    const t = imgTable([gray(3, 2, 0), gray(3, 2, 255), gray(3, 2, 51)], ['0', '1', '0']);
    const stats = await fitPreprocess(t, [0, 1], { features: ['img'], label: 'digit', task: 'classification' }, decodePng);
    expect(stats.input).toEqual({ kind: 'image', height: 2, width: 3, channels: 1 });
    const enc = await encode(stats, t, null, { decode: decodePng });
    expect(enc.featureShape).toEqual([2, 3, 1]);
    expect(Array.from(enc.x.subarray(0, 6))).toEqual(new Array(6).fill(0));
    expect(Array.from(enc.x.subarray(6, 12))).toEqual(new Array(6).fill(1));
    expect(enc.x[12]).toBeCloseTo(0.2, 6);
  });

  it('colour images stay RGB; grayscale asked of colour uses luma', async () => {
    const t = imgTable([rgba(2, 2, [255, 0, 0]), rgba(2, 2, [0, 0, 255])], ['r', 'b']);
    const stats = await fitPreprocess(t, [0, 1], { features: ['img'], label: 'digit', task: 'classification' }, decodePng);
    expect(stats.input).toMatchObject({ channels: 3 });
    const enc = await encode(stats, t, [0], { decode: decodePng });
    expect(Array.from(enc.x.subarray(0, 3))).toEqual([1, 0, 0]);
    const grayStats = await fitPreprocess(t, [0, 1], { features: ['img'], label: 'digit', task: 'classification', image: { channels: 1 } }, decodePng);
    expect((await encode(grayStats, t, [0], { decode: decodePng })).x[0]).toBeCloseTo(0.299, 6);
    // a drawn image (already pixels) through the same conversion
    expect(imageToInput(grayStats, { width: 2, height: 2, data: new Uint8Array(16).fill(255) })).toEqual(new Float32Array(4).fill(1));
  });

  it('mixed sizes: refused when fitting, naming both rows and sizes', async () => {
    const t = imgTable([gray(4, 4, 0), gray(4, 4, 9), gray(5, 4, 9)], ['a', 'b', 'a']);
    const e = await thrown(fitPreprocess(t, [0, 1, 2], { features: ['img'], label: 'digit', task: 'classification' }, decodePng));
    expect(e.code).toBe('mixed-image-sizes');
    expect(e.message).toBe('Column "img": images have different sizes (row 1 is 4x4, row 3 is 5x4); resize them to one size first');
  });

  it('mixed sizes: a test image of another size is refused when encoding', async () => {
    const t = imgTable([gray(4, 4, 0), gray(4, 4, 9), gray(5, 4, 9)], ['a', 'b', 'a']);
    const stats = await fitPreprocess(t, [0, 1], { features: ['img'], label: 'digit', task: 'classification' }, decodePng);
    const e = await thrown(encode(stats, t, [2], { decode: decodePng }));
    expect(e).toMatchObject({ code: 'mixed-image-sizes', details: { column: 'img', row: 3 } });
  });

  it('undecodable bytes and a missing decoder', async () => {
    const t = imgTable([gray(2, 2, 0), new Uint8Array([1, 2, 3])], ['a', 'b']);
    expect(await thrown(fitPreprocess(t, [0, 1], { features: ['img'], label: 'digit', task: 'classification' }))).toMatchObject({ code: 'bad-encoding' });
    const stats = await fitPreprocess(t, [0], { features: ['img'], label: 'digit', task: 'classification', image: { channels: 1 } }, decodePng).catch((e) => e);
    // a one-class training split is refused before any image is looked at
    expect(stats).toMatchObject({ code: 'one-class' });
    const t2 = imgTable([gray(2, 2, 0), gray(2, 2, 1), new Uint8Array([1, 2, 3])], ['a', 'b', 'a']);
    const ok = await fitPreprocess(t2, [0, 1], { features: ['img'], label: 'digit', task: 'classification' }, decodePng);
    expect(await thrown(encode(ok, t2, [2], { decode: decodePng }))).toMatchObject({ code: 'bad-image', details: { row: 3 } });
  });
});

describe('labelValues feeds the split', () => {
  it('rows with a missing label are left out of every part', () => {
    const t = table([{ name: 'x', values: num([1, 2, 3, 4, 5, 6]) }, { name: 'k', values: cat(['a', null, 'b', 'a', 'b', null]) }]);
    const labels = labelValues(t, 'k', 'classification');
    expect(labels).toEqual(['a', null, 'b', 'a', 'b', null]);
    const s = splitRows(6, { seed: 1, labels, fractions: { train: 0.5, validation: 0, test: 0.5 } });
    expect([...s.excluded]).toEqual([1, 5]);
    expect(s.train.length + s.test.length).toBe(4);
  });
});
