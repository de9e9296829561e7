// Sparse propagation on the native kernel (sparse.c): the graph in CSR form, built once per
// pattern and direction (a WeakMap on the pattern object, so it goes with the graph) and handed to
// the kernel with the caller's arrays — no copies into wasm memory. Same results as
// simd/sparse.ts's propagateSimd, bit for bit.
import type { SparsePattern } from '../../types';
import type { NativeInfonce } from './load';

/** Rows of A (or of Aᵀ) in CSR form: entries of row r at ptr[r]..ptr[r+1), in the pattern's edge order. */
export interface Csr {
  ptr: Int32Array;
  /** Column of each entry. */
  idx: Int32Array;
  /** Edge index of each entry (its value is values[perm[q]]); null when the edges are already sorted by row. */
  perm: Int32Array | null;
}

/** CSR of the edges (dst[e] ← src[e]) grouped by dst, stable: each row keeps its edges in the order given. */
export function toCsr(dst: Int32Array, src: Int32Array, n: number): Csr {
  const ptr = new Int32Array(n + 1);
  let sorted = true;
  for (let e = 0; e < dst.length; e++) {
    const r = dst[e];
    if (!(r >= 0 && r < n)) throw new Error(`sparse pattern: edge ${e} has row ${r}, outside 0..${n - 1}`);
    ptr[r + 1]++;
    if (e > 0 && r < dst[e - 1]) sorted = false;
  }
  for (let r = 0; r < n; r++) ptr[r + 1] += ptr[r];
  if (sorted) return { ptr, idx: src, perm: null };
  const fill = ptr.slice(0, n);
  const idx = new Int32Array(dst.length);
  const perm = new Int32Array(dst.length);
  for (let e = 0; e < dst.length; e++) {
    const q = fill[dst[e]]++;
    idx[q] = src[e];
    perm[q] = e;
  }
  return { ptr, idx, perm };
}

const csrs = new WeakMap<SparsePattern, { forward?: Csr; transposed?: Csr }>();

/** The pattern's CSR (rows of A, or of Aᵀ with `transpose`), cached on the pattern. */
export function patternCsr(p: SparsePattern, transpose: boolean): Csr {
  let c = csrs.get(p);
  if (!c) csrs.set(p, (c = {}));
  if (transpose) return (c.transposed ??= toCsr(p.cols, p.rows, p.nCols));
  return (c.forward ??= toCsr(p.rows, p.cols, p.nRows));
}

/** propagateSimd's contract on the native kernel: A^L·h ('last') or the mean of h, A·h, …, A^L·h, with Aᵀ when `transpose`. */
export function propagateNative(nat: NativeInfonce, p: SparsePattern, values: Float32Array, h: Float32Array, d: number, layers: number, mode: 'last' | 'mean', transpose: boolean): Float32Array {
  const n = p.nRows;
  if (p.nCols !== n) throw new Error(`propagate: needs a square pattern, got ${p.nRows}×${p.nCols}`);
  if (values.length !== p.rows.length) throw new Error(`propagate: ${values.length} values for ${p.rows.length} edges`);
  const c = patternCsr(p, transpose);
  const out = new Float32Array(n * d);
  nat.propagate(c.ptr, c.idx, values, c.perm, h, d, layers, mode === 'mean' ? 1 : 0, out);
  return out;
}
