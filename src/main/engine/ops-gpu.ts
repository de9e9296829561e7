// GPU (webgpu) forms of ops.ts's sparse building blocks, from stock TF.js ops so that tensors
// never leave the device: the wasm/cpu forms run JS or wasm-SIMD loops on dataSync() copies,
// which on a GPU would read every operand back per batch. Gradients come from TF.js itself:
// gather's is UnsortedSegmentSum, UnsortedSegmentSum's is gather.
// Index arrays are uploaded per call (int32, nnz·4 bytes: an upload, never a readback).
import { tf } from './backend';
import type { SparsePattern } from './types';

const ints = (a: Int32Array) => tf.tensor1d(a, 'int32');

/** table[idx] (gradient: segment sum into the table's rows). */
export function gatherRowsGpu(table: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  return tf.tidy(() => tf.gather(table, ints(idx)) as tf.Tensor2D);
}

/** v_e = <h[rows_e], h[cols_e]>. */
export function edgeDotsGpu(h: tf.Tensor2D, p: SparsePattern): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.gather(h, ints(p.rows)), tf.gather(h, ints(p.cols))), 1) as tf.Tensor1D);
}

/** A·H for a COO pattern: out[row_e] += v_e·H[col_e] as gather + multiply + segment sum (CSR spmm). */
export function spmmGpu(p: SparsePattern, values: tf.Tensor1D, h: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const contrib = tf.mul(tf.gather(h, ints(p.cols)), tf.reshape(values, [-1, 1]));
    return tf.unsortedSegmentSum(contrib, ints(p.rows), p.nRows) as tf.Tensor2D;
  });
}

/** L layers over a fixed square graph: A^L·h ('last') or mean(h, A·h, …, A^L·h) ('mean'). */
export function propagateGpu(p: SparsePattern, values: Float32Array, h: tf.Tensor2D, layers: number, mode: 'last' | 'mean'): tf.Tensor2D {
  return tf.tidy(() => {
    const v = tf.tensor1d(values);
    const rows = ints(p.rows);
    const cols = ints(p.cols);
    const w = tf.reshape(v, [-1, 1]);
    let e = h;
    let sum = h;
    for (let l = 0; l < layers; l++) {
      e = tf.unsortedSegmentSum(tf.mul(tf.gather(e, cols), w), rows, p.nRows) as tf.Tensor2D;
      if (mode === 'mean') sum = tf.add(sum, e);
    }
    return mode === 'mean' ? (tf.div(sum, layers + 1) as tf.Tensor2D) : e;
  });
}
