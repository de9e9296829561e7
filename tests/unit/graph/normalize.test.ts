import { describe, expect, it } from 'vitest';
import { knnCosineTopK } from '../../../src/main/engine/graph/knn';
import {
  csrFromKnn,
  csrToDense,
  knnRowSums,
  mixGraphs,
  rwNormalizeKnn,
  spmmDense,
  spmmTransposeDense,
  symNormalizeKnn,
  type KnnGraph,
  type SparseCsr,
} from '../../../src/main/engine/graph/normalize';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
function randomArray(len: number, seed: number): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: len }, () => r() * 2 - 1);
}

/** Dense n x n matrix of a kNN graph (S_ij = v_ij on kept edges). */
function denseOfKnn(g: KnnGraph, n: number): number[][] {
  const k = g.indices.length / n;
  const S = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) if (g.indices[i * k + t] >= 0) S[i][g.indices[i * k + t]] = g.values[i * k + t];
  return S;
}

function matmul(A: number[][], B: number[][]): number[][] {
  return A.map((row) => B[0].map((_, c) => row.reduce((s, a, t) => s + a * B[t][c], 0)));
}
function diag(v: number[]): number[][] {
  return v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
}
function toRows(a: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => a[i * cols + j]));
}
function expectClose(a: number[][], b: number[][], digits = 5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) expect(a[i][j]).toBeCloseTo(b[i][j], digits);
}

// A graph with a zero-feature item (row sum 0) and a padded row.
function sampleGraph() {
  const n = 12, dim = 5, k = 4;
  const x = randomArray(n * dim, 11);
  for (let d = 0; d < dim; d++) x[d] = Math.abs(x[d]); // mostly positive similarities
  x.fill(0, 6 * dim, 7 * dim); // zero item 6: row sum 0
  const g = knnCosineTopK(x, n, dim, k, { clampNegative: true });
  return { n, k, g };
}

describe('graph normalisation', () => {
  it('symNormalizeKnn equals D^-1/2 S D^-1/2 with d = kNN row sums (1/sqrt(0) -> 0)', () => {
    const { n, g } = sampleGraph();
    const S = denseOfKnn(g, n);
    const d = S.map((row) => row.reduce((a, b) => a + b, 0));
    expect(d[6]).toBe(0);
    const dis = d.map((x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
    const expected = matmul(matmul(diag(dis), S), diag(dis));
    const got = symNormalizeKnn(g, n);
    expect(Array.from(got.indices)).toEqual(Array.from(g.indices));
    expectClose(denseOfKnn(got, n), expected);
    expect(got.values.every((v) => Number.isFinite(v))).toBe(true);
    expect(Array.from(knnRowSums(g, n)).map((x) => Math.fround(x))).toEqual(d.map((x) => Math.fround(x)));
  });

  it('uses d_j = row sum of j (not the column sum): hand example', () => {
    // 3 nodes, k = 2: row 0 -> {0: 1, 1: 0.5}, row 1 -> {1: 1, 2: 0.25}, row 2 -> {2: 1, 0: 0.5}
    const g: KnnGraph = { indices: Int32Array.from([0, 1, 1, 2, 2, 0]), values: Float32Array.from([1, 0.5, 1, 0.25, 1, 0.5]) };
    // d = [1.5, 1.25, 1.5]; edge (0,1) -> 0.5 / (sqrt(1.5) * sqrt(1.25))
    const sym = symNormalizeKnn(g, 3);
    expect(sym.values[1]).toBeCloseTo(0.5 / Math.sqrt(1.5 * 1.25), 7);
    expect(sym.values[0]).toBeCloseTo(1 / 1.5, 7);
    expect(sym.values[3]).toBeCloseTo(0.25 / Math.sqrt(1.25 * 1.5), 7);
    const rw = rwNormalizeKnn(g, 3);
    expect(Array.from(rw.values)).toEqual(Array.from(Float32Array.from([1 / 1.5, 0.5 / 1.5, 1 / 1.25, 0.25 / 1.25, 1 / 1.5, 0.5 / 1.5])));
  });

  it('rwNormalizeKnn equals D^-1 S', () => {
    const { n, g } = sampleGraph();
    const S = denseOfKnn(g, n);
    const d = S.map((row) => row.reduce((a, b) => a + b, 0));
    const expected = matmul(diag(d.map((x) => (x > 0 ? 1 / x : 0))), S);
    expectClose(denseOfKnn(rwNormalizeKnn(g, n), n), expected);
  });

  it('csrFromKnn builds sorted rows and skips -1 padding', () => {
    const g: KnnGraph = { indices: Int32Array.from([2, 0, 1, -1, 1, 0]), values: Float32Array.from([0.5, 1, 0.3, 0, 0.2, 0.1]) };
    const csr = csrFromKnn(g, 3);
    expect(Array.from(csr.indptr)).toEqual([0, 2, 3, 5]);
    expect(Array.from(csr.indices)).toEqual([0, 2, 1, 0, 1]);
    expect(Array.from(csr.values)).toEqual(Array.from(Float32Array.from([1, 0.5, 0.3, 0.1, 0.2])));
    const { n, g: g2 } = sampleGraph();
    expectClose(toRows(csrToDense(csrFromKnn(g2, n)), n, n), denseOfKnn(g2, n), 7);
  });

  it('mixGraphs = (1 - lambda) a + lambda b, union pattern, duplicates summed, no renormalisation', () => {
    const n = 10, k = 3;
    const ga = knnCosineTopK(randomArray(n * 4, 21), n, 4, k);
    const gb = knnCosineTopK(randomArray(n * 6, 22), n, 6, k);
    const a = csrFromKnn(symNormalizeKnn(ga, n), n);
    const b = csrFromKnn(symNormalizeKnn(gb, n), n);
    const lambda = 0.9;
    const mixed = mixGraphs(a, b, lambda);
    const A = toRows(csrToDense(a), n, n);
    const B = toRows(csrToDense(b), n, n);
    const expected = A.map((row, i) => row.map((v, j) => (1 - lambda) * v + lambda * B[i][j]));
    expectClose(toRows(csrToDense(mixed), n, n), expected, 6);
    // self-loops are in both graphs -> at least one shared entry per row, so < 2k nonzeros there
    for (let i = 0; i < n; i++) {
      const len = mixed.indptr[i + 1] - mixed.indptr[i];
      expect(len).toBeLessThanOrEqual(2 * k - 1);
      const cols = Array.from(mixed.indices.subarray(mixed.indptr[i], mixed.indptr[i + 1]));
      expect(cols).toEqual([...cols].sort((p, q) => p - q));
      expect(new Set(cols).size).toBe(cols.length);
    }
    // hand case: overlapping column summed
    const ha: SparseCsr = { nRows: 1, nCols: 3, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([0, 2]), values: Float32Array.from([1, 2]) };
    const hb: SparseCsr = { nRows: 1, nCols: 3, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([1, 2]), values: Float32Array.from([4, 8]) };
    const hm = mixGraphs(ha, hb, 0.25);
    expect(Array.from(hm.indices)).toEqual([0, 1, 2]);
    expect(Array.from(hm.values)).toEqual([0.75, 1, 0.75 * 2 + 0.25 * 8]);
    expect(() => mixGraphs(ha, { ...hb, nCols: 4 }, 0.5)).toThrow(RangeError);
  });

  it('spmmDense and spmmTransposeDense match dense products', () => {
    const n = 9, k = 4, d = 5;
    const g = symNormalizeKnn(knnCosineTopK(randomArray(n * 3, 31), n, 3, k), n);
    const csr = csrFromKnn(g, n);
    const A = toRows(csrToDense(csr), n, n);
    const H = randomArray(n * d, 32);
    const Hm = toRows(H, n, d);
    expectClose(toRows(spmmDense(csr, H, n, d), n, d), matmul(A, Hm), 5);
    const At = A[0].map((_, j) => A.map((row) => row[j]));
    expectClose(toRows(spmmTransposeDense(csr, H, n, d), n, d), matmul(At, Hm), 5);
    // rectangular
    const rect: SparseCsr = { nRows: 2, nCols: 3, indptr: Int32Array.from([0, 2, 3]), indices: Int32Array.from([0, 2, 1]), values: Float32Array.from([1, 2, 3]) };
    const H3 = Float32Array.from([1, 10, 2, 20, 3, 30]); // 3 x 2
    expect(Array.from(spmmDense(rect, H3, 3, 2))).toEqual([1 + 6, 10 + 60, 6, 60]);
    const H2 = Float32Array.from([1, 10, 2, 20]); // 2 x 2
    expect(Array.from(spmmTransposeDense(rect, H2, 2, 2))).toEqual([1, 10, 6, 60, 2, 20]);
    expect(() => spmmDense(rect, H2, 2, 2)).toThrow(RangeError);
  });
});
