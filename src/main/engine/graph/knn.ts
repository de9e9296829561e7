// Row-blocked cosine kNN over item feature tables (paper eq. 1-2; docs/model.md, 'kNN construction').
//
// Never materialises the N x N similarity matrix: the (symmetric) similarity is computed tile by
// tile (tiles of `blockRows` x `blockRows` items, upper triangle only, each pair's dot product
// computed once and offered to both rows), and a per-row sorted top-k list is kept in n*k arrays.
// Memory: O(n*k + blockRows^2) on top of the input. Pure JS on typed arrays.
//
// Semantics follow the reference code: cosine on L2-normalised rows (zero rows stay zero -> all
// their similarities are 0, never NaN), negative values kept unless `clampNegative`, self-loops
// kept unless `includeSelf: false`, values are real cosines (no binarisation), directed graph.
// Ties are broken deterministically: equal values -> lower item index first. Each similarity is
// rounded to float32 before ranking so the returned order is exactly consistent with the returned
// values.

export interface KnnOptions {
  /** Tile size (rows and columns) of the blocked similarity pass. Default 64. */
  blockRows?: number;
  /** Keep item i as a candidate of its own row (the reference does). Default true. */
  includeSelf?: boolean;
  /** Clamp negative cosines to 0 before ranking (the paper says so, the code does not). Default false. */
  clampNegative?: boolean;
}

export interface KnnResult {
  /** n*k item ids, row-major, each row sorted by descending similarity (ties: lower id first).
   *  When a row has fewer than k candidates (k > n, or k >= n without self) the tail is -1. */
  indices: Int32Array;
  /** n*k cosine similarities matching `indices` (0 for -1 padding). */
  values: Float32Array;
}

const DEFAULT_BLOCK = 64;

function checkArgs(features: Float32Array, n: number, dim: number, k: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`knn: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`knn: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (features.length < n * dim) {
    throw new RangeError(`knn: features has ${features.length} values, expected n*dim = ${n * dim}`);
  }
}

function blockSize(opts: KnnOptions | undefined): number {
  const b = opts?.blockRows ?? DEFAULT_BLOCK;
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`knn: blockRows must be a positive integer, got ${b}`);
  // The micro-kernel works on 4 x 4 sub-tiles; any size works, multiples of 4 are fastest.
  return b;
}

/**
 * The blocked pass: for each row block bi, all tiles (bi, bj >= bi). Results are merged into the
 * per-row sorted lists topIdx/topVal (n*k, initialised to -1 / -Infinity by the caller).
 */
export function knnKernel(
  X: Float32Array,
  n: number,
  dim: number,
  k: number,
  B: number,
  includeSelf: boolean,
  clampNegative: boolean,
  topIdx: Int32Array,
  topVal: Float32Array,
): void {
  // Inverse row norms (double precision); zero rows get 0 so all their similarities are 0.
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const a = i * dim;
    for (let d = 0; d < dim; d++) {
      const x = X[a + d];
      s += x * x;
    }
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  // thr[r] = value of the k-th entry of row r (-Infinity while the row is not full).
  const thr = new Float32Array(n).fill(-Infinity);
  const tile = new Float64Array(B * B);
  const st = new Float32Array(B * B);
  const nBlocks = Math.ceil(n / B);

  // Offer candidate (v, j) to row r. Only called when v >= thr[r] (rare after warm-up).
  const push = (r: number, v: number, j: number): void => {
    const base = r * k;
    let p = base + k - 1;
    const lj = topIdx[p];
    if (lj >= 0 && (v < topVal[p] || (v === topVal[p] && j > lj))) return;
    // Shift worse entries down until the slot above is better than the candidate.
    while (p > base) {
      const pj = topIdx[p - 1];
      const pv = topVal[p - 1];
      if (pj >= 0 && (pv > v || (pv === v && pj < j))) break;
      topIdx[p] = pj;
      topVal[p] = pv;
      p--;
    }
    topIdx[p] = j;
    topVal[p] = v;
    if (topIdx[base + k - 1] >= 0) thr[r] = topVal[base + k - 1];
  };

  // tile[ii*B + jj] = <x_{i0+ii}, x_{j0+jj}> for ii < ni, jj < nj (4 x 4 register blocking).
  const dotTile = (i0: number, ni: number, j0: number, nj: number): void => {
    const ni4 = ni - (ni % 4);
    const nj4 = nj - (nj % 4);
    for (let ii = 0; ii < ni4; ii += 4) {
      const a0 = (i0 + ii) * dim;
      const a1 = a0 + dim;
      const a2 = a1 + dim;
      const a3 = a2 + dim;
      for (let jj = 0; jj < nj4; jj += 4) {
        const b0 = (j0 + jj) * dim;
        const b1 = b0 + dim;
        const b2 = b1 + dim;
        const b3 = b2 + dim;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let d = 0; d < dim; d++) {
          const y0 = X[b0 + d];
          const y1 = X[b1 + d];
          const y2 = X[b2 + d];
          const y3 = X[b3 + d];
          let x = X[a0 + d];
          s00 += x * y0; s01 += x * y1; s02 += x * y2; s03 += x * y3;
          x = X[a1 + d];
          s10 += x * y0; s11 += x * y1; s12 += x * y2; s13 += x * y3;
          x = X[a2 + d];
          s20 += x * y0; s21 += x * y1; s22 += x * y2; s23 += x * y3;
          x = X[a3 + d];
          s30 += x * y0; s31 += x * y1; s32 += x * y2; s33 += x * y3;
        }
        let t = ii * B + jj;
        tile[t] = s00; tile[t + 1] = s01; tile[t + 2] = s02; tile[t + 3] = s03;
        t += B;
        tile[t] = s10; tile[t + 1] = s11; tile[t + 2] = s12; tile[t + 3] = s13;
        t += B;
        tile[t] = s20; tile[t + 1] = s21; tile[t + 2] = s22; tile[t + 3] = s23;
        t += B;
        tile[t] = s30; tile[t + 1] = s31; tile[t + 2] = s32; tile[t + 3] = s33;
      }
    }
    // Edges (rows >= ni4 or columns >= nj4): plain dot products, same summation order.
    if (ni4 < ni || nj4 < nj) {
      for (let ii = 0; ii < ni; ii++) {
        const a = (i0 + ii) * dim;
        for (let jj = ii < ni4 ? nj4 : 0; jj < nj; jj++) {
          const b = (j0 + jj) * dim;
          let s = 0;
          for (let d = 0; d < dim; d++) s += X[a + d] * X[b + d];
          tile[ii * B + jj] = s;
        }
      }
    }
  };

  for (let bi = 0; bi < nBlocks; bi++) {
    const i0 = bi * B;
    const i1 = Math.min(n, i0 + B);
    const ni = i1 - i0;
    for (let bj = bi; bj < nBlocks; bj++) {
      const j0 = bj * B;
      const j1 = Math.min(n, j0 + B);
      const nj = j1 - j0;
      dotTile(i0, ni, j0, nj);
      // ---- row pass: cosine (float32-rounded), offer j to row i ----
      for (let ii = 0; ii < ni; ii++) {
        const i = i0 + ii;
        const si = inv[i];
        const tb = ii * B;
        let th = thr[i];
        for (let jj = 0; jj < nj; jj++) {
          const j = j0 + jj;
          let v = Math.fround(tile[tb + jj] * si * inv[j]);
          if (clampNegative && v < 0) v = 0;
          st[tb + jj] = v;
          if (v >= th && (includeSelf || j !== i)) {
            push(i, v, j);
            th = thr[i];
          }
        }
      }
      // ---- column pass (off-diagonal tiles): the same values offered to rows j ----
      if (bj !== bi) {
        for (let jj = 0; jj < nj; jj++) {
          const j = j0 + jj;
          let th = thr[j];
          for (let ii = 0; ii < ni; ii++) {
            const v = st[ii * B + jj];
            if (v >= th) {
              push(j, v, i0 + ii);
              th = thr[j];
            }
          }
        }
      }
    }
  }
}

function initTop(n: number, k: number) {
  const topIdx = new Int32Array(n * k).fill(-1);
  const topVal = new Float32Array(n * k).fill(-Infinity);
  return { topIdx, topVal };
}

/** Replace the -Infinity padding of unfilled slots by 0 (their index stays -1). */
function finalize(topIdx: Int32Array, topVal: Float32Array): KnnResult {
  for (let p = 0; p < topIdx.length; p++) if (topIdx[p] < 0) topVal[p] = 0;
  return { indices: topIdx, values: topVal };
}

/**
 * Top-k cosine neighbours of every row of `features` (n x dim, row-major).
 * See the module comment for the exact semantics.
 */
export function knnCosineTopK(
  features: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts?: KnnOptions,
): KnnResult {
  checkArgs(features, n, dim, k);
  const B = blockSize(opts);
  const { topIdx, topVal } = initTop(n, k);
  knnKernel(features, n, dim, k, B, opts?.includeSelf ?? true, opts?.clampNegative ?? false, topIdx, topVal);
  return finalize(topIdx, topVal);
}
