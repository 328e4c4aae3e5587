/**
 * The shape every stage's input errors share: a code the page translates (in the person's language), the
 * details that name the place (file, row, column, weight, layer ...) and an English message for logs and
 * tests. A plain-object form crosses worker boundaries (src/protocol/errors.ts rebuilds the class).
 */
export interface SerializedCodedError<Kind extends string, Code extends string, Details extends object> {
  kind: Kind;
  code: Code;
  details: Details;
  message: string;
}

export class CodedError<Kind extends string, Code extends string, Details extends object> extends Error {
  readonly kind: Kind;
  readonly code: Code;
  readonly details: Details;

  constructor(kind: Kind, code: Code, details: Details, message: string) {
    super(message);
    this.name = kind;
    this.kind = kind;
    this.code = code;
    this.details = details;
  }

  /** Plain object form, for crossing a worker boundary (Error subclasses lose their fields there). */
  toJSON(): SerializedCodedError<Kind, Code, Details> {
    return { kind: this.kind, code: this.code, details: this.details, message: this.message };
  }
}

export type AnyCodedError = CodedError<string, string, object>;
export type AnySerializedCodedError = SerializedCodedError<string, string, object>;

/** A coded error's plain-object form (as received from a worker, or stored with a failed run). */
export function isSerializedCodedError(x: unknown): x is AnySerializedCodedError {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.kind === 'string' && typeof o.code === 'string' && typeof o.details === 'object' && o.details !== null && typeof o.message === 'string';
}

/**
 * Details of a code whose cause varies, with the cause in params.why: the page says it by that why-code in
 * the person's language (app/format.ts), the English message stays for logs.
 */
export function withWhy<D extends { params?: Record<string, string | number> }>(details: D, why: string): D {
  return { ...details, params: { ...details.params, why } };
}
