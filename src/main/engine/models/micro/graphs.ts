// Modality-aware item graphs (paper section 3.1, eq. 1-5), O(N·k) memory.
// Top-k *indices* come from a row-blocked cosine pass without gradient; edge *values* are then
// recomputed differentiably on the N·k chosen pairs, which is exact: the kNN mask is constant.
import { activeBackend, onGpu, tf } from '../../backend';
import { knnCosineTopK, type KnnResult } from '../../graph/knn';
import { knnCosineTopKTf } from '../../graph/knn-tf';
import { knnCosineTopKGpu, knnCosineTopKGpuAsync } from '../../graph/knn-gpu';
import { edgeDots, gatherVector, l2Normalize, readAsync, untaped, type SparsePattern } from '../../ops';

export interface KnnGraph {
  /** Row i's k neighbours: rows[i*k+j] = i, cols[i*k+j] = neighbour, sorted by similarity. */
  pattern: SparsePattern;
  k: number;
  /** Raw cosine of each edge (eq. 1-2) and its normalised weight (eq. 3). */
  cosine: Float32Array;
  values: Float32Array;
}

function knnPattern(indices: Int32Array, n: number, k: number): SparsePattern {
  const rows = new Int32Array(n * k);
  for (let i = 0; i < n; i++) rows.fill(i, i * k, i * k + k);
  return { nRows: n, nCols: n, rows, cols: indices };
}

/** Eq. 3 on plain arrays: Ŝ_ij/(√d_i·√d_j), d = row sums of the kNN matrix, 1/√0 → 0. */
export function symNormalizeRows(cosine: Float32Array, cols: Int32Array, n: number, k: number): Float32Array {
  const dinv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < k; j++) d += cosine[i * k + j];
    dinv[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = cosine[i * k + j] * dinv[i] * dinv[cols[i * k + j]];
  return out;
}

function hasBackend(): boolean {
  try {
    activeBackend();
    return true;
  } catch {
    return false;
  }
}

/**
 * Cosine top-k: matMul tiles on the TF.js backend when one is initialised, else pure JS. The GPU
 * form reads synchronously, which webgpu in Node cannot do: training uses knnAsync.
 */
function knn(features: Float32Array | tf.Tensor2D, n: number, dim: number, k: number): KnnResult {
  if (hasBackend() && onGpu()) return knnCosineTopKGpu(features, n, dim, k);
  if (hasBackend()) return knnCosineTopKTf(features, n, dim, k);
  const x = features instanceof Float32Array ? features : (features.dataSync() as Float32Array);
  return knnCosineTopK(x, n, dim, k);
}

/** knn with awaited reads on a GPU backend (the wasm/cpu forms read tiles synchronously anyway). */
function knnAsync(features: Float32Array | tf.Tensor2D, n: number, dim: number, k: number): Promise<KnnResult> {
  if (hasBackend() && onGpu()) return knnCosineTopKGpuAsync(features, n, dim, k);
  return Promise.resolve(knn(features, n, dim, k));
}

// The initial graph depends only on the (immutable) feature table and k: models built on the same
// dataset object share it instead of recomputing an N²·dim pass (minutes for 4096-d features).
const initialGraphs = new WeakMap<Float32Array, Map<string, KnnGraph>>();

function cachedInitial(features: Float32Array, n: number, dim: number, k: number): { key: string; kk: number; graph?: KnnGraph } {
  const kk = Math.min(k, n);
  const key = `${n}:${dim}:${kk}`;
  return { key, kk, graph: initialGraphs.get(features)?.get(key) };
}

function storeInitial(features: Float32Array, key: string, { indices, values }: KnnResult, n: number, kk: number): KnnGraph {
  const graph = { pattern: knnPattern(indices, n, kk), k: kk, cosine: values, values: symNormalizeRows(values, indices, n, kk) };
  if (!initialGraphs.has(features)) initialGraphs.set(features, new Map());
  initialGraphs.get(features)!.set(key, graph);
  return graph;
}

/** The initial graph S̃^m from raw features (eq. 1-3), built once and never differentiated. */
export function buildKnnGraph(features: Float32Array, n: number, dim: number, k: number): KnnGraph {
  const { key, kk, graph } = cachedInitial(features, n, dim, k);
  return graph ?? storeInitial(features, key, knn(features, n, dim, kk), n, kk);
}

/** buildKnnGraph with awaited reads (every backend, webgpu included). */
export async function buildKnnGraphAsync(features: Float32Array, n: number, dim: number, k: number): Promise<KnnGraph> {
  const { key, kk, graph } = cachedInitial(features, n, dim, k);
  return graph ?? storeInitial(features, key, await knnAsync(features, n, dim, kk), n, kk);
}

/** Top-k neighbour indices of the transformed features (no gradient). */
export function learnedGraphPattern(transformed: tf.Tensor2D, k: number): SparsePattern {
  const [n, d] = transformed.shape;
  const kk = Math.min(k, n);
  const { indices } = untaped(() => knn(transformed, n, d, kk));
  return knnPattern(indices, n, kk);
}

/** learnedGraphPattern with awaited reads; call it outside any gradient tape. */
export async function learnedGraphPatternAsync(transformed: tf.Tensor2D, k: number): Promise<SparsePattern> {
  const [n, d] = transformed.shape;
  const kk = Math.min(k, n);
  const { indices } = await knnAsync(transformed, n, d, kk);
  return knnPattern(indices, n, kk);
}

/**
 * Differentiable normalised edge values of the learned graph Ã^m on a fixed kNN pattern
 * (eq. 1-3 applied to ẽ = W_m e + b_m, eq. 4). Gradients reach the transform through the cosine
 * and the degree normalisation, as in the reference.
 */
export function learnedGraphValues(transformed: tf.Tensor2D, pattern: SparsePattern): tf.Tensor1D {
  return tf.tidy(() => {
    const n = pattern.nRows;
    const k = pattern.rows.length / n;
    const e = l2Normalize(transformed);
    const cos = tf.reshape(edgeDots(e, pattern), [n, k]);
    const deg = tf.sum(cos, 1);
    // 1/√0 → 0 (reference). The mask is a constant: step() (1 where deg > 0, else 0) has a zero
    // gradient in tfjs, unlike comparisons (none), and stays on the backend (no readback on a GPU).
    const positive = tf.step(deg);
    const dinv = tf.mul(tf.rsqrt(tf.maximum(deg, 1e-30)), positive) as tf.Tensor1D;
    const dRow = tf.reshape(dinv, [n, 1]);
    const dCol = tf.reshape(gatherVector(dinv, pattern.cols), [n, k]);
    return tf.reshape(tf.mul(tf.mul(cos, dRow), dCol), [-1]) as tf.Tensor1D;
  });
}

/** A learned graph's kNN pattern and its detached (host) edge values. */
export interface LearnedHost {
  pattern: SparsePattern;
  values: Float32Array;
}

/**
 * The learned graph of `transform()`'s features with awaited reads (every backend, webgpu
 * included); call it outside any gradient tape. A rebuild batch then recomputes the same values
 * under the tape on this pattern, with gradients.
 */
export async function learnedGraphHost(transform: () => tf.Tensor2D, k: number): Promise<LearnedHost> {
  const transformed = tf.tidy(transform);
  try {
    const pattern = await learnedGraphPatternAsync(transformed, k);
    return { pattern, values: await readAsync(() => learnedGraphValues(transformed, pattern)) };
  } finally {
    transformed.dispose();
  }
}

/** learnedGraphHost with synchronous reads (cpu/wasm only), safe under a tape (nothing recorded). */
export function learnedGraphHostSync(transform: () => tf.Tensor2D, k: number): LearnedHost {
  let out: LearnedHost | undefined;
  untaped(() =>
    tf.tidy(() => {
      const transformed = transform();
      const pattern = learnedGraphPattern(transformed, k);
      out = { pattern, values: (learnedGraphValues(transformed, pattern).dataSync() as Float32Array).slice() };
    }),
  );
  return out!;
}
