/**
 * Errors about the project's stored records, shared by every stage: a project, dataset version, run,
 * model version, schema or label set that a request names but that does not exist (any more: another
 * tab may have deleted it), or a write the store refuses. Like the stage errors it carries a code and
 * what it is about, so the page can say it in the person's language; the English message is for logs.
 */
import { CodedError } from './errors';

export type RecordErrorCode =
  | 'missing' // params.what names the kind of record, params.id (or name) which one
  | 'other-project' // a record of another project than the one the request is about
  | 'name-required' // a project (or other record) needs a non-empty name
  | 'bad-alias' // an alias that is not 1-40 lower-case letters, digits, '.', '_' or '-'
  | 'cannot-move'; // a dataset version that cannot become a version of the chosen dataset (params.why)

/** The kinds of record a 'missing' or 'other-project' error can name (each has a message). */
export type RecordKind = 'project' | 'dataset' | 'dataset-version' | 'model-version' | 'run' | 'schema' | 'label-set' | 'transform' | 'column';

export interface RecordErrorDetails {
  what?: RecordKind;
  /** The record's id or name, as the person would recognize it. */
  id?: string;
  params?: Record<string, string | number>;
}

export class RecordError extends CodedError<'RecordError', RecordErrorCode, RecordErrorDetails> {
  constructor(code: RecordErrorCode, details: RecordErrorDetails, message: string) {
    super('RecordError', code, details, message);
  }
}

/** The common case: `what` named by id does not exist (it may have been deleted). */
export function missing(what: RecordKind, id: string | number, message?: string): RecordError {
  return new RecordError('missing', { what, id: String(id) }, message ?? `${what} ${id} does not exist (it may have been deleted)`);
}
