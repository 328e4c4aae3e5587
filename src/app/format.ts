/** Formatting for people: sizes, dates, and errors in the current language. */
import { DataError, isSerializedDataError, type DataErrorCode } from '../core/data/errors';
import { TrainError, isSerializedTrainError, type TrainErrorCode } from '../core/model/errors';
import { OptimizeError, type OptimizeErrorCode } from '../core/optimize/errors';
import { EvalError, isSerializedEvalError, type EvalErrorCode } from '../core/evaluate/errors';
import { i18n, n, t } from './i18n.svelte';
import { catalogs, type MessageKey } from './i18n/catalog';

export function bytes(size: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${n(value, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}

export function date(ms: number): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** A message for anything thrown, naming file, row and column for data errors. */
export function errorMessage(e: unknown): string {
  const data = e instanceof DataError ? e.toJSON() : isSerializedDataError(e) ? e : undefined;
  if (data) {
    const { file, row, column, params = {} } = data.details;
    const values: Record<string, string | number> = { ...params, file, row: row ?? '?' };
    if (typeof params.size === 'number') values.size = bytes(params.size);
    if (typeof params.limit === 'number') values.limit = bytes(params.limit);
    if (data.code === 'bad-json') values.where = row ? ` (row ${n(row)})` : '';
    values.detail ??= '';
    const key = `error.${data.code satisfies DataErrorCode}` as MessageKey;
    const column_ = column && !['ragged-row'].includes(data.code) ? t('error.column', { column }) : '';
    return t(key, values) + column_;
  }
  const train = e instanceof TrainError ? e.toJSON() : isSerializedTrainError(e) ? e : undefined;
  if (train) return trainErrorMessage(train.code, train.details, train.message);
  const optimize = e instanceof OptimizeError ? e.toJSON() : isSerializedKind(e, 'OptimizeError') ? (e as ReturnType<OptimizeError['toJSON']>) : undefined;
  if (optimize) return optimizeErrorMessage(optimize.code, optimize.details, optimize.message);
  const evaluation = e instanceof EvalError ? e.toJSON() : isSerializedEvalError(e) ? e : undefined;
  if (evaluation) return evalErrorMessage(evaluation.code, evaluation.details, evaluation.message);
  const message = e instanceof Error ? e.message : String(e);
  return t('error.generic', { message });
}

/**
 * A TrainError in the person's language: the column, row, file or weight it names, plus (for codes whose
 * cause varies) the worker's own English detail.
 */
function trainErrorMessage(code: TrainErrorCode, details: TrainError['details'], message: string): string {
  const { column = '', row, file = '', weight = '', params = {} } = details;
  const detail = message.replace(/^This is not a zip file: /, '');
  const values: Record<string, string | number> = { value: '', expected: '', actual: '', dtype: '', ...params, column, row: row ?? '?', file, weight, detail };
  return t(`train.error.${code}` as MessageKey, values);
}

function isSerializedKind(x: unknown, kind: string): boolean {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === kind;
}

/** An OptimizeError in the person's language, the setting it is about named by its form label. */
function optimizeErrorMessage(code: OptimizeErrorCode, details: OptimizeError['details'], message: string): string {
  const { field = '', layer = '', weight = '', params = {} } = details;
  const fieldKey = `optimize.field.${field}`;
  const fieldLabel = field && fieldKey in catalogs.en ? t(fieldKey as MessageKey) : field;
  // the core's English sentence after its first colon is the specific cause (the labels, the shapes)
  const detail = message.includes(': ') ? message.slice(message.indexOf(': ') + 2) : message;
  const values: Record<string, string | number> = { value: '', end: '', steps: '', column: '', ...params, field: fieldLabel, layer, weight, detail };
  return t(`optimize.error.${code satisfies OptimizeErrorCode}` as MessageKey, values);
}

/**
 * An EvalError in the person's language, naming the column (and class, version or part) it is about;
 * 'bad-option' carries the worker's own English detail, since its cause varies.
 */
function evalErrorMessage(code: EvalErrorCode, details: EvalError['details'], message: string): string {
  const { column = '', params = {} } = details;
  const part = typeof params.part === 'string' && ['train', 'validation', 'test', 'all'].includes(params.part) ? t(`evaluate.part.${params.part}` as MessageKey) : '';
  const values: Record<string, string | number> = { what: '', expected: '', actual: '', value: '', index: '', class: '', version: '', ...params, part, column, detail: message };
  // the stale gate names model versions: the one compared with and production now ('' is none)
  for (const key of ['compared', 'production'] as const) {
    if (key in params) values[key] = params[key] === '' ? t('evaluate.registry.noVersion') : `v${params[key]}`;
  }
  return t(`evaluate.error.${code}` as MessageKey, values);
}
