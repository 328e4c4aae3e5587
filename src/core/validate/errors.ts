/**
 * Errors of the Validate stage that can reach the page: a request the project's state cannot answer yet,
 * or statistics asked of columns they cannot be computed on (details.column names it). Like the other
 * stage errors each carries a code, so the page can say it in the person's language; the English message
 * is for logs and tests. (A schema file's problems are not thrown to the page: they come back as coded
 * SchemaIssues, see schema.ts.)
 */
import { CodedError } from '../errors';

export type ValidateErrorCode =
  | 'no-schema' // the project has no schema yet: infer one first
  | 'nothing-to-accept' // an accept with no anomaly in it
  | 'unknown-type' // a column spec with a type Pipette does not have (params.type)
  | 'unreadable-type' // an Arrow column type the statistics cannot read (params.type)
  | 'type-mismatch' // a column whose Arrow type does not fit its Pipette type (params.type, params.arrow)
  | 'duplicate-column' // the same column twice
  | 'no-label-column' // a label column that is not a column of the version
  | 'bad-label-type' // a label column of a type that cannot be a label (params.type)
  | 'missing-in-batch' // a record batch without one of the columns
  | 'no-dictionary'; // a dictionary-encoded chunk without its dictionary

export interface ValidateErrorDetails {
  column?: string;
  params?: Record<string, string | number>;
}

export class ValidateError extends CodedError<'ValidateError', ValidateErrorCode, ValidateErrorDetails> {
  constructor(code: ValidateErrorCode, details: ValidateErrorDetails, message: string) {
    super('ValidateError', code, details, message);
  }
}
