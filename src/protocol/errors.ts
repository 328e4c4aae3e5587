/**
 * Errors that cross a worker boundary keep their class, code and details. Comlink's default 'throw'
 * handler keeps only name, message and stack; both sides install this one instead (page and workers), so
 * a DataError, TrainError, EvalError or OptimizeError thrown in a worker arrives on the page as the same
 * class with its file, row, column (or weight, layer) intact.
 */
import * as Comlink from 'comlink';
import { CodedError, type SerializedCodedError } from '../core/errors';
import { DataError } from '../core/data/errors';
import { TrainError } from '../core/model/errors';
import { EvalError } from '../core/evaluate/errors';
import { OptimizeError } from '../core/optimize/errors';

type AnyCoded = CodedError<string, string, object>;
type Rebuild = (code: never, details: never, message: string) => AnyCoded;

const CLASSES: Record<string, Rebuild> = {
  DataError: (code, details, message) => Object.assign(new DataError(code, details, ''), { message }),
  TrainError: (code, details, message) => new TrainError(code, details, message),
  EvalError: (code, details, message) => new EvalError(code, details, message),
  OptimizeError: (code, details, message) => new OptimizeError(code, details, message),
};

type Thrown = { value: unknown };
type Wire =
  | { kind: 'coded'; error: SerializedCodedError<string, string, object> }
  | { kind: 'error'; name: string; message: string; stack?: string }
  | { kind: 'value'; value: unknown };

export function installErrorTransfer(): void {
  // Comlink marks thrown values with a private symbol; its own handler knows how to recognize them.
  const builtin = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is Thrown => builtin.canHandle(v),
    serialize({ value }: Thrown): [Wire, Transferable[]] {
      if (value instanceof CodedError && value.kind in CLASSES) return [{ kind: 'coded', error: value.toJSON() }, []];
      if (value instanceof Error)
        return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize(wire: Wire): never {
      switch (wire.kind) {
        case 'coded': {
          const { kind, code, details, message } = wire.error;
          throw CLASSES[kind]!(code as never, details as never, message);
        }
        case 'error':
          throw Object.assign(new Error(wire.message), { name: wire.name, stack: wire.stack });
        case 'value':
          throw wire.value;
      }
    },
  } as Comlink.TransferHandler<Thrown, Wire>);
}
