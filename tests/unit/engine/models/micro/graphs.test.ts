// Eq. 1-3 of the item graphs (models/micro/graphs.ts) against a dense oracle written here on plain
// arrays: the n×n cosine matrix, top-k per row (self kept, ties to the lower index), Ŝ as a dense
// matrix, then Â = D^-½ Ŝ D^-½ by dense matrix products, D = diag of Ŝ's row sums, 1/√d → 0 for
// d ≤ 0 (the reference's rule). Production output is scattered back into an n×n matrix and compared
// entry by entry, so wrong values, wrong places and missing or extra edges all show.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { buildKnnGraph, learnedGraphPattern, learnedGraphValues, symNormalizeRows } from '../../../../../src/main/engine/models/micro/graphs';
import { gradCheck, randomTensor } from '../../../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('cpu');
});

const zeros = (n: number, m = n) => Array.from({ length: n }, () => new Array<number>(m).fill(0));
const dot = (u: number[], v: number[]) => u.reduce((s, x, q) => s + x * v[q], 0);
function matmul(A: number[][], B: number[][]): number[][] {
  return A.map((row) => B[0].map((_, c) => row.reduce((s, a, t) => s + a * B[t][c], 0)));
}
const diag = (v: number[]) => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));

/** The dense oracle: top-k index lists, Ŝ and Â (all n×n, plain numbers). */
function denseGraph(x: number[][], k: number) {
  const n = x.length;
  const norm = x.map((r) => Math.sqrt(dot(r, r)));
  const cos = x.map((r, i) => x.map((s, j) => (norm[i] > 0 && norm[j] > 0 ? dot(r, s) / (norm[i] * norm[j]) : 0)));
  const S = zeros(n);
  const top = cos.map((row, i) => {
    const order = row.map((_, j) => j).sort((p, q) => row[q] - row[p] || p - q).slice(0, k);
    for (const j of order) S[i][j] = cos[i][j];
    return order;
  });
  const deg = S.map((row) => row.reduce((s, v) => s + v, 0));
  const Dm = diag(deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0)));
  return { top, S, deg, A: matmul(matmul(Dm, S), Dm) };
}

/** Production's n·k edge list as a dense n×n matrix. */
function scatter(cols: Int32Array, values: ArrayLike<number>, n: number, k: number): number[][] {
  const M = zeros(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) M[i][cols[i * k + t]] += values[i * k + t];
  return M;
}
function expectDenseClose(got: number[][], want: number[][]): void {
  for (let i = 0; i < want.length; i++) for (let j = 0; j < want.length; j++) expect(got[i][j], `entry (${i}, ${j})`).toBeCloseTo(want[i][j], 5);
}

// Item 5 is all zeros (degree 0); the graph is directed, so row sums differ from column sums.
const ITEMS = [
  [1, 0.2, 0.1],
  [0.9, 0.5, -0.2],
  [0.1, 1, 0.3],
  [-0.3, 0.8, 0.9],
  [0.2, -0.1, 1],
  [0, 0, 0],
  [0.7, -0.6, 0.4],
  [-0.9, 0.3, -0.2],
];
// Row 0's neighbours are all strongly negative: its degree is 1 − 0.99 − 0.99 < 0, so its weights are 0.
const NEGATIVE = [
  [1, 0],
  [-1, 0.1],
  [-1, -0.1],
  [-1, 0.02],
];

describe('eq. 3 (D^-½ Ŝ D^-½) against a dense oracle', () => {
  for (const [name, items, k] of [['mixed items with a zero row', ITEMS, 3], ['a row of negative degree', NEGATIVE, 3]] as const) {
    it(`initial graph (buildKnnGraph, symNormalizeRows): ${name}`, () => {
      const n = items.length;
      const dim = items[0].length;
      const { top, S, deg, A } = denseGraph(items.map((r) => [...r]), k);
      const g = buildKnnGraph(Float32Array.from(items.flat()), n, dim, k);
      expect(g.k).toBe(k);
      expect(Array.from(g.pattern.rows)).toEqual(top.flatMap((_, i) => new Array<number>(k).fill(i)));
      expect(Array.from(g.pattern.cols)).toEqual(top.flat());
      expectDenseClose(scatter(g.pattern.cols, g.cosine, n, k), S);
      expectDenseClose(scatter(g.pattern.cols, g.values, n, k), A);
      expectDenseClose(scatter(g.pattern.cols, symNormalizeRows(g.cosine, g.pattern.cols, n, k), n, k), A);
      expect(Array.from(g.values).every(Number.isFinite)).toBe(true);
      // The cases discriminate: a degree that is not positive, and row sums ≠ column sums.
      expect(deg.some((d) => d <= 0)).toBe(true);
      const colSums = S[0].map((_, j) => S.reduce((s, row) => s + row[j], 0));
      expect(deg.some((d, j) => Math.abs(d - colSums[j]) > 0.1)).toBe(true);
    });

    it(`learned graph (learnedGraphPattern, learnedGraphValues): ${name}`, () => {
      const n = items.length;
      const { top, A } = denseGraph(items.map((r) => [...r]), k);
      const x = tf.tensor2d(items.map((r) => [...r]));
      const pattern = learnedGraphPattern(x, k);
      expect(Array.from(pattern.cols)).toEqual(top.flat());
      expectDenseClose(scatter(pattern.cols, learnedGraphValues(x, pattern).dataSync(), n, k), A);
      x.dispose();
    });
  }
});

// Eq. 1-4 on chosen pairs against a brute-force cosine, with finite-difference gradients.
describe('learned graph values (eq. 1-4 on chosen pairs)', () => {
  it('equal the symmetric-normalised kNN of a brute-force cosine, and differentiate correctly', () => {
    const x = randomTensor([9, 5], 21) as tf.Tensor2D;
    const k = 3;
    const pattern = learnedGraphPattern(x, k);
    const values = learnedGraphValues(x, pattern).dataSync();
    const rows = x.arraySync() as number[][];
    const cos = (i: number, j: number) => {
      const d = rows[i].reduce((s, v, q) => s + v * rows[j][q], 0);
      return d / Math.sqrt(rows[i].reduce((s, v) => s + v * v, 0) * rows[j].reduce((s, v) => s + v * v, 0));
    };
    // brute force: dense top-k per row with self kept, then D^-1/2 S D^-1/2 with row-sum degrees
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < 9; i++) {
      const order = Array.from({ length: 9 }, (_, j) => j).sort((p, q) => cos(i, q) - cos(i, p) || p - q);
      for (const j of order.slice(0, k)) {
        idx.push(j);
        val.push(cos(i, j));
      }
    }
    expect(Array.from(pattern.cols)).toEqual(idx);
    const want = symNormalizeRows(Float32Array.from(val), Int32Array.from(idx), 9, k);
    want.forEach((w, i) => expect(values[i]).toBeCloseTo(w, 5));
    const weights = randomTensor([27], 5);
    const r = gradCheck((t) => tf.sum(tf.mul(learnedGraphValues(t as tf.Tensor2D, pattern), weights)) as tf.Scalar, [x], { eps: 1e-3 });
    expect(r.maxRelErr).toBeLessThan(2e-2);
  });
  it('buildKnnGraph keeps self-loops and real cosine weights (reference semantics)', () => {
    const f = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]);
    const g = buildKnnGraph(f, 4, 2, 2);
    expect(Array.from(g.pattern.cols)).toEqual([0, 1, 1, 0, 2, 3, 3, 2]);
    expect(g.cosine[0]).toBeCloseTo(1, 6);
    expect(g.cosine[1]).toBeCloseTo(0.9 / Math.sqrt(0.82), 6);
  });
});
