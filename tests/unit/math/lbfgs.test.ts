import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../../../src/core/math/lbfgs';

describe('L-BFGS', () => {
  it("finds Rosenbrock's minimum (1, 1) from (-1.2, 1)", () => {
    // f = (1 - a)² + 100 (b - a²)², the classic curved valley; minimum 0 at (1, 1)
    const result = minimizeLbfgs(
      (x, g) => {
        const [a, b] = [x[0]!, x[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { tolerance: 1e-10, maxIterations: 1000 },
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
  });

  it('solves a badly scaled quadratic: ½ Σ c_i (x_i - i)² with c from 1 to 1e4', () => {
    const c = [1, 10, 100, 1000, 10000];
    const result = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 5; i++) {
          g[i] = c[i]! * (x[i]! - i);
          f += 0.5 * c[i]! * (x[i]! - i) ** 2;
        }
        return f;
      },
      new Float64Array(5),
      { tolerance: 1e-9 },
    );
    result.x.forEach((v, i) => expect(v).toBeCloseTo(i, 9));
  });

  it('stops at the iteration limit and says it did not converge', () => {
    const square = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0]! - 3);
      return (x[0]! - 3) ** 2;
    };
    const result = minimizeLbfgs(square, Float64Array.of(100), { maxIterations: 0 });
    expect(result).toMatchObject({ converged: false, iterations: 0 });
    expect(result.x[0]).toBe(100);
  });
});
