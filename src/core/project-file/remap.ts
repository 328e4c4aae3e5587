/**
 * Fresh ids for an imported project. Every id (a UUID) the file's records are keyed by gets a new one, and
 * every place it appears in any record is rewritten: a field holding it, a key of a map, or a part of a
 * string (an MLMD uri "pipette:model/<id>", a trigger key). Only the file's own ids are replaced, so a
 * UUID that is data (a column's top value in the statistics) stays as it was.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The UUIDs in a primary key (a UUID, one inside a string such as a tune trial's run id "<search id>-t3", or parts of a compound key). */
export function uuidsIn(key: unknown): string[] {
  if (Array.isArray(key)) return key.flatMap(uuidsIn);
  return typeof key === 'string' ? (key.match(UUID) ?? []) : [];
}

export class IdRemap {
  readonly map = new Map<string, string>();

  constructor(ids: Iterable<string>, fresh: () => string = () => crypto.randomUUID()) {
    for (const id of ids) if (!this.map.has(id)) this.map.set(id, fresh());
  }

  id(old: string): string {
    return this.map.get(old) ?? old;
  }

  string(s: string): string {
    if (s.length < 36) return s;
    return s.replace(UUID, (m) => this.map.get(m) ?? m);
  }

  /** The value with every id replaced, in place for objects and arrays (decoded records are ours). */
  value<T>(value: T): T {
    if (typeof value === 'string') return this.string(value) as T;
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.value(value[i]);
      return value;
    }
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [this.value(k), this.value(v)])) as T;
    if (value instanceof Set) return new Set([...value].map((v) => this.value(v))) as T;
    if (value instanceof Date) return value;
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = this.value(o[k]);
      const nk = this.string(k);
      if (nk !== k) delete o[k];
      o[nk] = v;
    }
    return value;
  }
}
