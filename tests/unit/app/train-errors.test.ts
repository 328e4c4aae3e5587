/**
 * Training errors whose cause varies (core/model/errors.ts TrainErrorWhy) are said in zh-TW by their
 * params.why, not by the core's English sentence; an engine's own words stay out of the zh-TW text.
 */
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../../src/core/model/bundle';
import { trainErrorWhy, type TrainErrorWhy } from '../../../src/core/model/errors';
import { validateSpec, type ModelSpec } from '../../../src/core/model/model-spec';
import { fitPreprocess, imageToInput } from '../../../src/core/model/preprocess';
import { invalidSpecError } from '../../../src/core/model/errors';
import { specIssueText } from '../../../src/app/spec-issue';
import { splitRows } from '../../../src/core/model/split';
import { errorMessage } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';
import { catalogs } from '../../../src/app/i18n/catalog';
import { englishWords, thrown } from './error-helpers';


async function rejected(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('did not throw');
    },
    (e: unknown) => e,
  );
}

afterAll(() => {
  i18n.locale = 'en';
});

describe('training errors said by their why', () => {
  it('has a zh-TW phrase without an English sentence for every why', () => {
    const zh = catalogs['zh-TW'];
    const keys = Object.keys(zh).filter((k) => k.startsWith('train.why.')) as (keyof typeof zh)[];
    expect(keys.length).toBeGreaterThan(50);
    const english = keys.map((k) => [k, englishWords(zh[k])] as const).filter(([, words]) => words.length > 0);
    expect(english).toEqual([]);
  });

  it('says one error of each code in zh-TW without an English sentence, and in English as before', async () => {
    const badJson = zipSync({ 'model.json': strToU8('{"format": ') });
    const samples: Record<keyof TrainErrorWhy, unknown> = {
      'bad-encoding': await rejected(fitPreprocess({} as never, [0], { features: ['mass', 'mass'], label: 'species', task: 'classification' })),
      'bad-split': thrown(() => splitRows(10, { seed: 1, fractions: { train: 0.5, validation: 0.2, test: 0.2 } })),
      'invalid-spec': trainErrorWhy('invalid-spec', 'issues', { layer: 1, params: { count: 2 } }, 'Layer 2 (Dense): units must be a positive integer (got 0)\nOutput: the head needs a flat input'),
      'bad-checkpoint': trainErrorWhy('bad-checkpoint', 'optimizer-state', { params: { detail: 'Shape mismatch in v1' } }, 'The optimizer state does not fit: Shape mismatch in v1'),
      'bad-model-json': thrown(() => readBundle(badJson)),
      'weight-size': trainErrorWhy('weight-size', 'shape', { file: 'model.json', weight: 'dense/kernel', params: { expected: '[4, 8]', actual: '[4, 3]' } }, 'Weight "dense/kernel" is [4, 3] in model.json, but its layer needs [4, 8]'),
      'bad-metadata': trainErrorWhy('bad-metadata', 'outputs', { file: 'metadata.json', params: { expected: 3, actual: '2' } }, 'metadata.json names 3 outputs, but the model has 2'),
    };
    i18n.locale = 'zh-TW';
    const said = Object.fromEntries(Object.entries(samples).map(([code, e]) => [code, errorMessage(e)]));
    for (const [code, text] of Object.entries(said)) expect(englishWords(text), `${code}: ${text}`).toEqual([]);
    expect(said['bad-encoding']).toBe('欄位「mass」不能這樣使用：它被選了兩次。');
    expect(said['bad-split']).toBe('無法切分資料：切分比例不能為負，且總和必須為 1（目前為 0.5 + 0.2 + 0.2 = 0.9）。');
    // JSON.parse's and TF.js's own words are left out of the zh-TW text
    expect(said['bad-model-json']).toBe('model.json 不是可用的 TF.js Layers 模型：它不是有效的 JSON。');
    expect(said['bad-checkpoint']).toBe('檢查點與此模型不符：最佳化器的狀態與此模型不符。');

    i18n.locale = 'en';
    expect(errorMessage(samples['bad-checkpoint'])).toBe('The checkpoint does not fit this model: the optimizer state does not fit: Shape mismatch in v1');
    expect(errorMessage(samples['bad-model-json'])).toMatch(/^model\.json is not a usable TF\.js Layers model: it is not valid JSON \(.+\)$/);
    expect(errorMessage(samples['invalid-spec'])).toBe('The model cannot be built: Layer 2 (Dense): units must be a positive integer (got 0)\nOutput: the head needs a flat input');
    expect(errorMessage(samples['bad-metadata'])).toBe('metadata.json is not Pipette model metadata: it names 3 outputs, but the model has 2');
  });

  it('says a code without a why by its message, as before', () => {
    i18n.locale = 'en';
    const plain = JSON.parse(JSON.stringify(trainErrorWhy('bad-split', 'empty-train', {}, 'The training split has no rows'))) as { details: { params: Record<string, unknown> } };
    delete plain.details.params.why;
    expect(errorMessage(plain)).toBe('The split cannot be made: The training split has no rows');
  });

  it('says a bad encoding of the features as a whole in words of its own, with no empty column', async () => {
    const none = await rejected(fitPreprocess({} as never, [0], { features: [], label: 'species', task: 'classification' }));
    const notImages = thrown(() => imageToInput({ features: [{ column: 'mass', encoding: 'standardize' }] } as never, { width: 1, height: 1 } as never));
    i18n.locale = 'zh-TW';
    expect(errorMessage(none)).toBe('無法建立模型的輸入：請至少選擇一個特徵欄位。');
    expect(errorMessage(notImages)).toBe('無法建立模型的輸入：這個模型不接受影像輸入。');
    i18n.locale = 'en';
    expect(errorMessage(none)).toBe("The model's input cannot be made: choose at least one feature column");
    expect(errorMessage(notImages)).toBe("The model's input cannot be made: this model does not take images");
    // a column still names it
    const twice = await rejected(fitPreprocess({} as never, [0], { features: ['mass', 'mass'], label: 'species', task: 'classification' }));
    expect(errorMessage(twice)).toBe('Column "mass" cannot be used this way: it is chosen twice');
  });

  it('lists an invalid spec\'s problems by code in both languages', () => {
    const mnist: ModelSpec = { version: 1, input: { kind: 'image', height: 28, width: 28, channels: 1 }, layers: [{ type: 'dense', units: 0 }], head: { kind: 'classification', classes: 1 } };
    const issues = validateSpec(mnist);
    expect(issues.map((i) => i.code)).toEqual(['positive-int', 'rank', 'head-classes']);
    const error = JSON.parse(JSON.stringify(invalidSpecError(issues)));
    i18n.locale = 'zh-TW';
    const zh = errorMessage(error);
    expect(zh).toBe(`無法建立模型：${issues.map(specIssueText).join('\n')}`);
    expect(zh).toContain('第 1 層（Dense）：');
    expect(zh).toContain('輸出：');
    expect(zh.split('\n')).toHaveLength(3);
    expect(englishWords(zh), zh).toEqual([]);
    i18n.locale = 'en';
    // the English catalog says each problem as the core's English message did
    expect(errorMessage(error)).toBe(`The model cannot be built: ${issues.map((i) => i.message).join('\n')}`);
  });

  it('says an invalid-spec error stored without its issues by its count in zh-TW', () => {
    const stored = JSON.parse(JSON.stringify(trainErrorWhy('invalid-spec', 'issues', { params: { count: 2 } }, 'Layer 1 (Dense): units must be a positive integer (got 0)')));
    i18n.locale = 'zh-TW';
    expect(errorMessage(stored)).toBe('無法建立模型：模型的層有 2 個問題。');
  });
});
