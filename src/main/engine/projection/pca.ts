// Principal components of an embedding table (rows = points), for the embedding map.
// Hand-written rather than ml-pca: the map needs the top 2 components of a Float32Array table
// (6,710 × 64 at TikTok size) and nothing else; ml-pca would first copy the table into
// ml-matrix's nested Float64 rows. Here: the d × d covariance in one pass (n·d² multiply-adds),
// then, up to 128-d, its full eigen-decomposition by cyclic Jacobi (exact whatever the gaps);
// wider tables use subspace iteration with Rayleigh–Ritz (seeded) for the top eigenvectors.
import { createRng } from '../data/random';

/** Up to this width the covariance is diagonalised whole (Jacobi); wider tables iterate. */
export const DIRECT_MAX_DIM = 128;

export interface PcaResult {
  /** Projections onto the components, [x0, y0, x1, y1, …] (k = 2: one pair per row). */
  coords: Float32Array;
  /** Unit principal directions, `components` rows of `dim` values. */
  components: Float64Array[];
  /** Eigenvalues of the covariance (variances along the components), largest first. */
  eigenvalues: number[];
  /** Each component's share of the total variance. */
  explained: number[];
  /** Sum of the variances of every column (trace of the covariance). */
  totalVariance: number;
  iterations: number;
}

/** Column means and the (population, 1/n) covariance of a row-major n × d table. */
export function covariance(data: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += data[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= Math.max(1, n);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) row[c] = data[r * d + c] - mean[c];
    // Upper triangle only; mirrored below.
    for (let a = 0; a < d; a++) {
      const v = row[a];
      if (v === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) cov[off + b] += v * row[b];
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / Math.max(1, n);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  return { mean, cov };
}

/** Gram–Schmidt (twice, for stability) on the columns q[0..p), in place. */
function orthonormalise(q: Float64Array[], rng: () => number): void {
  const d = q[0].length;
  for (let j = 0; j < q.length; j++) {
    const v = q[j];
    let before = 0;
    for (let t = 0; t < d; t++) before += v[t] * v[t];
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        const u = q[i];
        let dot = 0;
        for (let t = 0; t < d; t++) dot += v[t] * u[t];
        for (let t = 0; t < d; t++) v[t] -= dot * u[t];
      }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += v[t] * v[t];
    norm = Math.sqrt(norm);
    // Nothing left but rounding noise (rank below the block size, or a zero column).
    if (!(norm > 1e-9 * Math.sqrt(before)) || norm < 1e-150) {
      // Any direction orthogonal to the others will do.
      for (let t = 0; t < d; t++) v[t] = rng() - 0.5;
      j--;
      continue;
    }
    for (let t = 0; t < d; t++) v[t] /= norm;
  }
}

/** Eigen-decomposition of a symmetric p × p matrix (cyclic Jacobi, in place); vectors as columns of v. */
export function smallEigen(a: Float64Array, p: number): { values: number[]; v: Float64Array; sweeps: number } {
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  let total = 0;
  for (let i = 0; i < p * p; i++) total += a[i] * a[i];
  let sweeps = 0;
  for (; sweeps < 60; sweeps++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j] ** 2;
    // Off-diagonal mass negligible against the matrix (relative, so any scale converges).
    if (off <= 1e-30 * total || off < 1e-300) break;
    for (let i = 0; i < p; i++)
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (a[j * p + j] - a[i * p + i]) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < p; r++) {
          const ari = a[r * p + i];
          const arj = a[r * p + j];
          a[r * p + i] = c * ari - s * arj;
          a[r * p + j] = s * ari + c * arj;
        }
        for (let r = 0; r < p; r++) {
          const air = a[i * p + r];
          const ajr = a[j * p + r];
          a[i * p + r] = c * air - s * ajr;
          a[j * p + r] = s * air + c * ajr;
        }
        for (let r = 0; r < p; r++) {
          const vri = v[r * p + i];
          const vrj = v[r * p + j];
          v[r * p + i] = c * vri - s * vrj;
          v[r * p + j] = s * vri + c * vrj;
        }
      }
  }
  return { values: Array.from({ length: p }, (_, i) => a[i * p + i]), v, sweeps };
}

/**
 * The top `k` principal components of a row-major n × d table and the rows' projections on them.
 * Signs are fixed (each direction's largest-magnitude entry is positive), so equal input gives
 * equal output.
 */
export function pca(data: ArrayLike<number>, n: number, d: number, o: { components?: number; seed?: number; maxIterations?: number; tolerance?: number } = {}): PcaResult {
  const k = Math.min(o.components ?? 2, d);
  if (n < 1 || d < 1) throw new RangeError(`pca: expected a non-empty table (got ${n} × ${d})`);
  const { mean, cov } = covariance(data, n, d);
  let trace = 0;
  for (let c = 0; c < d; c++) trace += cov[c * d + c];
  const rng = createRng(o.seed ?? 123);
  const next = () => rng.next();
  if (d <= DIRECT_MAX_DIM) {
    // Small tables (the embeddings: 64-d): the whole covariance by Jacobi, exact whatever the
    // eigen-gaps (≈ 20-40 ms at 64-d; subspace iteration stalls on isotropic noise).
    const { values, v, sweeps } = smallEigen(Float64Array.from(cov), d);
    const order = values.map((val, j) => [val, j] as const).sort((x, y) => y[0] - x[0]);
    const vectors = order.slice(0, k).map(([, j]) => Float64Array.from({ length: d }, (_, t) => v[t * d + j]));
    return finish(data, n, d, k, mean, cov, trace, vectors, sweeps);
  }
  // Subspace iteration with a block wider than k, Rayleigh–Ritz at every step: the top-k Ritz
  // values converge at the rate (λ_{p+1}/λ_k)², so near-equal leading eigenvalues do not stall it.
  const p = Math.min(d, Math.max(k + 6, 16));
  let q: Float64Array[] = Array.from({ length: p }, () => Float64Array.from({ length: d }, () => next() - 0.5));
  orthonormalise(q, next);
  const tol = o.tolerance ?? 1e-13;
  const maxIt = o.maxIterations ?? 1000;
  let prev = new Array<number>(k).fill(Infinity);
  let it = 0;
  let ritzVectors: Float64Array[] = q;
  /** C·col for the symmetric d×d covariance. */
  const timesCov = (col: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      const off = a * d;
      for (let b = 0; b < d; b++) s += cov[off + b] * col[b];
      out[a] = s;
    }
    return out;
  };
  for (; it < maxIt; it++) {
    const z = q.map(timesCov);
    orthonormalise(z, next);
    // Rayleigh–Ritz: diagonalise zᵀCz and rotate the block onto its eigenvectors.
    const cz = z.map(timesCov);
    const small = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = i; j < p; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += z[i][t] * cz[j][t];
        small[i * p + j] = s;
        small[j * p + i] = s;
      }
    const { values, v } = smallEigen(small, p);
    const order = values.map((val, j) => [val, j] as const).sort((x, y) => y[0] - x[0]);
    ritzVectors = order.map(([, j]) => {
      const out = new Float64Array(d);
      for (let i = 0; i < p; i++) {
        const w = v[i * p + j];
        for (let t = 0; t < d; t++) out[t] += w * z[i][t];
      }
      return out;
    });
    q = ritzVectors;
    const top = order.slice(0, k).map(([val]) => val);
    let change = 0;
    for (let j = 0; j < k; j++) change = Math.max(change, Math.abs(top[j] - prev[j]));
    prev = top;
    if (change <= tol * Math.max(trace, 1e-300)) break;
  }
  return finish(data, n, d, k, mean, cov, trace, ritzVectors.slice(0, k), it);
}

/** Fixed signs, eigenvalues as Rayleigh quotients, projections of the centred rows. */
function finish(data: ArrayLike<number>, n: number, d: number, k: number, mean: Float64Array, cov: Float64Array, trace: number, vectors: Float64Array[], iterations: number): PcaResult {
  const components = vectors.map((col) => {
    const v = Float64Array.from(col);
    let big = 0;
    for (let t = 1; t < d; t++) if (Math.abs(v[t]) > Math.abs(v[big])) big = t;
    if (v[big] < 0) for (let t = 0; t < d; t++) v[t] = -v[t];
    return v;
  });
  const eigenvalues = components.map((v) => {
    let s = 0;
    for (let a = 0; a < d; a++) {
      let r = 0;
      for (let b = 0; b < d; b++) r += cov[a * d + b] * v[b];
      s += v[a] * r;
    }
    return Math.max(0, s);
  });
  const coords = new Float32Array(n * k);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      const v = components[j];
      for (let c = 0; c < d; c++) s += (data[r * d + c] - mean[c]) * v[c];
      coords[r * k + j] = s;
    }
  return { coords, components, eigenvalues, explained: eigenvalues.map((l) => (trace > 0 ? l / trace : 0)), totalVariance: trace, iterations };
}
