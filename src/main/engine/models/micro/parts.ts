// Two small pieces of MICRO's maths kept out of model.ts: the user-preference pattern (eq. 16)
// and the shared/specific orthogonality loss (eq. 13).
import { tf } from '../../backend';
import type { SparsePattern } from '../../ops';
import type { Dataset } from '../../types';

export /** h_u (eq. 16): the mean of h_i over the user's train items, as a row-normalised sparse U×N. */
function userMeanPattern(ds: Dataset): { pattern: SparsePattern; values: Float32Array } {
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
  return { pattern: { nRows: nUsers, nCols: ds.nItems, rows, cols: indices }, values };
}

/** L_S = mean_i Σ_{m<m'} (h_s^m,i · h_s^m',i)² (eq. 13, generalised to |M| ≥ 2). */
export function orthogonalityLoss(hs: tf.Tensor2D[]): tf.Scalar {
  return tf.tidy(() => {
    let s = tf.scalar(0);
    for (let a = 0; a < hs.length; a++)
      for (let b = a + 1; b < hs.length; b++) s = tf.add(s, tf.mean(tf.square(tf.sum(tf.mul(hs[a], hs[b]), 1))));
    return s as tf.Scalar;
  });
}
