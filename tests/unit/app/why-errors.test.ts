/**
 * Evaluation and optimization errors whose cause varies (EvalErrorWhy, OptimizeErrorWhy) are said by their
 * params.why in the person's language, naming the place, instead of the core's English sentence.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { binaryTarget, calibrationCurve } from '../../../src/core/evaluate/curves';
import { checkLength, evalErrorWhy, type BadOptionWhy, type EvalErrorDetails } from '../../../src/core/evaluate/errors';
import { thresholdSweep } from '../../../src/core/evaluate/fairness';
import { assignSlices } from '../../../src/core/evaluate/slice-assign';
import { validateSpec } from '../../../src/core/model/model-spec';
import { checkDistillation } from '../../../src/core/optimize/distill';
import { optimizeErrorWhy, type OptimizeErrorDetails, type OptimizeErrorWhy } from '../../../src/core/optimize/errors';
import { quantizeWeights } from '../../../src/core/optimize/quantize';
import { errorMessage } from '../../../src/app/format';
import { specIssueText } from '../../../src/app/spec-issue';
import { i18n } from '../../../src/app/i18n.svelte';
import { catalogs, type Locale } from '../../../src/app/i18n/catalog';
import { distillWarningText } from '../../../src/app/optimize-forms.svelte';
import { explainError } from '../../../src/ui/evaluate/explain-format';
import { englishWords, thrown } from './error-helpers';

/** A value as the page writes it: whole numbers as they are, fractions (and Infinity) by Intl. */
function shown(v: string | number, locale: Locale): string {
  return typeof v === 'number' && !Number.isInteger(v) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(v) : String(v);
}

/**
 * One error of each why, with the place it names: every value given must appear in the text. The Record
 * types make a why without a sample a compile error; the catalog test below makes a phrase without a why
 * (or a why without a phrase) a failure.
 */
const BAD_OPTION: Record<BadOptionWhy, EvalErrorDetails> = {
  bins: { params: { bins: 0 } },
  bootstrap: { params: { samples: 1, level: 1.5, min: 2 } },
  'bootstrap-samples': { params: { samples: -1 } },
  'min-count': { params: { minCount: 0 } },
  'no-thresholds': {},
  threshold: { params: { threshold: Infinity } },
  thresholds: {},
  sweep: { params: { from: 0.9, to: 0.1, step: 0.1 } },
  'top-n': { column: 'island', params: { topN: 0 } },
  buckets: { column: 'mass', params: { buckets: 0 } },
  'cut-points': { column: 'mass' },
  repeats: { params: { repeats: 0 } },
  'ig-steps': { params: { steps: 0, batchSize: 32, tolerance: 0.05 } },
  'shap-budget': { params: { samples: 1 } },
  'feature-columns': { column: 'island', params: { last: 6 } },
  'label-class': { params: { label: 7, row: 3, classes: 4 } },
  'curve-outputs': { params: { outputs: 3 } },
  output: { params: { output: 5, outputs: 3 } },
  'positive-class': { params: { positiveClass: 4, classes: 3 } },
  'unknown-class': { params: { class: 'Gentoo' } },
  row: { params: { row: 12 } },
  'no-dataset': {},
  'slice-images': { column: 'photo' },
  'curves-regression': {},
  'fairness-regression': {},
  'counterfactual-regression': {},
  'importance-input': {},
  'shap-input': {},
  'ig-tokens': {},
};

const SPEC_ISSUES = validateSpec({ version: 1, input: { kind: 'tabular', features: 4 }, layers: [{ type: 'dense', units: 0 }], head: { kind: 'classification', classes: 3 } });

const OPTIMIZE: { [C in keyof OptimizeErrorWhy]: Record<OptimizeErrorWhy[C], OptimizeErrorDetails> } = {
  'cannot-quantize': {
    'weight-data': { weight: 'dense/kernel' },
    'byte-count': { params: { bytes: 40, listed: 36 } },
    'non-finite': { weight: 'dense/kernel', params: { index: 3, value: 'NaN' } },
    'float16-range': { weight: 'dense/kernel', params: { value: 70000.5, max: 65504 } },
    'nothing-worth': { params: { minElements: 512 } },
  },
  'label-mismatch': {
    'missing-labels': { params: { missing: '"d", "e"', missingCount: 2 } },
    'extra-labels': { params: { extra: '"c"', extraCount: 1 } },
    'missing-and-extra': { params: { missing: '"d"', extra: '"c"' } },
    'duplicate-label': {},
    outputs: { params: { teacher: 3, student: 4 } },
    'unknown-class': { params: { column: 'species', value: 'Gentoo' } },
  },
  'bad-option': {
    'no-teacher-spec': { field: 'student' },
    'invalid-student': { field: 'student', issues: SPEC_ISSUES },
    'empty-train': {},
    'early-stopping': { field: 'earlyStopping' },
  },
};

type Details = EvalErrorDetails & OptimizeErrorDetails;

const samples: { key: string; error: Error; details: Details }[] = [
  ...Object.entries(BAD_OPTION).map(([why, details]) => ({ key: `evaluate.why.bad-option.${why}`, error: evalErrorWhy('bad-option', why as BadOptionWhy, details, 'English for logs'), details })),
  ...Object.entries(OPTIMIZE).flatMap(([code, whys]) =>
    Object.entries(whys as Record<string, OptimizeErrorDetails>).map(([why, details]) => ({
      key: `optimize.why.${code}.${why}`,
      error: optimizeErrorWhy(code as keyof OptimizeErrorWhy, why as never, details, 'English for logs'),
      details,
    })),
  ),
];

/** The values an error names: its column or weight, its params but the why, its spec issues as said. */
function places(details: Details, locale: Locale): string[] {
  const { column, weight, params = {}, issues = [] } = details;
  const named = Object.values(params).map((v) => shown(v, locale));
  return [...(column ? [column] : []), ...(weight ? [weight] : []), ...named, ...issues.map(specIssueText)];
}

afterAll(() => {
  i18n.locale = 'en';
});

describe('evaluation and optimization errors said by their why', () => {
  it('has a phrase in both languages for every why and no phrase without a why', () => {
    const keys = (locale: Locale) => Object.keys(catalogs[locale]).filter((k) => /^(evaluate|optimize)\.why\./.test(k)).sort();
    const expected = samples.map((s) => s.key).sort();
    expect(expected).toHaveLength(44);
    expect(keys('en')).toEqual(expected);
    expect(keys('zh-TW')).toEqual(expected);
  });

  it('says every why in zh-TW without an English sentence, naming the place, and in English too', () => {
    for (const locale of ['zh-TW', 'en'] as const) {
      i18n.locale = locale;
      for (const { key, error, details } of samples) {
        const text = errorMessage(error);
        expect(text, key).not.toContain('English for logs');
        expect(text, key).not.toMatch(/\{\w+\}/);
        if (locale === 'zh-TW') expect(englishWords(text), `${key}: ${text}`).toEqual([]);
        for (const place of places(details, locale)) expect(text, key).toContain(place);
        if (details.column && locale === 'zh-TW') expect(text, key).toContain(`「${details.column}」`);
      }
    }
  });

  it('says the errors real code throws by their why', () => {
    const sweep = thrown(() => thresholdSweep(0.9, 0.1, 0.1));
    const curve = thrown(() => binaryTarget([0, 1], [0.1, 0.2, 0.7, 0.3, 0.3, 0.4], 3));
    const bins = thrown(() => calibrationCurve([1, 0], [0.8, 0.2], { bins: 0 }));
    const cuts = thrown(() => assignSlices({ column: 'mass', kind: 'numeric', cuts: [3, 1] }, { mass: [1, 2] }, 2));
    const float32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
    const small = thrown(() => quantizeWeights([{ name: 'bias', shape: [2], dtype: 'float32' }], float32([1, 2]), { dtype: 'uint8', minElements: 4 }));
    const big = thrown(() => quantizeWeights([{ name: 'dense/kernel', shape: [2], dtype: 'float32' }], float32([1, 1e6]), { dtype: 'float16', minElements: 0 }));
    const teacher = { metadata: { name: 'iris', task: 'classification', labels: ['a', 'b', 'c'] } as never, params: 100, inputShape: [4] };
    const labels = thrown(() => checkDistillation(teacher, { labels: ['a', 'b', 'd'], params: 50, inputShape: [4] }));
    const inputs = thrown(() => checkDistillation(teacher, { labels: ['a', 'b', 'c'], params: 50, inputShape: [5] }));

    i18n.locale = 'zh-TW';
    expect(errorMessage(sweep)).toBe('無法計算：門檻掃描的起點不可大於終點，且步距必須為正（目前是 0.9 到 0.1，步距 0.1）。');
    expect(errorMessage(curve)).toBe('無法計算：二元曲線需要有 1 或 2 個輸出的模型；這個模型有 3 個。');
    expect(errorMessage(bins)).toBe('無法計算：分箱數必須是正整數（目前是 0）。');
    expect(errorMessage(cuts)).toBe('無法計算：欄位「mass」的分組切點必須是有限的數值，且嚴格遞增。');
    expect(errorMessage(small)).toBe('此模型無法以這種方式量化：每個 float32 權重的值都少於 4 個（或已被略過），量化後大小不會改變。');
    expect(errorMessage(big)).toBe('此模型無法以這種方式量化：權重「dense/kernel」有絕對值為 1000000 的值，超過 float16 的最大值 65504；請改用 8 位元或 16 位元的仿射量化。');
    expect(errorMessage(labels)).toBe('標籤不相符：教師模型不認得 "d"，而且還會預測這份資料沒有的 "c"。');
    expect(errorMessage(inputs)).toBe('教師與學生模型的輸入不同：教師模型的輸入形狀是 4，學生模型是 5；兩者必須讀取相同的編碼特徵。');

    i18n.locale = 'en';
    expect(errorMessage(labels)).toBe('The labels do not match: the teacher does not know "d", and it also predicts "c", which this data does not have');
    expect(errorMessage(cuts)).toBe('This cannot be computed: the bucket cut points of column "mass" must be finite and strictly ascending');
  });

  it('says a setting out of range by the field and its value, a bad-option why as a sentence of its own', () => {
    i18n.locale = 'zh-TW';
    const alpha = optimizeErrorWhy('bad-option', 'early-stopping', { field: 'earlyStopping' }, 'Early stopping cannot be used while pruning');
    expect(errorMessage(alpha)).toBe(catalogs['zh-TW']['optimize.why.bad-option.early-stopping']);
    const dtype = thrown(() => quantizeWeights([], new Uint8Array(), { dtype: 'int4' as never }));
    expect(errorMessage(dtype)).toBe('量化類型 超出範圍（得到 int4）。');
  });

  it('says the explanation tabs\' errors the same way, and what a length or value error counts in zh-TW', () => {
    i18n.locale = 'zh-TW';
    const row = evalErrorWhy('bad-option', 'row', { params: { row: 12 } }, 'Row 12 is not in the evaluation set');
    expect(explainError(row)).toBe('無法計算：第 12 列不在評估資料中。');
    const scores = thrown(() => checkLength('scores', 3, 4));
    expect(errorMessage(scores)).toBe('預期 4 個分數，實際為 3 個。');
    expect(explainError(scores)).toBe('資料對不上：分數 有 3 個值，預期為 4 個。');
  });

  it('says a finished distillation\'s warning by its code', () => {
    const teacher = { metadata: { name: 'iris', task: 'classification', labels: ['a', 'b'] } as never, params: 1200, inputShape: [4] };
    const [warning] = checkDistillation(teacher, { labels: ['b', 'a'], params: 1500, inputShape: [4] }).warnings;
    i18n.locale = 'zh-TW';
    expect(distillWarningText(warning!)).toBe('警告：學生模型的參數（1,500 個）比教師模型（1,200 個）多；蒸餾的目的是讓模型變小。');
    i18n.locale = 'en';
    expect(distillWarningText(warning!)).toBe('Warning: the student has more parameters (1,500) than its teacher (1,200); distillation is meant to make a model smaller.');
  });
});
