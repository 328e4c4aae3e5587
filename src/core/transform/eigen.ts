/**
 * Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
 * "Matrix Computations", 8.5): each rotation zeroes one off-diagonal pair; sweeps repeat until the
 * off-diagonal part is negligible. Accurate to rounding for the covariance matrices PCA decomposes
 * (a few hundred rows and columns at most).
 */

export interface SymmetricEigen {
  /** Eigenvalues, in decreasing order (ties keep their diagonal order). */
  values: Float64Array;
  /** Eigenvectors as rows of n: vectors[j * n + i] is component i of the j-th vector. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/** Rotate rows/columns p and q of the symmetric a (n x n, row-major) and columns p, q of v. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q]!;
  const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
  // the smaller root of t² + 2θt - 1 = 0, so the rotation angle is at most π/4
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p]!;
    const akq = a[k * n + q]!;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k]!;
    const aqk = a[q * n + k]!;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!;
    const vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major; only its values are read, it is not
 * changed). Each eigenvector's sign is chosen so its largest-magnitude component is positive (the first
 * such component on exact ties), which makes the result deterministic.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) if (a[p * n + q] !== 0) rotate(a, v, n, p, q);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]! || i - j);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((col, j) => {
    let largest = 0;
    for (let i = 1; i < n; i++) if (Math.abs(v[i * n + col]!) > Math.abs(v[largest * n + col]!)) largest = i;
    const sign = v[largest * n + col]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[j * n + i] = sign * v[i * n + col]!;
  });
  return { values, vectors };
}
