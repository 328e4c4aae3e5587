/**
 * Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) for smooth unconstrained minimization: the
 * two-loop recursion for the search direction, a backtracking line search on the Armijo condition, and
 * the stopping rules scikit-learn gives scipy's L-BFGS-B for its logistic regression: the largest gradient
 * component at most `tolerance`, or a relative decrease of the objective below 64 machine epsilons.
 * Deterministic: the same objective and start give the same steps everywhere.
 */

/** The objective at x; writes its gradient into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Largest |gradient component| accepted as converged (default 1e-6). */
  tolerance?: number;
  maxIterations?: number;
  /** Correction pairs kept (default 10, scipy's). */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** The gradient or decrease test passed (false: the iteration limit, or no step decreased the objective). */
  converged: boolean;
}

const FTOL = 64 * Number.EPSILON;
const ARMIJO = 1e-4;

export function minimizeLbfgs(f: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const tolerance = options.tolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 10;
  const n = start.length;
  let x = Float64Array.from(start);
  let grad = new Float64Array(n);
  let value = f(x, grad);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const direction = new Float64Array(n);
  const nextX = new Float64Array(n);
  let nextGrad = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) <= tolerance) return { x, value, iterations: iteration, converged: true };
    searchDirection(grad, s, y, rho, alpha, direction);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // not a descent direction (rounding): forget the curvature pairs and go downhill
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
      slope = dot(grad, direction);
    }
    // the first step is scaled down so that it moves x by about 1 (scipy does the same)
    let step = s.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let nextValue = NaN;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! + step * direction[i]!;
      nextValue = f(nextX, nextGrad);
      if (nextValue <= value + ARMIJO * step * slope) break;
      step /= 2;
    }
    if (!(nextValue <= value)) return { x, value, iterations: iteration, converged: false };
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = nextX[i]! - x[i]!;
      yk[i] = nextGrad[i]! - grad[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * Math.sqrt(dot(yk, yk) * dot(sk, sk))) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const decrease = (value - nextValue) / Math.max(Math.abs(value), Math.abs(nextValue), 1);
    x = Float64Array.from(nextX);
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (decrease <= FTOL) return { x, value, iterations: iteration + 1, converged: true };
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(grad) <= tolerance };
}

/** direction = -H grad by the two-loop recursion, H0 = (s'y / y'y) I from the newest pair. */
function searchDirection(grad: Float64Array, s: Float64Array[], y: Float64Array[], rho: number[], alpha: Float64Array, out: Float64Array): void {
  out.set(grad);
  for (let k = s.length - 1; k >= 0; k--) {
    alpha[k] = rho[k]! * dot(s[k]!, out);
    axpy(-alpha[k]!, y[k]!, out);
  }
  if (s.length > 0) {
    const last = s.length - 1;
    const gamma = 1 / (rho[last]! * dot(y[last]!, y[last]!));
    for (let i = 0; i < out.length; i++) out[i]! *= gamma;
  }
  for (let k = 0; k < s.length; k++) {
    const beta = rho[k]! * dot(y[k]!, out);
    axpy(alpha[k]! - beta, s[k]!, out);
  }
  for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}
