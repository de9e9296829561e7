// Eq. 16-17 on the rows a training batch reads. The loss needs x̃ + ĥ only for the batch's users and
// its positive and negative items, and every operation there is row-wise, so computing those rows
// alone gives the values of the full U×d and N×d tables, without their work and its backward (the
// full tables are for scoring). The gradients are the same too, to the bit: each tensor receives
// its gradient contributions in the order the full-table graph would add them.
import { tf } from '../../backend';
import { gatherRows, l2NormalizeFused, sliceRows, spmmFixed } from '../../ops';
import type { TrainBatch } from '../types';
import type { RowMatrix } from './parts';

/** A batch's distinct users and items (ascending) and where each triple's rows are among them. */
export interface BatchRowSets {
  users: Int32Array;
  /** Positives and negatives together. */
  items: Int32Array;
  userAt: Int32Array;
  posAt: Int32Array;
  negAt: Int32Array;
}

/** Ascending distinct values of `all`, and the position of every entry of each list among them. */
function indexOf(all: Int32Array, lists: Int32Array[]): { values: Int32Array; at: Int32Array[] } {
  const values = Int32Array.from(new Set(all)).sort();
  const pos = new Map<number, number>();
  values.forEach((v, k) => pos.set(v, k));
  return { values, at: lists.map((l) => l.map((v) => pos.get(v)!)) };
}

export function batchRowSets(b: TrainBatch): BatchRowSets {
  const u = indexOf(b.users, [b.users]);
  const both = new Int32Array(b.pos.length + b.neg.length);
  both.set(b.pos);
  both.set(b.neg, b.pos.length);
  const i = indexOf(both, [b.pos, b.neg]);
  return { users: u.values, items: i.values, userAt: u.at[0], posAt: i.at[0], negAt: i.at[1] };
}

/** Rows `rows` of a constant sparse matrix, as a rows.length × nCols one: the same edges, in order. */
export function selectRows(m: RowMatrix, rows: Int32Array): Pick<RowMatrix, 'pattern' | 'values'> {
  const { indptr } = m;
  let nnz = 0;
  for (const r of rows) nnz += indptr[r + 1] - indptr[r];
  const outRows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let e = 0;
  rows.forEach((r, k) => {
    const len = indptr[r + 1] - indptr[r];
    outRows.fill(k, e, e + len);
    cols.set(m.pattern.cols.subarray(indptr[r], indptr[r + 1]), e);
    values.set(m.values.subarray(indptr[r], indptr[r + 1]), e);
    e += len;
  });
  return { pattern: { nRows: rows.length, nCols: m.pattern.nCols, rows: outRows, cols }, values };
}

/**
 * l2Normalize (ops.ts) of rows `rows` of h, op for op. It reads h through two gathers, the
 * direction's after the norm's: backpropagation, which runs in reverse, then hands h the
 * direction's gradient before the norm's, as it does for l2Normalize(h) itself.
 */
function normalizedRows(h: tf.Tensor2D, rows: Int32Array, eps = 1e-12): tf.Tensor2D {
  const forNorm = gatherRows(h, rows);
  const forDirection = gatherRows(h, rows);
  const sq = tf.sum(tf.square(forNorm), 1, true);
  return tf.mul(forDirection, tf.rsqrt(tf.maximum(sq, eps * eps))) as tf.Tensor2D;
}

/** The CF backbone's output: LightGCN's (U+N)×d mean (users first), or the ego tables. */
export type CfTables = { mean: tf.Tensor2D; nUsers: number } | { users: tf.Tensor2D; items: tf.Tensor2D };

/**
 * The CF rows of the batch's items and users. From LightGCN's mean, one gather of both row sets
 * split in two: the mean then gets one gradient table (the two parts' rows, added where they do
 * not overlap, i.e. exactly), not one per side plus their sum.
 */
function cfRows(cf: CfTables, rows: BatchRowSets): { items: tf.Tensor2D; users: tf.Tensor2D } {
  if ('users' in cf) return { items: gatherRows(cf.items, rows.items), users: gatherRows(cf.users, rows.users) };
  const both = new Int32Array(rows.items.length + rows.users.length);
  rows.items.forEach((i, k) => (both[k] = cf.nUsers + i));
  both.set(rows.users, rows.items.length);
  const x = gatherRows(cf.mean, both);
  return { items: sliceRows(x, 0, rows.items.length), users: sliceRows(x, rows.items.length, rows.users.length) };
}

/**
 * x̃_u + ĥ_u and x̃_i + ĥ_i (eq. 17; ĥ_u from eq. 16 when `userMean` is given) on the batch's rows
 * (BatchRowSets order), with h the item-graph part (eq. 15).
 */
export function batchFinals(
  cf: CfTables,
  h: tf.Tensor2D,
  userMean: RowMatrix | null,
  rows: BatchRowSets,
): { userFinal: tf.Tensor2D; itemFinal: tf.Tensor2D; hu?: tf.Tensor2D } {
  const x = cfRows(cf, rows);
  const itemFinal = tf.add(x.items, normalizedRows(h, rows.items)) as tf.Tensor2D;
  const xu = x.users;
  if (!userMean) return { userFinal: xu, itemFinal };
  const sub = selectRows(userMean, rows.users);
  const hu = spmmFixed(sub.pattern, sub.values, h);
  const userFinal = tf.add(xu, l2NormalizeFused(hu)) as tf.Tensor2D; // hu's only use: exact
  return { userFinal, itemFinal, hu };
}
