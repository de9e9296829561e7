// Row and column layout ops with gradients (gathers, scatters, row blocks, column stacks) for the
// wasm/cpu backends, where the stock kernels are slow: tf.gather walks element by element, and
// tf.concat / tf.split / tf.slice copy whole tensors (or loop per row in JS) where only a few rows
// or columns move. Rows are copied in JS, reading and writing the wasm heap in place (heap.ts).
// Each gives exactly the values (and gradients) of the stock op it replaces. Re-exported by ops.ts.
import { onGpu, tf } from './backend';
import { gatherRowsGpu } from './ops-gpu';
import { tensorFrom, valuesView } from './heap';
import { customOp } from './custom-op';

/** Rows idx of a row-major n×d array into `out` (idx.length×d): a copy per row. */
function copyRows(src: Float32Array, idx: Int32Array, d: number, out: Float32Array): void {
  if (d >= 16) {
    for (let r = 0; r < idx.length; r++) out.set(src.subarray(idx[r] * d, idx[r] * d + d), r * d);
  } else {
    for (let r = 0; r < idx.length; r++) for (let c = 0; c < d; c++) out[r * d + c] = src[idx[r] * d + c];
  }
}

/** Rows idx of a row-major n×d array. */
export function takeRows(src: Float32Array, idx: Int32Array, d: number): Float32Array {
  const out = new Float32Array(idx.length * d);
  copyRows(src, idx, d, out);
  return out;
}

/**
 * table[idx] with a scatter-add gradient. The forward copies rows in JS: tf.gather on the wasm
 * backend walks element by element (~100× slower for 64-wide rows).
 */
export function gatherRows(table: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  if (onGpu()) return gatherRowsGpu(table, idx);
  const [n, d] = table.shape;
  for (const i of idx) if (!(i >= 0 && i < n)) throw new RangeError(`gatherRows: row ${i} outside a table of ${n} rows`);
  const op = customOp<tf.Tensor2D>((t: tf.Tensor) => {
    const value = tensorFrom<tf.Rank.R2>([idx.length, d], (out) => copyRows(valuesView(t), idx, d, out));
    const gradFunc = (dy: tf.Tensor) => [
      tensorFrom([n, d], (out) => {
        out.fill(0);
        scatterAddInto(idx, valuesView(dy), d, out);
      }),
    ];
    return { value, gradFunc };
  });
  return op(table);
}

/** out[idx[r]] += g[r] for each row r (in order: duplicates sum in batch order). */
function scatterAddInto(idx: Int32Array, g: Float32Array, d: number, out: Float32Array): void {
  for (let r = 0; r < idx.length; r++) {
    const src = r * d;
    const dst = idx[r] * d;
    for (let c = 0; c < d; c++) out[dst + c] += g[src + c];
  }
}

/** out (n×d) with out[idx[r]] += g[r]. */
export function scatterAddRows(idx: Int32Array, g: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  scatterAddInto(idx, g, d, out);
  return out;
}

/**
 * [a; b] (rows of a, then rows of b). tf.concat's gradient is a split, whose wasm slices copy
 * the whole gradient once per part; here each part copies only its own rows.
 */
export function concatRows(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (onGpu()) return tf.concat([a, b], 0);
  const [na, d] = a.shape;
  const nb = b.shape[0];
  const op = customOp<tf.Tensor2D>((x: tf.Tensor, y: tf.Tensor) => ({
    value: tf.concat([x as tf.Tensor2D, y as tf.Tensor2D], 0),
    gradFunc: (dy: tf.Tensor) => [
      tensorFrom([na, d], (out) => out.set(valuesView(dy).subarray(0, na * d))),
      tensorFrom([nb, d], (out) => out.set(valuesView(dy).subarray(na * d, (na + nb) * d))),
    ],
  }));
  return op(a, b);
}

/** Rows r0 … r0+rows−1 of x (a copy of those rows only, unlike the wasm slice kernel). */
export function sliceRows(x: tf.Tensor2D, r0: number, rows: number): tf.Tensor2D {
  if (onGpu()) return tf.slice(x, [r0, 0], [rows, -1]);
  const [n, d] = x.shape;
  if (r0 < 0 || rows < 0 || r0 + rows > n) throw new RangeError(`sliceRows: rows ${r0}…${r0 + rows - 1} outside a table of ${n} rows`);
  const op = customOp<tf.Tensor2D>((t: tf.Tensor) => ({
    value: tensorFrom<tf.Rank.R2>([rows, d], (out) => out.set(valuesView(t).subarray(r0 * d, (r0 + rows) * d))),
    gradFunc: (dy: tf.Tensor) => [
      tensorFrom([n, d], (out) => {
        out.fill(0, 0, r0 * d);
        out.set(valuesView(dy), r0 * d);
        out.fill(0, (r0 + rows) * d);
      }),
    ],
  }));
  return op(x);
}

/** Gather from a 1-D tensor with a scatter-add gradient. */
export function gatherVector(v: tf.Tensor1D, idx: Int32Array): tf.Tensor1D {
  return tf.reshape(gatherRows(tf.reshape(v, [-1, 1]) as tf.Tensor2D, idx), [-1]) as tf.Tensor1D;
}

/**
 * [parts[0] parts[1] …] side by side (tf.concat on axis 1, whose wasm kernel and gradient (a split)
 * loop over rows in JS, ~0.5-2.5 ms for 6,710 rows of a few columns; here one pass over the values).
 */
export function concatColumns(parts: tf.Tensor2D[]): tf.Tensor2D {
  if (onGpu() || parts.length < 2) return tf.concat(parts, 1);
  const n = parts[0].shape[0];
  for (const p of parts) if (p.shape[0] !== n) throw new Error(`concatColumns: parts have ${parts.map((q) => q.shape[0]).join(', ')} rows`);
  const widths = parts.map((p) => p.shape[1]);
  const offsets = widths.map((_, m) => widths.slice(0, m).reduce((a, b) => a + b, 0));
  const total = offsets[parts.length - 1] + widths[parts.length - 1];
  const op = customOp<tf.Tensor2D>((...args: unknown[]) => {
    const xs = args.slice(0, parts.length) as tf.Tensor[];
    const value = tensorFrom<tf.Rank.R2>([n, total], (out) => {
      xs.forEach((x, m) => {
        const v = valuesView(x);
        const [w, o] = [widths[m], offsets[m]];
        for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) out[i * total + o + j] = v[i * w + j];
      });
    });
    const gradFunc = (dy: tf.Tensor) =>
      widths.map((w, m) =>
        tensorFrom([n, w], (out) => {
          const g = valuesView(dy);
          for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) out[i * w + j] = g[i * total + offsets[m] + j];
        }),
      );
    return { value, gradFunc };
  });
  return op(...parts);
}

/**
 * tf.sum(x, 1, keepDims) with the gradient tf.sum's own gives (dy repeated along each row), whose
 * all-ones factor comes from a fill kernel rather than a table TF.js builds in JS (~1 ms for
 * 6,710×64); x is not kept for the backward either.
 */
export function rowSum(x: tf.Tensor2D, keepDims = false): tf.Tensor {
  if (onGpu()) return tf.sum(x, 1, keepDims);
  const [n, d] = x.shape;
  const op = customOp<tf.Tensor>((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return { value: tf.sum(t, 1, keepDims), gradFunc: (dy: tf.Tensor) => [tf.mul(tf.reshape(dy, [n, 1]), tf.fill([n, d], 1))] };
  });
  return op(x);
}
