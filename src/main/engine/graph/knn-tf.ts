// Row-blocked cosine kNN with the similarity tiles computed by the TF.js backend's matMul
// (XNNPACK SIMD on wasm) and the top-k kept in JS. Same semantics as knn.ts's knnCosineTopK
// (the pure-JS version, kept for environments without a backend and as the test oracle): cosine
// of L2-normalised rows (zero rows give 0), self kept unless includeSelf: false, negatives kept
// unless clampNegative, each row sorted by descending float32 value with ties to the lower index.
// Values are float32 dot products of float32-normalised rows, so they can differ from the
// oracle's float64-accumulated ones in the last bits (and near-ties may then order differently).
//
// Only the upper triangle of tiles is computed (the similarity is symmetric): tile (I, J≥I)
// offers each value to row i and to row j. Memory: O(n·k + tile·dim + tile²) beyond the input.
import { tf } from '../backend';
import { valuesView } from '../heap';
import { sliceRows } from '../ops-rows';
import { nativeKernels } from '../kernels/choice';
import type { KnnOptions, KnnResult } from './knn';

/** Per-row sorted top-k lists with the knn.ts order (value desc, then index asc). */
class TopKLists {
  readonly idx: Int32Array;
  readonly val: Float32Array;
  /** thr[r]: value of the k-th entry of row r, −Infinity while the row is not full. */
  readonly thr: Float32Array;
  constructor(
    n: number,
    readonly k: number,
  ) {
    this.idx = new Int32Array(n * k).fill(-1);
    this.val = new Float32Array(n * k).fill(-Infinity);
    this.thr = new Float32Array(n).fill(-Infinity);
  }
  /** Offer (v, j) to row r; callers pre-filter with v >= thr[r]. */
  push(r: number, v: number, j: number): void {
    const { idx, val, k } = this;
    const base = r * k;
    let p = base + k - 1;
    const lj = idx[p];
    if (lj >= 0 && (v < val[p] || (v === val[p] && j > lj))) return;
    while (p > base) {
      const pj = idx[p - 1];
      const pv = val[p - 1];
      if (pj >= 0 && (pv > v || (pv === v && pj < j))) break;
      idx[p] = pj;
      val[p] = pv;
      p--;
    }
    idx[p] = j;
    val[p] = v;
    if (idx[base + k - 1] >= 0) this.thr[r] = val[base + k - 1];
  }
  result(): KnnResult {
    for (let p = 0; p < this.idx.length; p++) if (this.idx[p] < 0) this.val[p] = 0;
    return { indices: this.idx, values: this.val };
  }
}

/** Tile size: measured best for XNNPACK here (9.9 GFLOP/s at 4,096-d vs 7.5 with 512, 3.7 with 256). */
const DEFAULT_TILE = 1024;

/**
 * Top-k cosine neighbours of every row of `features` (n×dim, a Float32Array or a 2-D tensor that
 * stays owned by the caller) with TF.js matMul tiles. Needs an initialised backend.
 */
export function knnCosineTopKTf(
  features: Float32Array | tf.Tensor2D,
  n: number,
  dim: number,
  k: number,
  opts?: KnnOptions,
): KnnResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (features instanceof Float32Array && features.length < n * dim) {
    throw new RangeError(`knn: features has ${features.length} values, expected n*dim = ${n * dim}`);
  }
  const includeSelf = opts?.includeSelf ?? true;
  const clamp = opts?.clampNegative ?? false;
  const B = opts?.blockRows ?? DEFAULT_TILE;
  const top = new TopKLists(n, k);
  if (n === 0) return top.result();
  // Row blocks of L2-normalised rows (zero rows stay 0, so their similarities are exactly 0 as in
  // the oracle). A Float32Array input is normalised block by block in JS and uploaded per tile,
  // never as a whole: a 23k×4096 table would otherwise be copied into the wasm heap (377 MB).
  const rows = blockSource(features, n, dim);
  const nat = nativeKernels(); // the same lists, offered by kernels/native/topk.c
  try {
    for (let j0 = 0; j0 < n; j0 += B) {
      const nj = Math.min(B, n - j0);
      const colT = tf.tidy(() => tf.transpose(rows(j0, nj))); // dim × nj (explicit transpose: the fast matMul path)
      try {
        for (let i0 = 0; i0 <= j0; i0 += B) {
          const ni = Math.min(B, n - i0);
          const s = tf.tidy(() => tf.matMul(rows(i0, ni), colT));
          try {
            const tile = valuesView(s); // in place: no TF.js call until disposed
            if (nat) nat.knnOffer(tile, i0, ni, j0, nj, includeSelf ? 1 : 0, clamp ? 1 : 0, top.idx, top.val, top.thr, k);
            else offerTile(top, tile, i0, ni, j0, nj, includeSelf, clamp);
          } finally {
            s.dispose();
          }
        }
      } finally {
        colT.dispose();
      }
    }
  } finally {
    rows.dispose();
  }
  return top.result();
}

/** rows(start, size): a tensor of normalised rows; call inside tf.tidy. */
function blockSource(features: Float32Array | tf.Tensor2D, n: number, dim: number): ((start: number, size: number) => tf.Tensor2D) & { dispose(): void } {
  if (features instanceof Float32Array) {
    const inv = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let q = i * dim; q < (i + 1) * dim; q++) s += features[q] * features[q];
      inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
    const f = (start: number, size: number) => {
      const block = features.slice(start * dim, (start + size) * dim);
      for (let r = 0; r < size; r++) {
        const k = inv[start + r];
        for (let q = r * dim; q < (r + 1) * dim; q++) block[q] *= k;
      }
      return tf.tensor2d(block, [size, dim]);
    };
    return Object.assign(f, { dispose() {} });
  }
  // Normalised once (the products are the per-block ones); blocks are row copies of it.
  const normed = tf.tidy(() => {
    const sq = tf.sum(tf.square(features), 1, true);
    return tf.mul(features, tf.where(tf.greater(sq, 0), tf.rsqrt(sq), tf.zerosLike(sq))) as tf.Tensor2D;
  });
  const f = (start: number, size: number) => sliceRows(normed, start, size);
  return Object.assign(f, { dispose: () => normed.dispose() });
}

/**
 * Offers tile values to their rows, and (off-diagonal tiles) to their columns' rows, in one pass
 * over the tile. The lists do not depend on the order of the offers (each keeps the k best by
 * value, then index), so both directions share the row-major sweep.
 */
function offerTile(
  top: TopKLists,
  tile: Float32Array,
  i0: number,
  ni: number,
  j0: number,
  nj: number,
  includeSelf: boolean,
  clamp: boolean,
): void {
  const thr = top.thr;
  if (clamp) for (let p = 0; p < tile.length; p++) if (tile[p] < 0) tile[p] = 0;
  const diagonal = i0 === j0;
  for (let ii = 0; ii < ni; ii++) {
    const i = i0 + ii;
    const base = ii * nj;
    let th = thr[i];
    for (let jj = 0; jj < nj; jj++) {
      const v = tile[base + jj];
      const j = j0 + jj;
      if (v >= th && (includeSelf || j !== i)) {
        top.push(i, v, j);
        th = thr[i];
      }
      if (!diagonal && v >= thr[j]) top.push(j, v, i);
    }
  }
}
