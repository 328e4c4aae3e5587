/**
 * Errors that cross a worker boundary keep their class, code and details. Comlink's default 'throw'
 * handler keeps only name, message and stack; both sides install this one instead (page and workers), so
 * every coded error (core/coded-errors.ts lists them) thrown in a worker arrives on the page as the same
 * class with its file, row, column (or weight, layer) intact.
 */
import * as Comlink from 'comlink';
import { codedErrorData, reviveCodedError, type SerializedCoded } from '../core/coded-errors';

type Thrown = { value: unknown };
type Wire =
  | { kind: 'coded'; error: SerializedCoded }
  | { kind: 'error'; name: string; message: string; stack?: string }
  | { kind: 'value'; value: unknown };

export function installErrorTransfer(): void {
  // Comlink marks thrown values with a private symbol; its own handler knows how to recognize them.
  const builtin = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is Thrown => builtin.canHandle(v),
    serialize({ value }: Thrown): [Wire, Transferable[]] {
      const coded = value instanceof Error ? codedErrorData(value) : undefined;
      if (coded) return [{ kind: 'coded', error: coded }, []];
      if (value instanceof Error)
        return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize(wire: Wire): never {
      switch (wire.kind) {
        case 'coded':
          throw reviveCodedError(wire.error);
        case 'error':
          throw Object.assign(new Error(wire.message), { name: wire.name, stack: wire.stack });
        case 'value':
          throw wire.value;
      }
    },
  } as Comlink.TransferHandler<Thrown, Wire>);
}
