/** Formatting for people: sizes, dates, and errors in the current language. */
import { codedErrorData, type CodedErrorKind, type SerializedOf } from '../core/coded-errors';
import { COLUMN_TYPES } from '../core/data/types';
import type { SchemaIssue } from '../core/validate/schema';
import type { BackendCandidate, BackendRefusal } from '../store/training-records';
import type { BackendUnavailable } from '../core/train/backend-types';
import type { NotZipWhat } from '../core/model/bundle';
import type { TrainErrorWhy } from '../core/model/errors';
import type { EvalErrorWhy } from '../core/evaluate/errors';
import type { OptimizeErrorWhy } from '../core/optimize/errors';
import type { Expected } from '../core/pipeline/errors';
import type { SpecIssue } from '../core/model/model-spec';
import { i18n, n, t } from './i18n.svelte';
import { isMessageKey, type MessageKey } from './i18n/catalog';
import { specIssueText } from './spec-issue';
import { tuneErrorText } from './tune-space-text';
import type { TuneErrorCode } from '../core/tune/errors';

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

  // the column, row, file or weight it names, plus (for codes whose cause varies) the cause by params.why
  TrainError: ({ code, details, message }) => {
    const { column = '', row, file = '', weight = '', params = {}, issues } = details;
    if (code === 'backend-unavailable') return t('train.error.backend-unavailable', { backend: String(params.backend), why: backendUnavailableText(params.reason as BackendUnavailable, String(params.detail ?? '')) });
    if (code === 'not-zip') return t('train.error.not-zip', { what: t(`train.notZip.${params.what as NotZipWhat}`, { format: String(params.format ?? '') }) });
    if (code === 'no-backend') return t('train.error.no-backend', { backend: String(params.backend), why: backendRefusal(params.why as BackendRefusal, params) });
    // an invalid-spec error stored before it carried its issues by code
    const uncoded = code === 'invalid-spec' && params.why === 'issues' && !issues;
    const why = uncoded ? t('train.why.invalid-spec.uncoded', { detail: message, count: params.count ?? '?' }) : whyText(TRAIN_WHY, code, { detail: message, column, file, weight, ...params, issues: specIssueList(issues) });
    const statusKey = `train.status.${params.status}`;
    const status = isMessageKey(statusKey) ? t(statusKey) : '';
    // a cause about the features as a whole (none chosen, or an image for a model without images) names no column
    const key = code === 'bad-encoding' && !column ? 'train.error.bad-encoding.noColumn' : (`train.error.${code}` as const);
    return t(key, { value: '', expected: '', actual: '', dtype: '', ...params, status, column, row: row ?? '?', file, weight, detail: why ?? message });
  },

  // the setting it is about named by its form label, the cause by params.why; a bad-option why is a sentence of its own
  OptimizeError: ({ code, details, message }) => {
    const { field = '', layer = '', weight = '', params = {}, issues } = details;
    const why = whyText(OPTIMIZE_WHY, code, { ...params, layer, weight, issues: specIssueList(issues) });
    if (code === 'bad-option' && why !== undefined) return why;
    const fieldKey = `optimize.field.${field}`;
    const fieldLabel = field && isMessageKey(fieldKey) ? t(fieldKey) : field;
    const detail = why ?? message;
    const what = code === 'diverged' && (params.what === 'fine-tuning' || params.what === 'distillation') ? t(`optimize.diverged.${params.what}`) : '';
    return t(`optimize.error.${code}`, { value: '', end: '', steps: '', column: '', ...params, what, field: fieldLabel, layer, weight, detail });
  },

  // the column (and class, version or part); 'bad-option' says its cause by params.why
  EvalError: ({ code, details, message }) => {
    const { column = '', params = {} } = details;
    if (code === 'input-mismatch' && !column) return t('evaluate.error.input-mismatch.nocolumn');
    const part = params.part === 'train' || params.part === 'validation' || params.part === 'test' || params.part === 'all' ? t(`evaluate.part.${params.part}`) : '';
    const detail = whyText(EVAL_WHY, code, { ...params, column }) ?? message;
    const values: Values = { expected: '', actual: '', value: '', index: '', class: '', version: '', row: '', ...params, what: evalWhat(params.what), part, column, detail };
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
    const { step = '', column = '', row = '', params = {} } = details;
    const kind = (k: string) => {
      const key = `transform.kind.${k}`;
      return isMessageKey(key) ? t(key) : k;
    };
    const values: Values = { index: '', op: '', min: '', max: '', actual: '', param: '', choices: '', dim: '', ...params, step, column, row };
    values.kind = kind(String(params.kind ?? ''));
    values.expected = String(params.expected ?? '').split(', ').map(kind).join(', ');
    values.type = typeof params.type === 'string' ? columnTypeName(params.type) : '';
    if (code === 'wrong-input-count' && params.min === params.max) return t('transform.error.wrong-input-count.exact', values);
    return t(`transform.error.${code}`, values);
  },

  // the feature or column, the row; the option, the part of the rows, the task and what was counted by name
  SelectError: ({ code, details }) => {
    const { column = '', field, params = {} } = details;
    const values: Values = { row: '', value: '', classes: '', rows: '', needed: '', method: '', feature: '', last: '', expected: '', actual: '', class: '', ...params, column };
    values.field = field ? t(`select.field.${field}`) : '';
    values.part = params.part === 'train' || params.part === 'validation' ? t(`select.part.${params.part}`) : '';
    values.task = params.task === 'classification' || params.task === 'regression' ? t(`select.task.${params.task}`) : '';
    values.what = params.what === 'values' || params.what === 'column-names' || params.what === 'target' ? t(`select.what.${params.what}`) : '';
    return t(`select.error.${code}`, values);
  },

  // TF Serving's status by its code; a request log's line and field (the field is the log format's own name)
  ServingError: ({ code, details }) => {
    if (code === 'bad-log-line') return t(details.field === 'json' ? 'serving.error.bad-log-line.json' : 'serving.error.bad-log-line', { line: details.line ?? '?', field: details.field ?? '' });
    return t(`serving.error.${code}`, { status: details.status });
  },

  // the entry, table, record and field of the file that is wrong
  ProjectFileError: ({ code, details }) => {
    const params = details.params ?? {};
    const values: Values = { entry: '', table: '', record: '', field: '', version: '', supported: '', expected: '', actual: '', ...params };
    if (code === 'truncated') return t(params.entry ? 'projectFile.error.truncated.entry' : 'projectFile.error.truncated', values);
    if (code === 'foreign') return t(params.why === 'no-manifest' || params.why === 'format' ? `projectFile.error.foreign.${params.why}` : 'projectFile.error.foreign.bad-manifest');
    if (code === 'bad-record' && !params.field) return t('projectFile.error.bad-record.value', values);
    return t(`projectFile.error.${code}`, values);
  },

  // the component and its port or field; what a field should have been by name (component types and
  // artifact kinds keep TFX's names)
  PipelineError: ({ code, details }) => {
    const { component = '', port = '', field = '', params = {} } = details;
    const values: Values = { detail: '', format: '', version: '', supported: '', type: '', from: '', output: '', expected: '', actual: '', kind: '', after: '', components: '', dataset: '', id: '', problem: '', trials: '', ...params, component, port, field };
    if (code === 'bad-field' || code === 'bad-settings') values.expected = t(`pipeline.expected.${params.expected as Expected}`, { choices: '', min: '', max: '', ...params });
    if (code === 'bad-settings' && field === '') return t('pipeline.error.bad-settings.root', values);
    if (code === 'cycle' && port !== '') return t('pipeline.error.cycle.port', values);
    if (code === 'bad-tune') {
      // the Tune stage's own words for the problem of the Tuner's space or search
      const { tuneCode, param, tuneField, ...tuneParams } = params;
      values.problem = tuneErrorText({ code: tuneCode as TuneErrorCode, details: { ...(param ? { param: String(param) } : {}), ...(tuneField ? { field: String(tuneField) } : {}), params: tuneParams } });
    }
    return t(`pipeline.error.${code}`, values);
  },

  // the hyperparameter and the place it sets, or the search setting
  TuneError: (e) => tuneErrorText(e),
};

/** Each why-code's catalog key, for each code of a kind that has a why union. */
type WhyKeys<W> = { [C in keyof W]: (why: W[C]) => MessageKey };

// The template literals make a missing why phrase a compile error.
const TRAIN_WHY: WhyKeys<TrainErrorWhy> = {
  'bad-encoding': (why) => `train.why.bad-encoding.${why}`,
  'bad-split': (why) => `train.why.bad-split.${why}`,
  'invalid-spec': (why) => `train.why.invalid-spec.${why}`,
  'bad-checkpoint': (why) => `train.why.bad-checkpoint.${why}`,
  'bad-model-json': (why) => `train.why.bad-model-json.${why}`,
  'weight-size': (why) => `train.why.weight-size.${why}`,
  'bad-metadata': (why) => `train.why.bad-metadata.${why}`,
};

const EVAL_WHY: WhyKeys<EvalErrorWhy> = {
  'bad-option': (why) => `evaluate.why.bad-option.${why}`,
};

const OPTIMIZE_WHY: WhyKeys<OptimizeErrorWhy> = {
  'cannot-quantize': (why) => `optimize.why.cannot-quantize.${why}`,
  'label-mismatch': (why) => `optimize.why.label-mismatch.${why}`,
  'bad-option': (why) => `optimize.why.bad-option.${why}`,
};

/**
 * An error's cause (params.why, in `values`) in the person's language, or undefined when its code has no
 * why or it carries none. {detail} is the English message, or an engine's own words in params.detail;
 * only the English phrases show it.
 */
function whyText<W>(table: WhyKeys<W>, code: string, values: Values): string | undefined {
  if (values.why === undefined || !Object.hasOwn(table, code)) return undefined;
  // the why arrived over the wire as a string; it is one of this code's whys
  const key = (table[code as keyof W] as (why: unknown) => MessageKey)(values.why);
  const type = typeof values.type === 'string' ? columnTypeName(values.type) : '';
  // fractions without float noise (0.8999999999999999); whole numbers stay numbers for {n, plural, ...}
  const numbers = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? n(v, { maximumFractionDigits: 6 }) : v]));
  return t(key, { ...numbers, type });
}

/** A model spec's problems (an invalid-spec or invalid student error), one a line in the person's language. */
function specIssueList(issues: readonly SpecIssue[] | undefined): string {
  return issues ? issues.map(specIssueText).join('\n') : '';
}

/** What an EvalError counts (params.what): a word from the catalog, or a column's own name as it is. */
export function evalWhat(what: string | number | undefined): string {
  const key = `evaluate.what.${what}`;
  return isMessageKey(key) ? t(key) : String(what ?? '');
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

/** A backend's parity check against cpu in a run's backend table: cpu is the reference; one not checked (unavailable) has none. */
export function candidateParity(c: Pick<BackendCandidate, 'name' | 'parityOk'>): string {
  if (c.name === 'cpu') return t('train.run.parityReference');
  if (c.parityOk === undefined) return '—';
  return t(c.parityOk ? 'train.run.parityOk' : 'train.run.parityFailed');
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
