/**
 * Errors that cross a worker boundary keep their code and details. Comlink's default 'throw' handler
 * keeps only name, message and stack; both sides install this one instead (page and workers), so a
 * DataError thrown in a worker arrives on the page as a DataError with its file, row and column.
 */
import * as Comlink from 'comlink';
import { DataError, isSerializedDataError, type SerializedDataError } from '../core/data/errors';

type Thrown = { value: unknown };
type Wire =
  | { kind: 'data'; error: SerializedDataError }
  | { kind: 'error'; name: string; message: string; stack?: string }
  | { kind: 'value'; value: unknown };

export function installErrorTransfer(): void {
  // Comlink marks thrown values with a private symbol; its own handler knows how to recognize them.
  const builtin = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is Thrown => builtin.canHandle(v),
    serialize({ value }: Thrown): [Wire, Transferable[]] {
      if (value instanceof DataError) return [{ kind: 'data', error: value.toJSON() }, []];
      if (value instanceof Error)
        return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize(wire: Wire): never {
      if (wire.kind === 'data' && isSerializedDataError(wire.error)) {
        const e = wire.error;
        throw Object.assign(new DataError(e.code, e.details, e.message), { message: e.message });
      }
      if (wire.kind === 'error') throw Object.assign(new Error(wire.message), { name: wire.name, stack: wire.stack });
      throw (wire as { value: unknown }).value;
    },
  } as Comlink.TransferHandler<Thrown, Wire>);
}
