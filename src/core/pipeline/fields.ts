/**
 * Shape checks of plain JSON values that name the field by its path (components[2].inputs.schema,
 * split.fractions.train) when they refuse. The document parser and the settings checks share them; each
 * gives its own way to refuse (a bad-field of the document, a bad-settings of a component).
 */
import type { Expected } from './errors';

export type Params = Record<string, string | number>;

export interface Refusals {
  /** The value at `field` is not what was expected. */
  bad(field: string, expected: Expected, params?: Params): never;
  /** An object has a field it should not. */
  unknown(field: string): never;
  /** A required field is not there. */
  missing(field: string): never;
}

/** A field's path: `key` under `path` ('' is the root). */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export interface NumberRule {
  /** Smallest allowed (inclusive). */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  whole?: boolean;
}

export class Fields {
  constructor(readonly refuse: Refusals) {}

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.refuse.bad(path, 'object');
    return value as Record<string, unknown>;
  }

  /** An object with only the given fields (those in `required` must be there). */
  record(value: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    const o = this.object(value, path);
    for (const key of Object.keys(o)) if (!required.includes(key) && !optional.includes(key)) this.refuse.unknown(at(path, key));
    for (const key of required) if (o[key] === undefined) this.refuse.missing(at(path, key));
    return o;
  }

  text(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.refuse.bad(path, 'text');
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.refuse.bad(path, 'boolean');
    return value;
  }

  list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.refuse.bad(path, 'list');
    return value;
  }

  choice<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) this.refuse.bad(path, 'choice', { choices: choices.join(', ') });
    return value as T;
  }

  number(value: unknown, path: string, rule: NumberRule = {}): number {
    const { min, above, max, whole } = rule;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!whole || Number.isSafeInteger(value)) &&
      (min === undefined || value >= min) &&
      (above === undefined || value > above) &&
      (max === undefined || value <= max);
    if (!ok) this.refuse.bad(path, ...numberExpectation(rule));
    return value as number;
  }

  /** Absent, or checked by `check`. */
  optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
    return value === undefined ? undefined : check(value);
  }
}

function numberExpectation({ min, above, max, whole }: NumberRule): [Expected, Params?] {
  // whole numbers here always have a lower bound (counts, steps, seeds)
  if (whole) return max === undefined ? ['whole-at-least', { min: min ?? 0 }] : ['whole', { min: min ?? 0, max }];
  if (min !== undefined && max !== undefined) return ['between', { min, max }];
  if (above !== undefined && max !== undefined) return ['above-at-most', { min: above, max }];
  if (above !== undefined) return ['above', { min: above }];
  if (min !== undefined) return ['at-least', { min }];
  return ['number'];
}
