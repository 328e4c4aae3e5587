/**
 * The rows feature selection encodes from a large version: at most a fixed number of each part, drawn
 * from the split's rows with the app's seeded PRNG, so the same version, split and seed always give the
 * same rows (and the same result), in every browser and in Node.
 */
import { mixSeed, Rng } from '../math/random';

/** Training and validation rows encoded at most; more are drawn (seeded) from the split. */
export const MAX_SELECT_ROWS = { train: 20_000, validation: 5_000 } as const;

/**
 * `max` of `rows` drawn without replacement (a partial Fisher-Yates shuffle seeded by `seed` and `salt`),
 * ascending; `rows` itself when it holds no more than `max`.
 */
export function sampleRows(rows: Uint32Array, max: number, seed: number, salt: number): Uint32Array {
  if (rows.length <= max) return rows;
  const pool = Uint32Array.from(rows);
  const rng = new Rng(mixSeed(seed, salt));
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(pool.length - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, max).sort();
}

/** The split's training and validation rows, each part capped (`limits`, default MAX_SELECT_ROWS). */
export function sampleParts(split: { train: Uint32Array; validation: Uint32Array }, seed: number, limits: { train: number; validation: number } = MAX_SELECT_ROWS): { train: Uint32Array; validation: Uint32Array } {
  return { train: sampleRows(split.train, limits.train, seed, 1), validation: sampleRows(split.validation, limits.validation, seed, 2) };
}
