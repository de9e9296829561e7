// Differentiable building blocks the stock TF.js kernels lack or make slow on wasm/cpu:
// - gatherRows: tf.gather's gradient needs UnsortedSegmentSum, missing on wasm and O(segments·n)
//   on cpu; here the backward is a plain scatter-add.
// - spmm: sparse (COO) x dense with gradients into both the edge values and the dense matrix;
//   TF.js has no sparse matmul.
// Both run their loops in JS on typed arrays: nnz·d work, tiny next to the dense matmuls.
import { tf } from './backend';

/**
 * Runs `f` in a tidy scope and returns the result's values. Never return typed arrays from
 * tf.tidy itself: tidy walks its result element by element looking for tensors.
 */
export function readSync(f: () => tf.Tensor): Float32Array {
  const t = tf.tidy(f);
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return d;
}

/** Sparse matrix pattern in COO form, rows ascending. Edge values travel as a tensor. */
export interface SparsePattern {
  readonly nRows: number;
  readonly nCols: number;
  readonly rows: Int32Array;
  readonly cols: Int32Array;
}

/** tf.customGrad with the loose typing its overloads cannot express for multi-input ops. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function customOp<T extends tf.Tensor>(f: (...args: any[]) => { value: T; gradFunc: (dy: tf.Tensor) => tf.Tensor[] }) {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => T;
}

/** table[idx] with a scatter-add gradient. */
export function gatherRows(table: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  const [n, d] = table.shape;
  const op = customOp<tf.Tensor2D>((t: tf.Tensor) => {
    const value = tf.gather(t as tf.Tensor2D, tf.tensor1d(idx, 'int32'));
    const gradFunc = (dy: tf.Tensor) => {
      const g = dy.dataSync() as Float32Array;
      const out = new Float32Array(n * d);
      for (let r = 0; r < idx.length; r++) {
        const src = r * d;
        const dst = idx[r] * d;
        for (let c = 0; c < d; c++) out[dst + c] += g[src + c];
      }
      return [tf.tensor2d(out, [n, d])];
    };
    return { value, gradFunc };
  });
  return op(table);
}

/** Gather from a 1-D tensor with a scatter-add gradient. */
export function gatherVector(v: tf.Tensor1D, idx: Int32Array): tf.Tensor1D {
  return tf.reshape(gatherRows(tf.reshape(v, [-1, 1]) as tf.Tensor2D, idx), [-1]) as tf.Tensor1D;
}

/** Plain-JS forward of A·H for a COO pattern (rows ascending). */
export function spmmForward(p: SparsePattern, vals: Float32Array, h: Float32Array, d: number): Float32Array {
  const out = new Float32Array(p.nRows * d);
  const { rows, cols } = p;
  for (let e = 0; e < rows.length; e++) {
    const v = vals[e];
    if (v === 0) continue;
    const dst = rows[e] * d;
    const src = cols[e] * d;
    for (let c = 0; c < d; c++) out[dst + c] += v * h[src + c];
  }
  return out;
}

/**
 * out = A·H where A has pattern `p` and edge values `values` (length nnz; duplicates summed).
 * Gradients: dH = Aᵀ·dy, dvalues_e = <dy[row_e], H[col_e]>.
 */
export function spmm(p: SparsePattern, values: tf.Tensor1D, h: tf.Tensor2D): tf.Tensor2D {
  const d = h.shape[1];
  if (h.shape[0] !== p.nCols) throw new Error(`spmm: dense rows ${h.shape[0]} != sparse cols ${p.nCols}`);
  if (values.shape[0] !== p.rows.length) throw new Error(`spmm: ${values.shape[0]} values for ${p.rows.length} edges`);
  const op = customOp<tf.Tensor2D>((v: tf.Tensor, x: tf.Tensor, save: tf.GradSaveFunc) => {
    const vals = v.dataSync() as Float32Array;
    const hx = x.dataSync() as Float32Array;
    save([]);
    const value = tf.tensor2d(spmmForward(p, vals, hx, d), [p.nRows, d]);
    const gradFunc = (dy: tf.Tensor) => {
      const g = dy.dataSync() as Float32Array;
      const dh = new Float32Array(p.nCols * d);
      const dv = new Float32Array(vals.length);
      const { rows, cols } = p;
      for (let e = 0; e < rows.length; e++) {
        const gr = rows[e] * d;
        const hc = cols[e] * d;
        const ve = vals[e];
        let acc = 0;
        for (let c = 0; c < d; c++) {
          acc += g[gr + c] * hx[hc + c];
          dh[hc + c] += ve * g[gr + c];
        }
        dv[e] = acc;
      }
      return [tf.tensor1d(dv), tf.tensor2d(dh, [p.nCols, d])];
    };
    return { value, gradFunc };
  });
  return op(values, h);
}

/** Row-wise L2 normalisation, as torch's F.normalize (eps 1e-12). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(sq, eps * eps))) as tf.Tensor2D;
  });
}

/** −log σ(x) written as softplus(−x): tfjs' logSigmoid gradient breaks on intermediate tensors. */
export function negLogSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.softplus(tf.neg(x));
}

/** Concatenate COO patterns that share a shape (used for the λ-mix of two graphs). */
export function concatPatterns(a: SparsePattern, b: SparsePattern): SparsePattern {
  if (a.nRows !== b.nRows || a.nCols !== b.nCols) throw new Error('concatPatterns: shape mismatch');
  const nnz = a.rows.length + b.rows.length;
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  rows.set(a.rows);
  rows.set(b.rows, a.rows.length);
  cols.set(a.cols);
  cols.set(b.cols, a.cols.length);
  return { nRows: a.nRows, nCols: a.nCols, rows, cols };
}
