/**
 * Errors that cross a worker boundary keep their class, code and details. Comlink's default 'throw'
 * handler keeps only name, message and stack; both sides install this one instead (page and workers), so
 * a DataError or TrainError thrown in a worker arrives on the page as the same class with its file, row,
 * column (or weight, layer) intact.
 */
import * as Comlink from 'comlink';
import { DataError, type DataErrorCode, type DataErrorDetails } from '../core/data/errors';
import { TrainError, type TrainErrorCode, type TrainErrorDetails } from '../core/train/errors';

type Thrown = { value: unknown };
type Wire =
  | { kind: 'DataError'; code: DataErrorCode; details: DataErrorDetails; message: string }
  | { kind: 'TrainError'; code: TrainErrorCode; details: TrainErrorDetails; message: string }
  | { kind: 'error'; name: string; message: string; stack?: string }
  | { kind: 'value'; value: unknown };

export function installErrorTransfer(): void {
  // Comlink marks thrown values with a private symbol; its own handler knows how to recognize them.
  const builtin = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is Thrown => builtin.canHandle(v),
    serialize({ value }: Thrown): [Wire, Transferable[]] {
      if (value instanceof DataError || value instanceof TrainError) return [value.toJSON(), []];
      if (value instanceof Error)
        return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize(wire: Wire): never {
      switch (wire.kind) {
        case 'DataError':
          throw Object.assign(new DataError(wire.code, wire.details, ''), { message: wire.message });
        case 'TrainError':
          throw new TrainError(wire.code, wire.details, wire.message);
        case 'error':
          throw Object.assign(new Error(wire.message), { name: wire.name, stack: wire.stack });
        case 'value':
          throw wire.value;
      }
    },
  } as Comlink.TransferHandler<Thrown, Wire>);
}
