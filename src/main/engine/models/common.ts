// Pieces shared by the embedding models: initialisers, the user-item propagation graph used by
// LightGCN, BPR + L2, and dot-product scoring of user blocks.
import { tf } from '../backend';
import type { UserItems } from '../types';
import { concatRows, gatherRows, negLogSigmoid, propagate, readAll, readAsync, sliceRows, type SparsePattern } from '../ops';
import type { Rng } from '../data/random';
import type { EmbeddingScorer } from './types';

let variableSerial = 0;
/**
 * TF.js variable names are global to the engine; models are created many times per process, so
 * each name gets a unique '@n' suffix. Checkpoints store the stable part (see baseName).
 */
export function uniqueName(name: string): string {
  return `${name}@${++variableSerial}`;
}
export function baseName(name: string): string {
  const at = name.lastIndexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * The identity of variables' current values, for caching what is computed from them: an update
 * (Adam, a restore) assigns new data to a variable, and nothing writes a variable's data in place.
 */
export function weightsKey(vars: tf.Variable[]): object[] {
  return vars.map((v) => v.dataId);
}

export function sameWeights(a: object[] | undefined, b: object[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Xavier/Glorot uniform for an [rows, cols] table: bound √(6/(rows+cols)) (as torch's xavier_uniform_). */
export function xavierUniform(rows: number, cols: number, rng: Rng, name: string): tf.Variable<tf.Rank.R2> {
  const bound = Math.sqrt(6 / (rows + cols));
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < v.length; i++) v[i] = (rng.next() * 2 - 1) * bound;
  // tidy releases the initial tensor; the variable keeps the data.
  return tf.tidy(() => tf.variable(tf.tensor2d(v, [rows, cols]), true, uniqueName(name)));
}

/** torch nn.Linear default init: U(±1/√fan_in) for weight [in, out] and bias [out]. */
export function linearInit(
  fanIn: number,
  fanOut: number,
  rng: Rng,
  name: string,
  bias = true,
): { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1> } {
  const bound = 1 / Math.sqrt(fanIn);
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * bound;
  const out: { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1> } = {
    w: tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true, uniqueName(`${name}.w`))),
  };
  if (bias) {
    const b = new Float32Array(fanOut);
    for (let i = 0; i < b.length; i++) b[i] = (rng.next() * 2 - 1) * bound;
    out.b = tf.tidy(() => tf.variable(tf.tensor1d(b), true, uniqueName(`${name}.b`)));
  }
  return out;
}

export type CfAdjacency = 'rw-selfloop' | 'sym';

export interface UserItemGraph {
  pattern: SparsePattern;
  values: Float32Array;
}

/**
 * The (U+N)×(U+N) propagation matrix of the train interactions.
 * 'rw-selfloop': D⁻¹(A+I), the MICRO/LATTICE reference code; 'sym': D^-½AD^-½, LightGCN's paper.
 */
export function buildUserItemGraph(train: UserItems, nItems: number, kind: CfAdjacency): UserItemGraph {
  const nU = train.nUsers;
  const n = nU + nItems;
  const deg = new Float64Array(n);
  for (let u = 0; u < nU; u++) {
    for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) {
      deg[u] += 1;
      deg[nU + train.indices[p]] += 1;
    }
  }
  const selfLoops = kind === 'rw-selfloop';
  if (selfLoops) for (let i = 0; i < n; i++) deg[i] += 1;
  // Collect edges row by row (users, then items) so rows stay ascending.
  const itemUsers: number[][] = Array.from({ length: nItems }, () => []);
  for (let u = 0; u < nU; u++) {
    for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) itemUsers[train.indices[p]].push(u);
  }
  const nnz = 2 * train.indices.length + (selfLoops ? n : 0);
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let e = 0;
  const weight = (r: number, c: number) =>
    selfLoops ? 1 / deg[r] : deg[r] > 0 && deg[c] > 0 ? 1 / Math.sqrt(deg[r] * deg[c]) : 0;
  for (let u = 0; u < nU; u++) {
    if (selfLoops) {
      rows[e] = u; cols[e] = u; values[e++] = weight(u, u);
    }
    for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) {
      const c = nU + train.indices[p];
      rows[e] = u; cols[e] = c; values[e++] = weight(u, c);
    }
  }
  for (let i = 0; i < nItems; i++) {
    const r = nU + i;
    if (selfLoops) {
      rows[e] = r; cols[e] = r; values[e++] = weight(r, r);
    }
    for (const u of itemUsers[i]) {
      rows[e] = r; cols[e] = u; values[e++] = weight(r, u);
    }
  }
  return { pattern: { nRows: n, nCols: n, rows, cols }, values };
}

/**
 * LightGCN propagation as one (U+N)×d table: mean of E₀..E_L with E_l = P·E_{l−1}, users first.
 * A model that reads only a batch's rows gathers them from it (row u, row U+i) without splitting.
 */
export function lightgcnMean(userEmb: tf.Tensor2D, itemEmb: tf.Tensor2D, graph: UserItemGraph, layers: number): tf.Tensor2D {
  return tf.tidy(() => propagate(graph.pattern, graph.values, concatRows(userEmb, itemEmb), layers, 'mean')); // fixed graph: no gradient into its values
}

/** LightGCN propagation: mean of E₀..E_L with E_l = P·E_{l−1}. Returns [users, items]. */
export function lightgcnPropagate(
  userEmb: tf.Tensor2D,
  itemEmb: tf.Tensor2D,
  graph: UserItemGraph,
  layers: number,
): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const nU = userEmb.shape[0];
    const mean = lightgcnMean(userEmb, itemEmb, graph, layers);
    return [sliceRows(mean, 0, nU), sliceRows(mean, nU, mean.shape[0] - nU)];
  });
}

/** BPR (mean over the batch) on the scores of (u, pos) and (u, neg) pairs. */
export function bprLoss(u: tf.Tensor2D, p: tf.Tensor2D, n: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const diff = tf.sub(tf.sum(tf.mul(u, p), 1), tf.sum(tf.mul(u, n), 1));
    return tf.mean(negLogSigmoid(diff)) as tf.Scalar;
  });
}

/** coef · ½(‖U_b‖² + ‖I⁺_b‖² + ‖I⁻_b‖²) / batch — the reference regulariser on batch embeddings. */
export function batchL2(coef: number, ...parts: tf.Tensor2D[]): tf.Scalar {
  return tf.tidy(() => {
    const b = parts[0].shape[0];
    let s = tf.scalar(0);
    for (const t of parts) s = tf.add(s, tf.sum(tf.square(t)));
    return tf.mul(s, (0.5 * coef) / b) as tf.Scalar;
  });
}

/** Gathers batch rows of user/item tables (with scatter-add gradients). */
export function batchRows(users: tf.Tensor2D, items: tf.Tensor2D, b: { users: Int32Array; pos: Int32Array; neg: Int32Array }) {
  return { u: gatherRows(users, b.users), p: gatherRows(items, b.pos), n: gatherRows(items, b.neg) };
}

/** Runs `finals` without keeping tensors and caches the final embeddings for scoring. */
export async function scorerFrom(finals: () => [tf.Tensor2D, tf.Tensor2D]): Promise<EmbeddingScorer> {
  const [u, iT] = tf.tidy(() => {
    const [users, items] = finals();
    return [users, tf.transpose(items)];
  });
  try {
    const [userFinal, itemFinalT] = await readAll([u, iT]);
    return { userFinal, itemFinalT, d: u.shape[1], nItems: iT.shape[1] };
  } finally {
    // finals() may return the variables themselves (MF): never dispose those.
    for (const t of [u, iT]) if (!(t instanceof tf.Variable)) t.dispose();
  }
}

/** U_b · Iᵀ for a block of users. */
export function scoreWithEmbeddings(s: EmbeddingScorer, users: Int32Array): Promise<Float32Array> {
  const ub = new Float32Array(users.length * s.d);
  for (let r = 0; r < users.length; r++) ub.set(s.userFinal.subarray(users[r] * s.d, users[r] * s.d + s.d), r * s.d);
  return readAsync(() => tf.matMul(tf.tensor2d(ub, [users.length, s.d]), tf.tensor2d(s.itemFinalT, [s.d, s.nItems])));
}
