/**
 * A request the server refuses, answered as TF Serving answers it: `{"error": message}` with the HTTP
 * status of TF Serving's status code (INVALID_ARGUMENT 400, NOT_FOUND 404, UNIMPLEMENTED 501, INTERNAL
 * 500; model_servers/http_server.cc ToHTTPStatusCode), and the message in TF Serving's words (English,
 * the protocol's language). A body over the size limit is 413, which TF Serving has no code of its own for.
 * UNAVAILABLE (503) is the tab's answer when no app window can run the model.
 * An imported request log's line that cannot be read is `bad-log-line`, naming the line and the field.
 */
import { CodedError } from '../errors';

export type ServingErrorCode = 'invalid-argument' | 'not-found' | 'too-large' | 'unimplemented' | 'internal' | 'unavailable' | 'bad-log-line';

const HTTP_STATUS: Record<ServingErrorCode, number> = {
  'invalid-argument': 400,
  'not-found': 404,
  'too-large': 413,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  'bad-log-line': 400,
};

export interface ServingErrorDetails {
  /** The HTTP status the error is answered with. */
  status: number;
  /** A request log's line (1-based) and field, for `bad-log-line`. */
  line?: number;
  field?: string;
}

export class ServingError extends CodedError<'ServingError', ServingErrorCode, ServingErrorDetails> {
  /** `details` as coded-errors.ts rebuilds any kind; `servingError` below is the short way to make one. */
  constructor(code: ServingErrorCode, details: ServingErrorDetails, message: string) {
    super('ServingError', code, details, message);
  }

  get status(): number {
    return this.details.status;
  }
}

/** A ServingError answered with its code's HTTP status; `place` names a log line and field. */
export function servingError(code: ServingErrorCode, message: string, place: { line?: number; field?: string } = {}): ServingError {
  return new ServingError(code, { status: HTTP_STATUS[code], ...place }, message);
}

/** TF Serving's INVALID_ARGUMENT (400). */
export const invalid = (message: string) => servingError('invalid-argument', message);
/** TF Serving's NOT_FOUND (404). */
export const notFound = (message: string) => servingError('not-found', message);

/** The code of an answer's HTTP status, for an answer made outside the handler (the tab's 503s). */
export function codeOfStatus(status: number): ServingErrorCode | null {
  const found = (Object.entries(HTTP_STATUS) as [ServingErrorCode, number][]).find(([code, s]) => s === status && code !== 'bad-log-line');
  return found ? found[0] : null;
}
