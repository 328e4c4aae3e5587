/**
 * A request the server refuses, answered as TF Serving answers it: `{"error": message}` with the HTTP
 * status of TF Serving's status code (INVALID_ARGUMENT 400, NOT_FOUND 404, UNIMPLEMENTED 501, INTERNAL
 * 500; model_servers/http_server.cc ToHTTPStatusCode), and the message in TF Serving's words (English,
 * the protocol's language). A body over the size limit is 413, which TF Serving has no code of its own for.
 */
import { CodedError } from '../errors';

export type ServingErrorCode = 'invalid-argument' | 'not-found' | 'too-large' | 'unimplemented' | 'internal';

const HTTP_STATUS: Record<ServingErrorCode, number> = {
  'invalid-argument': 400,
  'not-found': 404,
  'too-large': 413,
  unimplemented: 501,
  internal: 500,
};

export interface ServingErrorDetails {
  /** The HTTP status the error is answered with. */
  status: number;
}

export class ServingError extends CodedError<'ServingError', ServingErrorCode, ServingErrorDetails> {
  constructor(code: ServingErrorCode, message: string) {
    super('ServingError', code, { status: HTTP_STATUS[code] }, message);
  }

  get status(): number {
    return this.details.status;
  }
}

/** TF Serving's INVALID_ARGUMENT (400). */
export const invalid = (message: string) => new ServingError('invalid-argument', message);
/** TF Serving's NOT_FOUND (404). */
export const notFound = (message: string) => new ServingError('not-found', message);
