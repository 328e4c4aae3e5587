/**
 * A Gaussian-process regressor as KerasTuner's BayesianOptimizationOracle configures scikit-learn's: a
 * Matern kernel with nu = 5/2 and amplitude 1, `alpha` added to the diagonal (the noise), targets
 * normalized to mean 0 and standard deviation 1 (normalize_y; a constant target keeps scale 1), and an
 * isotropic length scale fitted by the log marginal likelihood. scikit-learn fits it with L-BFGS-B from
 * 1.0; here it is the best of a fixed grid from 0.01 to 100 (LENGTH_SCALES), which is deterministic.
 */
import { cholesky, solveLower, solveUpperT } from '../math/cholesky';

export const LENGTH_SCALES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 50, 100];

/** Matern 5/2 at distance r with length scale l: (1 + √5 r/l + 5r²/3l²) exp(-√5 r/l). */
export function matern52(r: number, l: number): number {
  const s = (Math.sqrt(5) * r) / l;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

export interface GpFit {
  lengthScale: number;
  logMarginalLikelihood: number;
  /** Mean and standard deviation of the target at x, in the target's own units. */
  predict(x: readonly number[]): { mean: number; std: number };
}

interface Solved {
  l: Float64Array;
  weights: Float64Array;
  lml: number;
}

function solve(x: readonly number[][], y: Float64Array, lengthScale: number, alpha: number): Solved | null {
  const n = x.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = matern52(distance(x[i]!, x[j]!), lengthScale) + (i === j ? alpha : 0);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  const l = cholesky(k, n);
  if (!l) return null;
  const weights = solveUpperT(l, n, solveLower(l, n, y));
  let lml = -0.5 * n * Math.log(2 * Math.PI);
  for (let i = 0; i < n; i++) lml += -0.5 * y[i]! * weights[i]! - Math.log(l[i * n + i]!);
  return { l, weights, lml };
}

/** Fits the process to points x (each in [0, 1]^d) and targets y; null when no length scale factors. */
export function fitGp(x: readonly number[][], y: readonly number[], alpha: number): GpFit | null {
  const n = y.length;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const scale = sd > 0 ? sd : 1;
  const yn = Float64Array.from(y, (v) => (v - mean) / scale);
  let best: (Solved & { lengthScale: number }) | null = null;
  for (const lengthScale of LENGTH_SCALES) {
    const s = solve(x, yn, lengthScale, alpha);
    if (s && (!best || s.lml > best.lml)) best = { ...s, lengthScale };
  }
  if (!best) return null;
  const { l, weights, lengthScale } = best;
  return {
    lengthScale,
    logMarginalLikelihood: best.lml,
    predict(point) {
      const kx = x.map((xi) => matern52(distance(xi, point), lengthScale));
      let mu = 0;
      for (let i = 0; i < n; i++) mu += kx[i]! * weights[i]!;
      const v = solveLower(l, n, kx);
      let variance = 1;
      for (let i = 0; i < n; i++) variance -= v[i]! * v[i]!;
      return { mean: mu * scale + mean, std: Math.sqrt(Math.max(0, variance)) * scale };
    },
  };
}
