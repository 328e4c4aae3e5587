/**
 * The one error registry (core/coded-errors.ts): every kind crosses the worker boundary as its own class
 * with code and details, and every kind is said in zh-TW without an English sentence.
 */
import * as Comlink from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { CODED_ERRORS, type CodedErrorKind } from '../../../src/core/coded-errors';
import { DataError } from '../../../src/core/data/errors';
import { EvalError } from '../../../src/core/evaluate/errors';
import { lfSpecError } from '../../../src/core/label/errors';
import { TrainError } from '../../../src/core/model/errors';
import { TransformError } from '../../../src/core/transform/errors';
import { OptimizeError } from '../../../src/core/optimize/errors';
import { PipelineError } from '../../../src/core/pipeline/errors';
import { ProjectFileError } from '../../../src/core/project-file/errors';
import { missing, type RecordError } from '../../../src/core/record-error';
import { SelectError } from '../../../src/core/select/errors';
import { servingError } from '../../../src/core/serving/errors';
import { ValidateError } from '../../../src/core/validate/errors';
import { TuneError } from '../../../src/core/tune/errors';
import { parseSchema, SchemaError } from '../../../src/core/validate/schema';
import { installErrorTransfer } from '../../../src/protocol/errors';
import { errorMessage, schemaIssueText } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';
import { catalogs } from '../../../src/app/i18n/catalog';
import { englishWords } from './error-helpers';

/** One error of each registered kind, as a stage would throw it. */
const SAMPLES: Record<CodedErrorKind, Error> = {
  DataError: new DataError('ragged-row', { file: 'penguins.csv', row: 12 , params: { expected: 7, actual: 6 } }, 'row 12: 6 fields, but the header has 7'),
  EvalError: new EvalError('baseline-rows', { params: { row: 4 } }, "Row 4 is missing from the baseline's data"),
  LabelError: lfSpecError('lf-1', 'lf-bad-regex', 'invalid regular expression: Nothing to repeat', { pattern: '*a', detail: 'Nothing to repeat' }),
  OptimizeError: new OptimizeError('diverged', { params: { what: 'distillation' } }, 'Distillation diverged'),
  PipelineError: new PipelineError('kind-mismatch', { component: 'trainer', port: 'transform_graph', params: { expected: 'TransformGraph', from: 'statistics_gen', output: 'statistics', actual: 'Statistics' } }, 'trainer.transform_graph expects TransformGraph but statistics_gen.statistics gives Statistics'),
  ProjectFileError: new ProjectFileError('checksum', { params: { entry: 'tables/batches/0001.bin', table: 'batches' } }, 'entry tables/batches/0001.bin of table batches was altered'),
  RecordError: missing('model-version', 'm-123'),
  SelectError: new SelectError('negative-feature', { column: 'balance', params: { row: 7, value: -2.5 } }, 'chi2 needs non-negative features: column "balance" holds -2.5 at row 7'),
  ServingError: servingError('bad-log-line', 'Request log line 3: latency_ms is not a duration of 0 ms or more', { line: 3, field: 'latency_ms' }),
  TrainError: new TrainError('not-resumable', { params: { name: 'iris run', status: 'done' } }, 'Run "iris run" is done'),
  TransformError: new TransformError('wrong-input-kind', { step: 'scaled', column: 'comment', params: { kind: 'string', expected: 'number' } }, 'Step "scaled" (z_score) cannot read "comment", which is string (it reads number)'),
  TuneError: new TuneError('bad-value', { param: 'units', params: { path: 'layers[2].units', value: 0 } }, 'units: layers[2].units cannot hold 0'),
  ValidateError: new ValidateError('no-schema', {}, 'this project has no schema yet'),
};

afterAll(() => {
  i18n.locale = 'en';
});

describe('the error registry', () => {
  it('has a sample of every registered kind (a new kind needs one here)', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(CODED_ERRORS).sort());
  });

  it('every kind crosses a worker boundary as the same class with its code, details and message', () => {
    installErrorTransfer();
    const handler = Comlink.transferHandlers.get('throw')!;
    for (const [kind, error] of Object.entries(SAMPLES)) {
      const [wire] = handler.serialize({ value: error } as never);
      const back = (() => {
        try {
          handler.deserialize(structuredClone(wire));
        } catch (e) {
          return e;
        }
      })();
      expect(back, kind).toBeInstanceOf(CODED_ERRORS[kind as CodedErrorKind]);
      expect(back, kind).toMatchObject({ kind, code: (error as RecordError).code, details: (error as RecordError).details, message: error.message });
    }
  });

  it('says every kind in zh-TW by its code, naming the place, with no English sentence', () => {
    i18n.locale = 'zh-TW';
    const said = Object.fromEntries(Object.entries(SAMPLES).map(([kind, e]) => [kind, errorMessage(e)]));
    expect(said.DataError).toBe('penguins.csv 第 12 列：有 6 個欄位，但標題列有 7 個。');
    expect(said.ProjectFileError).toBe('專案檔已被修改或損壞：其項目 tables/batches/0001.bin（資料表 batches）與 SHA-256 檢查碼不符。');
    expect(said.RecordError).toBe('模型版本「m-123」不存在（可能已在其他分頁中刪除）。');
    expect(said.TrainError).toBe('訓練執行「iris run」的狀態是 已完成；只有中斷的訓練執行才能繼續。'.replace('已完成', catalogs['zh-TW']['train.status.done']));
    expect(said.OptimizeError).toMatch(/^蒸餾發散/);
    expect(said.LabelError).toBe('正規表示式 *a 無效，瀏覽器無法編譯。');
    expect(said.SelectError).toBe('chi2 需要非負的數值（次數、頻率或 one-hot 欄位），但欄位「balance」在第 7 列的值是 -2.5。');
    expect(said.ServingError).toBe('請求記錄第 3 行：欄位「latency_ms」缺少，或不是記錄格式所規定的內容。');
    expect(said.PipelineError).toBe('trainer.transform_graph 需要 TransformGraph，但 statistics_gen.statistics 產出的是 Statistics。');
    expect(said.TransformError).toBe('步驟「scaled」無法讀取「comment」，它是文字；此步驟讀取的是數值。');
    expect(said.TuneError).toBe('units：「第 3 層的單元」不能是 0。');
    for (const [kind, text] of Object.entries(said)) expect(englishWords(text), `${kind}: ${text}`).toEqual([]);
    i18n.locale = 'en';
    expect(errorMessage(SAMPLES.LabelError)).toBe('The regular expression *a is not valid: Nothing to repeat');
  });

  it('says an error received as plain data (a failed run stored in IndexedDB) like the thrown one', () => {
    i18n.locale = 'zh-TW';
    const stored = JSON.parse(JSON.stringify(new TrainError('diverged', {}, 'Training diverged')));
    expect(errorMessage(stored)).toBe(catalogs['zh-TW']['train.error.diverged']);
  });

  it('says an uncoded error as a fault of Pipette, in the person\'s language, with the detail apart', () => {
    i18n.locale = 'zh-TW';
    expect(errorMessage(new Error('boom'))).toBe('Pipette 內部發生錯誤（這是程式的問題，請回報）。技術細節：boom');
  });

  it('says a schema file\'s problems in zh-TW by their codes', () => {
    i18n.locale = 'zh-TW';
    let issues: SchemaError['issues'] = [];
    try {
      parseSchema({ format: 'pipette-schema', version: 1, features: [{ name: 'mass', type: 'number', presence: { required: true, minFraction: 0.5 }, domain: { kind: 'range', min: '5', max: null } }] });
    } catch (e) {
      issues = (e as SchemaError).issues;
    }
    expect(issues.map((i) => `${i.path}: ${schemaIssueText(i)}`)).toEqual([
      'features[0].presence.minFraction: required 為 true 時必須是 1，實際是 0.5',
      'features[0].domain.min: 應為數值，實際是文字 "5"',
    ]);
  });

  it('has zh-TW error messages with no English sentence in them', () => {
    const zh = catalogs['zh-TW'];
    // the causes of errors whose cause varies (train.why, evaluate.why, optimize.why) too
    const errorKeys = Object.keys(zh).filter((k) => /(^|\.)error\.|^record\.|^schema\.|^\w+\.why\./.test(k)) as (keyof typeof zh)[];
    expect(errorKeys.length).toBeGreaterThan(250);
    const english = errorKeys.map((k) => [k, englishWords(zh[k])] as const).filter(([, words]) => words.length > 0);
    expect(english).toEqual([]);
  });
});
