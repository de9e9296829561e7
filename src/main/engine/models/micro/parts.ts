// Small pieces of MICRO's maths kept out of model.ts: the user-preference pattern (eq. 16), the
// attention-weighted sum of modalities (eq. 8, 15) and the shared/specific orthogonality loss (eq. 13).
import { onGpu, tf } from '../../backend';
import { customOp, rowSum, type SparsePattern } from '../../ops';
import { tensorFrom, valuesView } from '../../heap';
import type { Dataset } from '../../types';

/** A constant sparse matrix with its rows' edge ranges: row r's edges are indptr[r] … indptr[r+1]−1. */
export interface RowMatrix {
  pattern: SparsePattern;
  values: Float32Array;
  indptr: Int32Array;
}

/** h_u (eq. 16): the mean of h_i over the user's train items, as a row-normalised sparse U×N. */
export function userMeanPattern(ds: Dataset): RowMatrix {
  const { indptr, indices, nUsers } = ds.train;
  const rows = new Int32Array(indices.length);
  const values = new Float32Array(indices.length);
  for (let u = 0; u < nUsers; u++) {
    const len = indptr[u + 1] - indptr[u];
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      rows[p] = u;
      values[p] = 1 / len;
    }
  }
  return { pattern: { nRows: nUsers, nCols: ds.nItems, rows, cols: indices }, values, indptr };
}

/** L_S = mean_i Σ_{m<m'} (h_s^m,i · h_s^m',i)² (eq. 13, generalised to |M| ≥ 2). */
export function orthogonalityLoss(hs: tf.Tensor2D[]): tf.Scalar {
  return tf.tidy(() => {
    let s = tf.scalar(0);
    for (let a = 0; a < hs.length; a++)
      for (let b = a + 1; b < hs.length; b++) s = tf.add(s, tf.mean(tf.square(rowSum(tf.mul(hs[a], hs[b]) as tf.Tensor2D))));
    return s as tf.Scalar;
  });
}

/**
 * Σ_m α[:, m] ⊙ parts[m] (eq. 8 and 15): as tf.split(alpha) + tf.mul + tf.add, op for op (same
 * values, same gradients), without the split and its concat gradient, which loop over the rows in
 * JS on wasm (~1-3 ms each for 6,710 rows).
 */
export function fuseParts(alpha: tf.Tensor2D, parts: tf.Tensor2D[]): tf.Tensor2D {
  const [n, k] = alpha.shape;
  if (k !== parts.length) throw new Error(`fuseParts: ${k} weights per row for ${parts.length} parts`);
  if (onGpu()) {
    const cols = tf.split(alpha, k, 1);
    return parts.map((p, m) => tf.mul(p, cols[m])).reduce((s, x) => tf.add(s, x)) as tf.Tensor2D;
  }
  const column = (a: Float32Array, m: number) =>
    tensorFrom<tf.Rank.R2>([n, 1], (out) => {
      for (let i = 0; i < n; i++) out[i] = a[i * k + m];
    });
  const op = customOp<tf.Tensor2D>((...args: unknown[]) => {
    const [a, ...ps] = args.slice(0, k + 1) as tf.Tensor2D[];
    (args[k + 1] as tf.GradSaveFunc)(ps);
    const weights = valuesView(a).slice(); // host copy of n×k values, for the backward
    const value = ps.map((p, m) => tf.mul(p, column(weights, m))).reduce((s, x) => tf.add(s, x)) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved?: tf.Tensor[]) => {
      // tf.mul's gradient: d parts[m] = dy·α_m, dα_m = Σ_row dy·parts[m]; tf.split's: the columns side by side.
      const dParts = saved!.map((_, m) => tf.mul(dy, column(weights, m)));
      const dCols = saved!.map((p) => tf.sum(tf.mul(dy, p), [1]));
      const dAlpha = tensorFrom([n, k], (out) => {
        dCols.forEach((c, m) => {
          const v = valuesView(c);
          for (let i = 0; i < n; i++) out[i * k + m] = v[i];
        });
      });
      return [dAlpha, ...dParts];
    };
    return { value, gradFunc };
  });
  return op(alpha, ...parts);
}
