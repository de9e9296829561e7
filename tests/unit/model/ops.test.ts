import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/engine/backend';
import { gatherRows, spmm, spmmForward, l2Normalize, negLogSigmoid, type SparsePattern } from '../../../src/main/engine/ops';
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
});
