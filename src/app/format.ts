/** Formatting for people: sizes, dates, and errors in the current language. */
import { codedErrorData, type CodedErrorKind, type SerializedOf } from '../core/coded-errors';
import { COLUMN_TYPES } from '../core/data/types';
import type { SchemaIssue } from '../core/validate/schema';
import type { BackendRefusal } from '../store/training-records';
import type { BackendUnavailable } from '../core/train/backend-types';
import type { NotZipWhat } from '../core/model/bundle';
import type { TrainErrorWhy } from '../core/model/errors';
import { i18n, n, t } from './i18n.svelte';
import { isMessageKey, type MessageKey } from './i18n/catalog';

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

/**
 * A message for anything thrown, in the person's language. Coded errors (core/coded-errors.ts) are said by
 * their code and the place they name; anything else is a fault in Pipette itself, said as such, with the
 * engine's own words only as a detail for a bug report.
 */
export function errorMessage(e: unknown): string {
  const coded = codedErrorData(e);
  if (coded) return (MESSAGES[coded.kind] as (e: typeof coded) => string)(coded);
  const message = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
  return t('error.internal', { message });
}

type Values = Record<string, string | number>;

/** Each registered kind's messages; the compiler asks for a new kind's entry here. */
const MESSAGES: { [K in CodedErrorKind]: (e: SerializedOf<K>) => string } = {
  DataError: ({ code, details }) => {
    const { file, row, column, params = {} } = details;
    const values: Values = { ...params, file, row: row ?? '?' };
    if (typeof params.size === 'number') values.size = bytes(params.size);
    if (typeof params.limit === 'number') values.limit = bytes(params.limit);
    if (code === 'bad-json') values.where = row ? t('error.atRow', { row: n(row) }) : '';
    values.detail ??= '';
    const at = column && code !== 'ragged-row' ? t('error.column', { column }) : '';
    return t(`error.${code}`, values) + at;
  },

  // the column, row, file or weight it names, plus (for codes whose cause varies) the worker's own detail
  TrainError: ({ code, details, message }) => {
    const { column = '', row, file = '', weight = '', params = {} } = details;
    if (code === 'backend-unavailable') return t('train.error.backend-unavailable', { backend: String(params.backend), why: backendUnavailableText(params.reason as BackendUnavailable, String(params.detail ?? '')) });
    if (code === 'not-zip') return t('train.error.not-zip', { what: t(`train.notZip.${params.what as NotZipWhat}`, { format: String(params.format ?? '') }) });
    if (code === 'no-backend') return t('train.error.no-backend', { backend: String(params.backend), why: backendRefusal(params.why as BackendRefusal, params) });
    const detail = params.why !== undefined && isWhyCode(code) ? whyText(code, { detail: message, column, file, weight, ...params }) : message;
    const statusKey = `train.status.${params.status}`;
    const status = isMessageKey(statusKey) ? t(statusKey) : '';
    return t(`train.error.${code}`, { value: '', expected: '', actual: '', dtype: '', ...params, status, column, row: row ?? '?', file, weight, detail });
  },

  // the setting it is about named by its form label; after the core's first colon, the specific cause
  OptimizeError: ({ code, details, message }) => {
    const { field = '', layer = '', weight = '', params = {} } = details;
    const fieldKey = `optimize.field.${field}`;
    const fieldLabel = field && isMessageKey(fieldKey) ? t(fieldKey) : field;
    const detail = message.includes(': ') ? message.slice(message.indexOf(': ') + 2) : message;
    const what = code === 'diverged' && (params.what === 'fine-tuning' || params.what === 'distillation') ? t(`optimize.diverged.${params.what}`) : '';
    return t(`optimize.error.${code}`, { value: '', end: '', steps: '', column: '', ...params, what, field: fieldLabel, layer, weight, detail });
  },

  // the column (and class, version or part); 'bad-option' carries the worker's own detail, its cause varies
  EvalError: ({ code, details, message }) => {
    const { column = '', params = {} } = details;
    const part = params.part === 'train' || params.part === 'validation' || params.part === 'test' || params.part === 'all' ? t(`evaluate.part.${params.part}`) : '';
    const values: Values = { what: '', expected: '', actual: '', value: '', index: '', class: '', version: '', row: '', ...params, part, column, detail: message };
    // the stale gate names model versions: the one compared with and production now ('' is none)
    for (const key of ['compared', 'production'] as const) {
      if (key in params) values[key] = params[key] === '' ? t('evaluate.registry.noVersion') : `v${params[key]}`;
    }
    return t(`evaluate.error.${code}`, values);
  },

  LabelError: ({ code, details }) => {
    const params = details.params ?? {};
    return t(`label.error.${code}`, { label: '', last: '', detail: '', value: '', op: '', column: '', row: '', rows: '', class: '', ...params });
  },

  ValidateError: ({ code, details }) => {
    const { column = '', params = {} } = details;
    const type = typeof params.type === 'string' ? columnTypeName(params.type) : '';
    return t(`validate.error.${code}`, { arrow: '', ...params, type, column });
  },

  RecordError: ({ code, details }) => {
    const { what, id = '', params = {} } = details;
    const values: Values = { ...params, id, what: what ? t(`record.what.${what}`) : '' };
    if (code === 'cannot-move') return t(params.why === 'not-single' ? 'record.error.cannot-move.not-single' : 'record.error.cannot-move.other-project');
    return t(`record.error.${code}`, values);
  },

  // the step and the column or step it reads; kinds and column types by name
  TransformError: ({ code, details }) => {
    const { step = '', column = '', params = {} } = details;
    const kind = (k: string) => {
      const key = `transform.kind.${k}`;
      return isMessageKey(key) ? t(key) : k;
    };
    const values: Values = { index: '', op: '', min: '', max: '', actual: '', param: '', choices: '', dim: '', ...params, step, column };
    values.kind = kind(String(params.kind ?? ''));
    values.expected = String(params.expected ?? '').split(', ').map(kind).join(', ');
    values.type = typeof params.type === 'string' ? columnTypeName(params.type) : '';
    if (code === 'wrong-input-count' && params.min === params.max) return t('transform.error.wrong-input-count.exact', values);
    return t(`transform.error.${code}`, values);
  },
};

/** Each why-code's catalog key; the template literals make a missing train.why phrase a compile error. */
const WHY_KEY: { [C in keyof TrainErrorWhy]: (why: TrainErrorWhy[C]) => MessageKey } = {
  'bad-encoding': (why) => `train.why.bad-encoding.${why}`,
  'bad-split': (why) => `train.why.bad-split.${why}`,
  'invalid-spec': (why) => `train.why.invalid-spec.${why}`,
  'bad-checkpoint': (why) => `train.why.bad-checkpoint.${why}`,
  'bad-model-json': (why) => `train.why.bad-model-json.${why}`,
  'weight-size': (why) => `train.why.weight-size.${why}`,
  'bad-metadata': (why) => `train.why.bad-metadata.${why}`,
};

function isWhyCode(code: string): code is keyof TrainErrorWhy {
  return code in WHY_KEY;
}

/**
 * A TrainError's cause (params.why) in the person's language. {detail} is the English message, or an
 * engine's own words in params.detail; only the English phrases show it.
 */
function whyText(code: keyof TrainErrorWhy, values: Values): string {
  // the why arrived over the wire as a string; it is one of this code's whys
  const key = (WHY_KEY[code] as (why: unknown) => MessageKey)(values.why);
  const type = typeof values.type === 'string' ? columnTypeName(values.type) : '';
  // fractions without float noise (0.8999999999999999); whole numbers stay numbers for {n, plural, ...}
  const numbers = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? n(v, { maximumFractionDigits: 6 }) : v]));
  return t(key, { ...numbers, type });
}

/** Why a backend cannot be used here (core/train/backend-types.ts BackendUnavailable), with TF.js's words. */
export function backendUnavailableText(reason: BackendUnavailable, detail = ''): string {
  return t(`train.backendUnavailable.${reason}`, { detail });
}

/** Why a backend was not used for a run (store/training-records.ts BackendRefusal), with its detail. */
export function backendRefusal(why: BackendRefusal, c: { maxAbsDiff?: number | string; diff?: number | string; error?: string; detail?: number | string }): string {
  const diff = c.maxAbsDiff ?? c.diff;
  return t(`train.backendWhy.${why}`, { diff: typeof diff === 'number' ? n(diff, { maximumSignificantDigits: 3 }) : (diff ?? '?'), detail: String(c.error ?? c.detail ?? '') });
}

function columnTypeName(type: string): string {
  const key = `type.${type}`;
  return isMessageKey(key) ? t(key) : type;
}

/** A schema file's problem (core/validate/schema.ts) in the person's language; the field's path is apart. */
export function schemaIssueText(issue: SchemaIssue): string {
  const p = issue.params;
  let text: string;
  switch (issue.code) {
    case 'expected': {
      const { wanted, got, value } = issue.expected!;
      text = t('schema.issue.expected', { wanted: t(`schema.wanted.${wanted}`, { types: COLUMN_TYPES.join(', ') }), got: t(`schema.got.${got}`, { value }) });
      if (wanted === 'format') text += t('schema.issue.formatHint');
      break;
    }
    case 'domain-kind':
      text = t(`schema.issue.domain-kind.${p.domain === 'range' ? 'range' : 'values'}`, { type: columnTypeName(String(p.type)) });
      break;
    default:
      text = t(`schema.issue.${issue.code}`, { detail: '', name: '', previous: '', value: '', min: '', max: '', ...p });
  }
  return text;
}
