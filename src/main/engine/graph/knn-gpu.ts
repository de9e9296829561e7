// Cosine top-k for a GPU backend (webgpu): per row block, one b×N similarity matMul and tf.topk
// on the device; only the b×k winners are read back (the pattern is a JS array by design), once
// per graph build, never per batch. knn-tf.ts instead reads every tile back and keeps the top-k
// in JS, which on a GPU would move N² floats over the bus.
// Semantics as knn.ts's knnCosineTopK (cosine of L2-normalised rows, zero rows give 0, self kept,
// sorted by descending value); near-ties may order differently (float32 on the device).
import { tf } from '../backend';
import type { KnnResult } from './knn';

/** Rows per block: b·N similarities ≤ 32 MB. */
function blockRows(n: number): number {
  return Math.max(1, Math.min(n, Math.max(64, Math.floor((8 * 2 ** 20) / Math.max(1, n)))));
}

interface Plan {
  k: number;
  kk: number;
  unit: tf.Tensor2D;
  blocks: { r0: number; rows: number }[];
  indices: Int32Array;
  values: Float32Array;
}

function plan(features: Float32Array | tf.Tensor2D, n: number, dim: number, k: number): Plan {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (features instanceof Float32Array && features.length < n * dim) {
    throw new RangeError(`knn: features has ${features.length} values, expected n*dim = ${n * dim}`);
  }
  const unit = tf.tidy(() => {
    const x = features instanceof Float32Array ? tf.tensor2d(features.subarray(0, n * dim), [n, dim]) : features;
    const sq = tf.sum(tf.square(x), 1, true);
    return tf.mul(x, tf.where(tf.greater(sq, 0), tf.rsqrt(sq), tf.zerosLike(sq))) as tf.Tensor2D;
  });
  const b = blockRows(n);
  const blocks: Plan['blocks'] = [];
  for (let r0 = 0; r0 < n; r0 += b) blocks.push({ r0, rows: Math.min(b, n - r0) });
  return { k, kk: Math.min(k, n), unit, blocks, indices: new Int32Array(n * k).fill(-1), values: new Float32Array(n * k) };
}

/** The block's top-k on the device: [indices, values], b×kk each. */
function blockTop(p: Plan, r0: number, rows: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const dim = p.unit.shape[1];
    const t = tf.topk(tf.matMul(tf.slice(p.unit, [r0, 0], [rows, dim]), p.unit, false, true), p.kk, true);
    return [t.indices, t.values];
  });
}

function store(p: Plan, r0: number, rows: number, idx: Int32Array, val: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    p.indices.set(idx.subarray(r * p.kk, (r + 1) * p.kk), (r0 + r) * p.k);
    p.values.set(val.subarray(r * p.kk, (r + 1) * p.kk), (r0 + r) * p.k);
  }
}

/**
 * Top-k cosine neighbours of every row of `features` (n×dim; a tensor stays owned by the caller).
 * Synchronous: needs a backend that can read synchronously (not webgpu in Node: use the async form).
 */
export function knnCosineTopKGpu(features: Float32Array | tf.Tensor2D, n: number, dim: number, k: number): KnnResult {
  const p = plan(features, n, dim, k);
  try {
    for (const { r0, rows } of p.blocks) {
      const top = blockTop(p, r0, rows);
      try {
        store(p, r0, rows, top[0].dataSync() as Int32Array, top[1].dataSync() as Float32Array);
      } finally {
        tf.dispose(top);
      }
    }
  } finally {
    p.unit.dispose();
  }
  return { indices: p.indices, values: p.values };
}

/** knnCosineTopKGpu with asynchronous reads (the only kind webgpu has in Node). */
export async function knnCosineTopKGpuAsync(features: Float32Array | tf.Tensor2D, n: number, dim: number, k: number): Promise<KnnResult> {
  const p = plan(features, n, dim, k);
  try {
    for (const { r0, rows } of p.blocks) {
      const top = blockTop(p, r0, rows);
      try {
        store(p, r0, rows, (await top[0].data()) as Int32Array, (await top[1].data()) as Float32Array);
      } finally {
        tf.dispose(top);
      }
    }
  } finally {
    p.unit.dispose();
  }
  return { indices: p.indices, values: p.values };
}
