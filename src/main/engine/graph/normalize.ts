// Item-graph normalisation, mixing and plain-JS sparse products (paper eq. 3 and 5; docs/model.md,
// 'Graph normalisation' and 'Skip connection'). CSR versions of what the model does in
// models/micro/graphs.ts and ops.ts, kept as a readable, separately tested statement of the rules.
//
// Reference semantics (the public MICRO code's `norm.py`):
//   sym: d_i = row sum of the kNN matrix (out-degree, real cosine weights, self-loop included);
//        edge ij -> v_ij / (sqrt(d_i) * sqrt(d_j)), with d_j node j's OWN row sum; 1/sqrt(0) -> 0.
//   rw:  edge ij -> v_ij / d_i  (D^-1 S), 1/0 -> 0.
// The graph stays directed; nothing is symmetrised or binarised. A non-positive degree (only
// possible with negative cosines) is treated like 0 (weight 0) instead of producing NaN.
//
// Entries with index -1 (padding of rows with fewer than k candidates) are ignored everywhere.

/** A kNN graph as produced by knnCosineTopK: n rows of k (index, value) pairs, row-major. */
export interface KnnGraph {
  indices: Int32Array;
  values: Float32Array;
}

/** Compressed sparse rows. Column indices within a row are sorted ascending and unique. */
export interface SparseCsr {
  nRows: number;
  nCols: number;
  indptr: Int32Array; // length nRows + 1
  indices: Int32Array; // column ids, length nnz
  values: Float32Array; // length nnz
}

function kOf(g: KnnGraph, n: number): number {
  if (g.indices.length !== g.values.length) throw new RangeError('knn graph: indices/values length mismatch');
  if (n === 0) return 0;
  if (g.indices.length % n !== 0) throw new RangeError(`knn graph: length ${g.indices.length} is not a multiple of n=${n}`);
  return g.indices.length / n;
}

/** Row sums d_i of the kNN matrix (double precision). */
export function knnRowSums(g: KnnGraph, n: number): Float64Array {
  const k = kOf(g, n);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * k;
    for (let p = base; p < base + k; p++) if (g.indices[p] >= 0) s += g.values[p];
    d[i] = s;
  }
  return d;
}

/** D^-1/2 S D^-1/2 on the kNN edges (d = row sums); same indices (copied), new values. */
export function symNormalizeKnn(g: KnnGraph, n: number): KnnGraph {
  const k = kOf(g, n);
  const d = knnRowSums(g, n);
  const dis = new Float64Array(n);
  for (let i = 0; i < n; i++) dis[i] = d[i] > 0 ? 1 / Math.sqrt(d[i]) : 0;
  const values = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    const di = dis[i];
    for (let p = base; p < base + k; p++) {
      const j = g.indices[p];
      values[p] = j >= 0 ? g.values[p] * di * dis[j] : 0;
    }
  }
  return { indices: g.indices.slice(), values };
}

/** D^-1 S on the kNN edges (d = row sums); same indices (copied), new values. */
export function rwNormalizeKnn(g: KnnGraph, n: number): KnnGraph {
  const k = kOf(g, n);
  const d = knnRowSums(g, n);
  const values = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    const di = d[i] > 0 ? 1 / d[i] : 0;
    for (let p = base; p < base + k; p++) values[p] = g.indices[p] >= 0 ? g.values[p] * di : 0;
  }
  return { indices: g.indices.slice(), values };
}

/** CSR (n x nCols, default n x n) from a kNN graph; -1 padding dropped, columns sorted per row. */
export function csrFromKnn(g: KnnGraph, n: number, nCols: number = n): SparseCsr {
  const k = kOf(g, n);
  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (let p = i * k; p < (i + 1) * k; p++) if (g.indices[p] >= 0) nnz++;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let q = 0;
  for (let i = 0; i < n; i++) {
    const start = q;
    for (let p = i * k; p < (i + 1) * k; p++) {
      const j = g.indices[p];
      if (j < 0) continue;
      if (j >= nCols) throw new RangeError(`csrFromKnn: column ${j} out of range (nCols=${nCols})`);
      // insertion into the sorted row segment [start, q)
      const v = g.values[p];
      let r = q;
      while (r > start && indices[r - 1] > j) {
        indices[r] = indices[r - 1];
        values[r] = values[r - 1];
        r--;
      }
      if (r > start && indices[r - 1] === j) throw new RangeError(`csrFromKnn: duplicate column ${j} in row ${i}`);
      indices[r] = j;
      values[r] = v;
      q++;
    }
  }
  return { nRows: n, nCols, indptr, indices, values };
}

/**
 * (1 - lambda) * a + lambda * b as the union of both sparsity patterns (up to nnz_a + nnz_b per
 * row; coinciding entries summed). Rows are NOT renormalised afterwards (reference behaviour).
 * In MICRO's eq. 5, `a` is the learned graph and `b` the original graph: lambda weights the original.
 */
export function mixGraphs(a: SparseCsr, b: SparseCsr, lambda: number): SparseCsr {
  if (a.nRows !== b.nRows || a.nCols !== b.nCols) {
    throw new RangeError(`mixGraphs: shape mismatch ${a.nRows}x${a.nCols} vs ${b.nRows}x${b.nCols}`);
  }
  const n = a.nRows;
  const wa = 1 - lambda;
  const wb = lambda;
  const indptr = new Int32Array(n + 1);
  // pass 1: union sizes
  for (let i = 0; i < n; i++) {
    let p = a.indptr[i];
    let q = b.indptr[i];
    const pe = a.indptr[i + 1];
    const qe = b.indptr[i + 1];
    let c = 0;
    while (p < pe && q < qe) {
      const ca = a.indices[p];
      const cb = b.indices[q];
      if (ca <= cb) p++;
      if (cb <= ca) q++;
      c++;
    }
    c += pe - p + (qe - q);
    indptr[i + 1] = indptr[i] + c;
  }
  const nnz = indptr[n];
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    let p = a.indptr[i];
    let q = b.indptr[i];
    const pe = a.indptr[i + 1];
    const qe = b.indptr[i + 1];
    let o = indptr[i];
    while (p < pe || q < qe) {
      const ca = p < pe ? a.indices[p] : 0x7fffffff;
      const cb = q < qe ? b.indices[q] : 0x7fffffff;
      if (ca < cb) {
        indices[o] = ca;
        values[o] = wa * a.values[p++];
      } else if (cb < ca) {
        indices[o] = cb;
        values[o] = wb * b.values[q++];
      } else {
        indices[o] = ca;
        values[o] = wa * a.values[p++] + wb * b.values[q++];
      }
      o++;
    }
  }
  return { nRows: n, nCols: a.nCols, indptr, indices, values };
}

/** A (nRows x nCols) times H (n x d, n = nCols), row-major; returns nRows x d. */
export function spmmDense(csr: SparseCsr, H: Float32Array, n: number, d: number): Float32Array {
  if (n !== csr.nCols) throw new RangeError(`spmmDense: H has ${n} rows, matrix has ${csr.nCols} columns`);
  if (H.length < n * d) throw new RangeError(`spmmDense: H has ${H.length} values, expected ${n * d}`);
  const out = new Float32Array(csr.nRows * d);
  const acc = new Float64Array(d);
  for (let i = 0; i < csr.nRows; i++) {
    acc.fill(0);
    for (let p = csr.indptr[i]; p < csr.indptr[i + 1]; p++) {
      const w = csr.values[p];
      const h = csr.indices[p] * d;
      for (let c = 0; c < d; c++) acc[c] += w * H[h + c];
    }
    out.set(acc, i * d);
  }
  return out;
}

/** A^T (nCols x nRows) times H (n x d, n = nRows), row-major; returns nCols x d. */
export function spmmTransposeDense(csr: SparseCsr, H: Float32Array, n: number, d: number): Float32Array {
  if (n !== csr.nRows) throw new RangeError(`spmmTransposeDense: H has ${n} rows, matrix has ${csr.nRows} rows`);
  if (H.length < n * d) throw new RangeError(`spmmTransposeDense: H has ${H.length} values, expected ${n * d}`);
  const acc = new Float64Array(csr.nCols * d);
  for (let i = 0; i < csr.nRows; i++) {
    const h = i * d;
    for (let p = csr.indptr[i]; p < csr.indptr[i + 1]; p++) {
      const w = csr.values[p];
      const o = csr.indices[p] * d;
      for (let c = 0; c < d; c++) acc[o + c] += w * H[h + c];
    }
  }
  return Float32Array.from(acc);
}

/** Dense row-major copy (for tests / small inspections only). */
export function csrToDense(csr: SparseCsr): Float64Array {
  const out = new Float64Array(csr.nRows * csr.nCols);
  for (let i = 0; i < csr.nRows; i++) {
    for (let p = csr.indptr[i]; p < csr.indptr[i + 1]; p++) out[i * csr.nCols + csr.indices[p]] += csr.values[p];
  }
  return out;
}
