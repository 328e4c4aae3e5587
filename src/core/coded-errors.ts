/**
 * Every coded error class, by kind: the one list that both the worker boundary (protocol/errors.ts
 * rebuilds the class on the other side) and the page's messages (app/errors.ts, which must have a
 * formatter for each kind, checked by the compiler) are built from. A new kind is one line here.
 */
import { CodedError, isSerializedCodedError } from './errors';
import { DataError } from './data/errors';
import { EvalError } from './evaluate/errors';
import { LabelError } from './label/errors';
import { TrainError } from './model/errors';
import { OptimizeError } from './optimize/errors';
import { PipelineError } from './pipeline/errors';
import { ProjectFileError } from './project-file/errors';
import { RecordError } from './record-error';
import { SelectError } from './select/errors';
import { ServingError } from './serving/errors';
import { TransformError } from './transform/errors';
import { TuneError } from './tune/errors';
import { ValidateError } from './validate/errors';

export const CODED_ERRORS = { DataError, EvalError, LabelError, OptimizeError, PipelineError, ProjectFileError, RecordError, SelectError, ServingError, TrainError, TransformError, TuneError, ValidateError };

export type CodedErrorKind = keyof typeof CODED_ERRORS;
export type CodedErrorOf<K extends CodedErrorKind> = InstanceType<(typeof CODED_ERRORS)[K]>;
export type SerializedOf<K extends CodedErrorKind> = ReturnType<CodedErrorOf<K>['toJSON']>;
/** Any registered coded error in its plain-object form; `kind` tells which. */
export type SerializedCoded = { [K in CodedErrorKind]: SerializedOf<K> }[CodedErrorKind];

const isKind = (kind: string): kind is CodedErrorKind => Object.hasOwn(CODED_ERRORS, kind);

/** The plain-object form of a registered coded error: thrown here (an instance) or received as data. */
export function codedErrorData(e: unknown): SerializedCoded | undefined {
  if (e instanceof CodedError && isKind(e.kind)) return e.toJSON() as SerializedCoded;
  if (isSerializedCodedError(e) && isKind(e.kind)) return e as SerializedCoded;
  return undefined;
}

/** The class instance again, from its plain-object form (after a worker boundary). */
export function reviveCodedError(data: SerializedCoded): CodedError<string, string, object> {
  const Class = CODED_ERRORS[data.kind] as new (code: string, details: object, message: string) => CodedError<string, string, object>;
  // constructors may decorate the message (DataError prefixes the file): restore the original as sent
  return Object.assign(new Class(data.code, data.details, ''), { message: data.message });
}
