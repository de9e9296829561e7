// Differentiable building blocks the stock TF.js kernels lack or make slow on wasm/cpu:
// - spmm / propagate / edgeDots: sparse (COO) x dense with gradients into both the edge values and
//   the dense matrix; TF.js has no sparse matmul.
// - matMul, constMatMul, l2Normalize: dense ops whose stock gradients are slow on wasm.
// - row and column layout ops (gathers with a scatter-add gradient, …): ops-rows.ts, re-exported.
// The sparse multiply-adds run on WebAssembly SIMD kernels (kernels/simd/sparse.ts) when the row
// width is a multiple of 4, else in JS on typed arrays (5-10× slower per multiply-add than one
// would hope), reading their inputs in place on the wasm heap (heap.ts). On a GPU backend (webgpu)
// they are stock TF.js ops instead (ops-gpu.ts): nothing is read back.
import { onGpu, tf } from './backend';
import { edgeDotsGpu, propagateGpu, spmmGpu } from './ops-gpu';
import type { SparsePattern } from './types';
import { valuesView } from './heap';
import { nativeKernels } from './kernels/choice';
import { propagateNative } from './kernels/native/sparse';
import { customOp } from './custom-op';
import { edgeDotsBackwardSimd, edgeDotsSimd, propagateSimd, sparseSimdAvailable, spmmBackwardSimd, spmmSimd } from './kernels/simd/sparse';

export type { SparsePattern };
export { customOp, untaped } from './custom-op';
export { concatColumns, concatRows, gatherRows, gatherVector, rowSum, scatterAddRows, sliceRows, takeRows } from './ops-rows';
import { rowSum } from './ops-rows';

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

/**
 * readSync's asynchronous form, the one that works on every backend (webgpu in Node can only map
 * GPU buffers on the event loop). The result is a private copy (the cpu backend's data() would
 * otherwise hand out its own storage).
 */
export async function readAsync(f: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(f);
  try {
    return ((await t.data()) as Float32Array).slice();
  } finally {
    t.dispose();
  }
}

/** Values of several scalars in ONE readback (stacked on the backend): one sync point, not n. */
export async function readScalars(scalars: tf.Scalar[]): Promise<number[]> {
  if (scalars.length === 0) return [];
  const packed = tf.tidy(() => (scalars.length === 1 ? tf.reshape(scalars[0], [1]) : tf.stack(scalars)));
  try {
    return Array.from(await packed.data());
  } finally {
    packed.dispose();
  }
}

/** Host copies of many tensors (e.g. all variables for a checkpoint), read concurrently. */
export async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => ((await t.data()) as Float32Array).slice()));
}

/**
 * v_e = <h[rows_e], h[cols_e]> for every edge of a pattern over one table (n×d), with gradient
 * dh[rows_e] += g_e·h[cols_e], dh[cols_e] += g_e·h[rows_e]. Replaces two nnz-row gathers.
 */
export function edgeDots(h: tf.Tensor2D, p: SparsePattern): tf.Tensor1D {
  if (onGpu()) return edgeDotsGpu(h, p);
  const [n, d] = h.shape;
  const { rows, cols } = p;
  const simd = sparseSimdAvailable(d);
  const op = customOp<tf.Tensor1D>((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const hx = x.dataSync() as Float32Array;
    let v: Float32Array;
    if (simd) v = edgeDotsSimd(rows, cols, hx, d);
    else {
      v = new Float32Array(rows.length);
      for (let e = 0; e < rows.length; e++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += hx[rows[e] * d + c] * hx[cols[e] * d + c];
        v[e] = s;
      }
    }
    const gradFunc = (dy: tf.Tensor) => {
      const g = dy.dataSync() as Float32Array;
      let dh: Float32Array;
      if (simd) dh = edgeDotsBackwardSimd(rows, cols, hx, g, n, d);
      else {
        dh = new Float32Array(n * d);
        for (let e = 0; e < rows.length; e++) {
          const r = rows[e] * d;
          const c0 = cols[e] * d;
          for (let c = 0; c < d; c++) {
            dh[r + c] += g[e] * hx[c0 + c];
            dh[c0 + c] += g[e] * hx[r + c];
          }
        }
      }
      return [tf.tensor2d(dh, [n, d])];
    };
    return { value: tf.tensor1d(v), gradFunc };
  });
  return op(h);
}

/** Forward of A·H for a COO pattern (rows ascending): SIMD kernel, or plain JS. */
export function spmmForward(p: SparsePattern, vals: Float32Array, h: Float32Array, d: number): Float32Array {
  if (sparseSimdAvailable(d)) return spmmSimd(p.rows, p.cols, vals, p.nRows, h, d);
  return spmmForwardJs(p, vals, h, d);
}

/** Plain-JS forward of A·H (the reference of the SIMD kernel). */
export function spmmForwardJs(p: SparsePattern, vals: Float32Array, h: Float32Array, d: number): Float32Array {
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
 * Gradients of A·H: dH = Aᵀ·g and dvalues_e = <g[row_e], H[col_e]> (skipped, i.e. zeros,
 * when `wantValues` is false).
 */
export function spmmBackward(
  p: SparsePattern,
  vals: Float32Array,
  hx: Float32Array,
  g: Float32Array,
  d: number,
  wantValues = true,
): { dh: Float32Array; dv: Float32Array } {
  if (sparseSimdAvailable(d)) {
    const r = spmmBackwardSimd(p.rows, p.cols, vals, p.nCols, hx, g, d, wantValues);
    return { dh: r.dh, dv: r.dv ?? new Float32Array(vals.length) };
  }
  const dh = new Float32Array(p.nCols * d);
  const dv = new Float32Array(vals.length);
  const { rows, cols } = p;
  for (let e = 0; e < rows.length; e++) {
    const gr = rows[e] * d;
    const hc = cols[e] * d;
    const ve = vals[e];
    for (let c = 0; c < d; c++) dh[hc + c] += ve * g[gr + c];
    if (!wantValues) continue;
    let acc = 0;
    for (let c = 0; c < d; c++) acc += g[gr + c] * hx[hc + c];
    dv[e] = acc;
  }
  return { dh, dv };
}

/**
 * out = A·H where A has pattern `p` and edge values `values` (length nnz; duplicates summed).
 * Gradients: dH = Aᵀ·dy, dvalues_e = <dy[row_e], H[col_e]>. Pass `constValues` when the values
 * are a constant (fixed graphs): their gradient is then returned as zeros without computing it.
 */
export function spmm(p: SparsePattern, values: tf.Tensor1D, h: tf.Tensor2D, constValues = false): tf.Tensor2D {
  const d = h.shape[1];
  if (h.shape[0] !== p.nCols) throw new Error(`spmm: dense rows ${h.shape[0]} != sparse cols ${p.nCols}`);
  if (values.shape[0] !== p.rows.length) throw new Error(`spmm: ${values.shape[0]} values for ${p.rows.length} edges`);
  if (onGpu()) return spmmGpu(p, values, h);
  const op = customOp<tf.Tensor2D>((v: tf.Tensor, x: tf.Tensor, save: tf.GradSaveFunc) => {
    const vals = v.dataSync() as Float32Array;
    const hx = x.dataSync() as Float32Array;
    save([]);
    const value = tf.tensor2d(spmmForward(p, vals, hx, d), [p.nRows, d]);
    const gradFunc = (dy: tf.Tensor) => {
      const { dh, dv } = spmmBackward(p, vals, hx, dy.dataSync() as Float32Array, d, !constValues);
      return [tf.tensor1d(dv), tf.tensor2d(dh, [p.nCols, d])];
    };
    return { value, gradFunc };
  });
  return op(values, h);
}

/**
 * A·H for a constant sparse A whose values stay on the host (fixed graphs, e.g. MICRO's user-mean
 * pattern): nothing is uploaded per call and the gradient is dH = Aᵀ·dy only. Same results as
 * spmm(p, tensor1d(values), h, true).
 */
export function spmmFixed(p: SparsePattern, values: Float32Array, h: tf.Tensor2D): tf.Tensor2D {
  if (onGpu()) return spmm(p, tf.tensor1d(values), h, true);
  const d = h.shape[1];
  if (h.shape[0] !== p.nCols) throw new Error(`spmmFixed: dense rows ${h.shape[0]} != sparse cols ${p.nCols}`);
  if (values.length !== p.rows.length) throw new Error(`spmmFixed: ${values.length} values for ${p.rows.length} edges`);
  const op = customOp<tf.Tensor2D>((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const value = tf.tensor2d(spmmForward(p, values, valuesView(x), d), [p.nRows, d]);
    const gradFunc = (dy: tf.Tensor) => [tf.tensor2d(spmmBackward(p, values, NO_VALUES, valuesView(dy), d, false).dh, [p.nCols, d])];
    return { value, gradFunc };
  });
  return op(h);
}
const NO_VALUES = new Float32Array(0);

/**
 * L layers of propagation over a fixed square graph (constant edge values, no gradient into
 * them): A^L·h ('last', item-graph convolution) or the mean of h, A·h, …, A^L·h ('mean',
 * LightGCN). One op instead of L spmm ops, on the native CSR kernel or the wasm one (the same
 * results bit for bit; fewer copies and TF ops); the backward is the same propagation with Aᵀ.
 */
export function propagate(p: SparsePattern, values: Float32Array, h: tf.Tensor2D, layers: number, mode: 'last' | 'mean'): tf.Tensor2D {
  const [n, d] = h.shape;
  if (p.nRows !== p.nCols || p.nCols !== n) throw new Error(`propagate: needs a square ${n}×${n} pattern, got ${p.nRows}×${p.nCols}`);
  if (onGpu()) return propagateGpu(p, values, h, layers, mode);
  const nat = nativeKernels();
  const kernel: ((x: Float32Array, transpose: boolean) => Float32Array) | null = nat
    ? (x, transpose) => propagateNative(nat, p, values, x, d, layers, mode, transpose)
    : sparseSimdAvailable(d)
      ? (x, transpose) => propagateSimd(p.rows, p.cols, values, n, x, d, layers, mode, transpose)
      : null;
  if (!kernel) {
    const v = tf.tensor1d(values);
    let e = h;
    let sum = h;
    for (let l = 0; l < layers; l++) {
      e = spmm(p, v, e, true);
      sum = tf.add(sum, e);
    }
    return mode === 'mean' ? (tf.div(sum, layers + 1) as tf.Tensor2D) : e;
  }
  const op = customOp<tf.Tensor2D>((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const out = kernel(valuesView(x), false);
    const gradFunc = (dy: tf.Tensor) => [tf.tensor2d(kernel(valuesView(dy), true), [n, d])];
    return { value: tf.tensor2d(out, [n, d]), gradFunc };
  });
  return op(h);
}

/** A constant row-major n×k table that stays in JS memory (e.g. frozen raw item features). */
export interface HostMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/**
 * x·w for a constant x kept in JS memory, with a gradient into w only: dw = Σ_blocks x_bᵀ·dy_b.
 * x is uploaded one row block at a time, in the forward and again in the backward, so the backend
 * never holds the whole table nor a transposed copy: for Clothing's 23k×4096 image features that
 * is 377 MB (plus as much again in transposes and allocator slack) kept out of the wasm heap, whose
 * 4 GB ceiling and never-shrinking growth made peak RSS approach 3 GB. The extra uploads cost about
 * one memcpy of the table per call, and the call happens once per epoch (learned-graph rebuild).
 */
export function constMatMul(x: HostMatrix, w: tf.Tensor2D, blockRows = 2048): tf.Tensor2D {
  const { data, rows: n, cols: k } = x;
  if (data.length !== n * k) throw new RangeError(`constMatMul: table has ${data.length} values, expected ${n}×${k}`);
  if (w.shape[0] !== k) throw new RangeError(`constMatMul: inner dimensions differ (${n}×${k} · ${w.shape.join('×')})`);
  const block = (r0: number, rows: number) => tf.tensor2d(data.subarray(r0 * k, (r0 + rows) * k), [rows, k]);
  const op = customOp<tf.Tensor2D>((wi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const parts: tf.Tensor2D[] = [];
    for (let r0 = 0; r0 < n; r0 += blockRows) parts.push(tf.tidy(() => tf.matMul(block(r0, Math.min(blockRows, n - r0)), wi as tf.Tensor2D)));
    const value = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    if (parts.length > 1) tf.dispose(parts);
    const gradFunc = (dy: tf.Tensor) => {
      let dw: tf.Tensor2D | null = null;
      for (let r0 = 0; r0 < n; r0 += blockRows) {
        const rows = Math.min(blockRows, n - r0);
        // Explicit transpose: matMul's transposeA path is ~8× slower on wasm.
        const part = tf.tidy(() => tf.matMul(tf.transpose(block(r0, rows)), tf.slice(dy as tf.Tensor2D, [r0, 0], [rows, -1])) as tf.Tensor2D);
        if (dw) {
          const sum = tf.add(dw, part) as tf.Tensor2D;
          tf.dispose([dw, part]);
          dw = sum;
        } else dw = part;
      }
      return [dw ?? tf.zerosLike(wi)];
    };
    return { value, gradFunc };
  });
  return op(w);
}

/**
 * a·b with a gradient that uses explicit transposes. tf.matMul's own gradient multiplies with
 * transposeA/transposeB flags, which the wasm backend runs on a naive ~1 GFLOP/s path (vs ~10-15
 * for its XNNPACK path), e.g. 55 ms instead of ~5 ms for hᵀ·dy with h of 6710×64.
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = customOp<tf.Tensor2D>((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, y]);
    const value = tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved?: tf.Tensor[]) => {
      const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, transposed(ys)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    };
    return { value, gradFunc };
  });
  return op(a, b);
}

/** tᵀ; a reshape for a vector (same values, no transpose kernel). */
function transposed(t: tf.Tensor2D): tf.Tensor2D {
  const [r, c] = t.shape;
  return r === 1 || c === 1 ? tf.reshape(t, [c, r]) : tf.transpose(t);
}

/** Row-wise L2 normalisation, as torch's F.normalize (eps 1e-12). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = rowSum(tf.square(x) as tf.Tensor2D, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(sq, eps * eps))) as tf.Tensor2D;
  });
}

/**
 * l2Normalize with a hand-written backward: the kernels of its autodiff gradient, minus the
 * casts, ones and copies that add nothing (same values), and x's two gradient terms added here.
 * Backpropagation would add them to x's gradient one by one: the result is the same to the bit
 * when nothing else reaches x's gradient before this op's (x used only here, or here last in the
 * forward pass), else the same up to float rounding.
 */
export function l2NormalizeFused(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  const op = customOp<tf.Tensor2D>((t: tf.Tensor, save: tf.GradSaveFunc) => {
    const sq = rowSum(tf.square(t) as tf.Tensor2D, true);
    const m = tf.maximum(sq, eps * eps);
    const r = tf.rsqrt(m);
    save([t, sq, m, r]);
    const gradFunc = (dy: tf.Tensor, saved?: tf.Tensor[]) => {
      const [xs, sqs, ms, rs] = saved!;
      // d(x·r): dy·r into x, Σ_row dy·x into r; rsqrt′ = −½ m^−1.5; maximum passes where sq ≥ eps²;
      // the row sum repeats it along the row; square′ = 2x.
      const dr = tf.sum(tf.mul(dy, xs), 1, true);
      const dm = tf.neg(tf.div(dr, tf.mul(tf.pow(ms, 1.5), 2)));
      const ds = tf.mul(dm, tf.cast(tf.greaterEqual(sqs, eps * eps), 'float32'));
      return [tf.add(tf.mul(dy, rs), tf.mul(ds, tf.mul(xs, 2)))];
    };
    return { value: tf.mul(t, r) as tf.Tensor2D, gradFunc };
  });
  return op(x);
}

/** −log σ(x) written as softplus(−x): tfjs' logSigmoid gradient breaks on intermediate tensors. */
export function negLogSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.softplus(tf.neg(x));
}

/**
 * tanh(x) as 2·σ(2x) − 1: the wasm backend's Tanh is scalar libm (~10 ms per 430k values, MICRO's
 * attention input on TikTok), its Sigmoid XNNPACK SIMD (~2 ms for the three ops); equal to ~2e-7
 * absolute, and the gradient follows through the ops.
 */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
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
