import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/engine/backend';
import {
  constMatMul,
  edgeDots,
  gatherRows,
  l2Normalize,
  l2NormalizeFused,
  matMul,
  negLogSigmoid,
  scatterAddRows,
  tanh,
  spmm,
  spmmBackward,
  spmmForward,
  spmmForwardJs,
  spmmFixed,
  takeRows,
  untaped,
  type SparsePattern,
} from '../../../src/main/engine/ops';
import { lcg, maxAbs, maxDiff } from '../../helpers/arrays';
import { gradCheck, randomTensor } from '../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('cpu'); // tiny tensors: the reference backend keeps finite differences clean
});

const pattern: SparsePattern = {
  nRows: 4,
  nCols: 5,
  rows: Int32Array.from([0, 0, 1, 2, 2, 2, 3, 3]),
  cols: Int32Array.from([1, 4, 0, 2, 2, 3, 0, 4]), // (2,2) twice: duplicates are summed
};

describe('gatherRows', () => {
  it('matches tf.gather forward and scatters gradients (repeated indices add up)', () => {
    const table = randomTensor([6, 3], 1) as tf.Tensor2D;
    const idx = Int32Array.from([5, 0, 5, 2]);
    const ours = gatherRows(table, idx).arraySync();
    const ref = tf.gather(table, tf.tensor1d(idx, 'int32')).arraySync();
    expect(ours).toEqual(ref);
    const w = randomTensor([4, 3], 2);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(table).arraySync() as number[][];
    const wv = w.arraySync() as number[][];
    expect(g[5][1]).toBeCloseTo(wv[0][1] + wv[2][1], 6);
    expect(g[1]).toEqual([0, 0, 0]);
    const r = gradCheck((t) => tf.sum(tf.square(gatherRows(t as tf.Tensor2D, idx))), [table]);
    expect(r.maxRelErr).toBeLessThan(1e-2);
  });
});

describe('spmm', () => {
  it('forward equals the dense product with duplicates summed', () => {
    const vals = Float32Array.from([0.5, -1, 2, 0.25, 0.75, 1.5, -0.5, 3]);
    const h = randomTensor([5, 3], 3);
    const dense = Array.from({ length: 4 }, () => new Array(5).fill(0));
    pattern.rows.forEach((r, e) => (dense[r][pattern.cols[e]] += vals[e]));
    const ref = tf.matMul(tf.tensor2d(dense), h).dataSync();
    const ours = spmmForward(pattern, vals, h.dataSync() as Float32Array, 3);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
  });
  it('gradients into edge values and the dense matrix match finite differences', () => {
    const vals = randomTensor([8], 4);
    const h = randomTensor([5, 3], 5);
    const w = randomTensor([4, 3], 6);
    const f = (v: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(spmm(pattern, v as tf.Tensor1D, x as tf.Tensor2D)), w)) as tf.Scalar;
    const r = gradCheck(f, [vals, h]);
    expect(r.checked).toBeGreaterThan(10);
    expect(r.maxRelErr).toBeLessThan(1e-2);
  });
});

describe('elementwise helpers', () => {
  it('l2Normalize gives unit rows, keeps zero rows zero, and has a correct gradient', () => {
    const x = tf.tensor2d([[3, 4], [0, 0]]);
    const n = l2Normalize(x).dataSync();
    [0.6, 0.8, 0, 0].forEach((v, i) => expect(n[i]).toBeCloseTo(v, 6));
    const r = gradCheck((t) => tf.sum(tf.mul(l2Normalize(t as tf.Tensor2D), tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]))) as tf.Scalar, [randomTensor([2, 3], 9)]);
    expect(r.maxRelErr).toBeLessThan(1e-2);
  });
  it('negLogSigmoid = −log σ(x), with a finite gradient for large |x|', () => {
    const x = tf.tensor1d([-30, -1, 0, 2, 30]);
    const v = negLogSigmoid(x).dataSync();
    [-30, -1, 0, 2, 30].forEach((t, i) => expect(v[i]).toBeCloseTo(Math.log1p(Math.exp(-t)), 4));
    const g = tf.grad((t: tf.Tensor) => tf.sum(negLogSigmoid(t)))(x).dataSync();
    [-30, -1, 0, 2, 30].forEach((t, i) => expect(g[i]).toBeCloseTo(-1 / (1 + Math.exp(t)), 5));
  });
  it('tanh = Math.tanh to 3e-7 absolute, with the gradient 1 − tanh²', () => {
    const xs = [-40, -5, -1, -1e-3, 0, 1e-6, 0.3, 2, 9, 40];
    const x = tf.tensor1d(xs);
    const v = tanh(x).dataSync();
    xs.forEach((t, i) => expect(Math.abs(v[i] - Math.tanh(t))).toBeLessThan(3e-7));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tanh(t)))(x).dataSync();
    xs.forEach((t, i) => expect(Math.abs(g[i] - (1 - Math.tanh(t) ** 2))).toBeLessThan(1e-6));
  });
});

// The SIMD fast paths of the sparse ops against JS loops, and the explicit-transpose matMul gradient.
describe('sparse SIMD ops = JS loops', () => {
  const n = 40;
  const d = 12;
  const r = lcg(9);
  const nnz = 300;
  const rows = Int32Array.from({ length: nnz }, (_, e) => Math.floor((e * n) / nnz)).sort();
  const cols = Int32Array.from({ length: nnz }, () => Math.floor(((r() + 1) / 2) * n) % n);
  const p: SparsePattern = { nRows: n, nCols: n, rows, cols };
  const vals = Float32Array.from({ length: nnz }, () => r());
  const h = Float32Array.from({ length: n * d }, () => r());
  const g = Float32Array.from({ length: n * d }, () => r());
  it('spmm forward and backward', () => {
    expect(maxDiff(spmmForward(p, vals, h, d), spmmForwardJs(p, vals, h, d))).toBeLessThan(1e-5);
    const { dh, dv } = spmmBackward(p, vals, h, g, d);
    const wantDh = new Float32Array(n * d);
    const wantDv = new Float32Array(nnz);
    for (let e = 0; e < nnz; e++)
      for (let c = 0; c < d; c++) {
        wantDh[cols[e] * d + c] += vals[e] * g[rows[e] * d + c];
        wantDv[e] += g[rows[e] * d + c] * h[cols[e] * d + c];
      }
    expect(maxDiff(dh, wantDh)).toBeLessThan(1e-5);
    expect(maxDiff(dv, wantDv)).toBeLessThan(1e-5);
    expect(maxAbs(spmmBackward(p, vals, h, g, d, false).dv)).toBe(0);
  });
  it('row gather and scatter-add (repeated indices add up)', () => {
    const idx = Int32Array.from([5, 0, 5, 39, 2]);
    const got = takeRows(h, idx, d);
    idx.forEach((i, k) => expect(Array.from(got.subarray(k * d, k * d + d))).toEqual(Array.from(h.subarray(i * d, i * d + d))));
    const s = scatterAddRows(idx, g.subarray(0, idx.length * d), n, d);
    for (let c = 0; c < d; c++) expect(s[5 * d + c]).toBeCloseTo(g[c] + g[2 * d + c], 6);
    expect(s[1 * d]).toBe(0);
  });
  it('edgeDots equals the gathered row products and has a correct gradient', () => {
    const x = randomTensor([n, d], 3) as tf.Tensor2D;
    const got = edgeDots(x, p).dataSync();
    const want = tf.sum(tf.mul(gatherRows(x, rows), gatherRows(x, cols)), 1).dataSync();
    for (let e = 0; e < nnz; e++) expect(got[e]).toBeCloseTo(want[e], 5);
    const w = randomTensor([nnz], 4);
    const res = gradCheck((t) => tf.sum(tf.mul(edgeDots(t as tf.Tensor2D, p), w)) as tf.Scalar, [x], { eps: 1e-2 });
    expect(res.maxRelErr).toBeLessThan(1e-2);
  });
});

describe('matMul with explicit-transpose gradients', () => {
  it('matches tf.matMul forward and gradients', () => {
    const a = randomTensor([5, 3], 1) as tf.Tensor2D;
    const b = randomTensor([3, 4], 2) as tf.Tensor2D;
    const w = randomTensor([5, 4], 3);
    expect(maxDiff(matMul(a, b).dataSync() as Float32Array, tf.matMul(a, b).dataSync() as Float32Array)).toBeLessThan(1e-6);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
    const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
    ours.forEach((g, i) => expect(maxDiff(g.dataSync() as Float32Array, theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5));
  });
  it('constMatMul (frozen left operand) gives the same value and w-gradient, summed over row blocks', () => {
    const x = randomTensor([7, 3], 4) as tf.Tensor2D;
    const w = randomTensor([3, 2], 5) as tf.Tensor2D;
    const m = randomTensor([7, 2], 6);
    const host = { data: x.dataSync() as Float32Array, rows: 7, cols: 3 };
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, t as tf.Tensor2D), m)))(w);
    for (const blockRows of [2, 3, 7, 100]) {
      const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(constMatMul(host, t as tf.Tensor2D, blockRows), m)))(w);
      expect(maxDiff(ours.dataSync() as Float32Array, theirs.dataSync() as Float32Array)).toBeLessThan(1e-5);
      expect(maxDiff(constMatMul(host, w, blockRows).dataSync() as Float32Array, tf.matMul(x, w).dataSync() as Float32Array)).toBeLessThan(1e-6);
    }
    expect(() => constMatMul({ data: new Float32Array(5), rows: 2, cols: 3 }, w)).toThrow(/5 values, expected 2×3/);
  });
});

describe('untaped', () => {
  // Under a gradient tape, every kernel's saved inputs are kept alive until backprop; untaped work
  // (top-k selection) must leave nothing behind. The taped variant shows the check can fail.
  const a = () => randomTensor([64, 8], 7) as tf.Tensor2D;
  const tileWork = () => {
    const x = a();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.matMul(tf.mul(x, 2), tf.transpose(x)).dataSync()[0]);
    x.dispose();
    return 42;
  };
  function tensorsKeptUnderTape(work: () => number): { kept: number; result: number } {
    let kept = -1;
    let result = 0;
    const w = tf.scalar(1.5);
    const g = tf.grad((t: tf.Tensor) => {
      const before = tf.memory().numTensors;
      result = work();
      kept = tf.memory().numTensors - before;
      return tf.mul(t, t);
    })(w);
    expect(g.dataSync()[0]).toBeCloseTo(3, 6);
    tf.dispose([g, w]);
    return { kept, result };
  }
  it('runs the function with the tape paused and returns its result', () => {
    expect(tensorsKeptUnderTape(() => untaped(tileWork))).toEqual({ kept: 0, result: 42 });
    expect(tensorsKeptUnderTape(tileWork).kept).toBeGreaterThan(0);
  });
  it('propagates errors from the function', () => {
    expect(() => untaped(() => {
      throw new Error('boom');
    })).toThrow('boom');
  });
});

describe('fused forms = the stock compositions, to the bit', () => {
  /** Value and gradient of Σ w ⊙ f(x), as plain arrays. */
  const valueAndGrad = (f: (x: tf.Tensor2D) => tf.Tensor, x: tf.Tensor2D, w: tf.Tensor) =>
    tf.tidy(() => [f(x).dataSync(), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor2D), w)))(x).dataSync()].map((a) => Array.from(a)));

  it('l2NormalizeFused: l2Normalize\'s value and gradient (zero rows included), and a correct gradient', () => {
    const x = tf.concat([randomTensor([6, 4], 11), tf.zeros([1, 4]), randomTensor([2, 4], 12, 1e-7)]) as tf.Tensor2D;
    const w = randomTensor([9, 4], 13);
    expect(valueAndGrad(l2NormalizeFused, x, w)).toEqual(valueAndGrad((t) => l2Normalize(t), x, w));
    const w2 = randomTensor([5, 3], 20);
    const r = gradCheck((t) => tf.sum(tf.mul(l2NormalizeFused(t as tf.Tensor2D), w2)) as tf.Scalar, [randomTensor([5, 3], 14)]);
    expect(r.maxRelErr).toBeLessThan(1e-2);
  });

  it('spmmFixed: spmm with constant values (value and dense gradient)', () => {
    const vals = Float32Array.from([0.5, -1, 2, 0.25, 0.75, 1.5, -0.5, 3]);
    const h = randomTensor([5, 4], 15) as tf.Tensor2D;
    const w = randomTensor([4, 4], 16);
    expect(valueAndGrad((t) => spmmFixed(pattern, vals, t), h, w)).toEqual(valueAndGrad((t) => spmm(pattern, tf.tensor1d(vals), t, true), h, w));
    expect(() => spmmFixed(pattern, vals.subarray(1), h)).toThrow(/7 values for 8 edges/);
  });

  it('matMul with a one-column right operand: the gradients of explicit transposes', () => {
    const x = randomTensor([7, 5], 17) as tf.Tensor2D;
    const q = randomTensor([5, 1], 18) as tf.Tensor2D;
    const w = randomTensor([7, 1], 19);
    const explicit = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(tf.matMul(u as tf.Tensor2D, v as tf.Tensor2D), w)))([a, b]);
    const ours = tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(matMul(u as tf.Tensor2D, v as tf.Tensor2D), w)))([x, q]);
    ours.forEach((g, i) => expect(maxDiff(g.dataSync() as Float32Array, explicit(x, q)[i].dataSync() as Float32Array)).toBeLessThan(1e-6));
  });
});
