// The row/column layout ops give exactly the values and gradients of the stock TF.js ops they
// replace (they only move data), on the wasm backend, where they read and write the heap in place.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/engine/backend';
import { concatColumns, concatRows, gatherRows, rowSum, sliceRows } from '../../../src/main/engine/ops-rows';
import { randomTensor } from '../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Indices where a and b differ (NaN equals NaN; +0 equals −0). */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  expect(a.length).toBe(b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

/** Value and input gradients of Σ w ⊙ f(inputs) (w random, so every output element matters). */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): { value: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const value = f(...inputs);
    const w = randomTensor(value.shape, seed);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
    return { value: value.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

function expectSame(ours: ReturnType<typeof valueAndGrads>, stock: ReturnType<typeof valueAndGrads>): void {
  expect(mismatches(ours.value, stock.value)).toEqual([]);
  expect(ours.grads.length).toBe(stock.grads.length);
  ours.grads.forEach((g, i) => expect(mismatches(g, stock.grads[i])).toEqual([]));
}

describe('row and column layout ops (wasm)', () => {
  let a: tf.Tensor2D;
  let b: tf.Tensor2D;
  beforeAll(() => {
    expect(tf.getBackend()).toBe('wasm');
    a = randomTensor([37, 8], 1) as tf.Tensor2D;
    b = randomTensor([21, 8], 2) as tf.Tensor2D;
  });

  it('concatRows is tf.concat on axis 0, gradient included', () => {
    const ours = valueAndGrads((x, y) => concatRows(x as tf.Tensor2D, y as tf.Tensor2D), [a, b], 3);
    expectSame(ours, valueAndGrads((x, y) => tf.concat([x, y], 0), [a, b], 3));
  });

  it('sliceRows is tf.slice of whole rows, gradient included, and checks its range', () => {
    for (const [r0, rows] of [[0, 37], [5, 11], [30, 7]]) {
      const ours = valueAndGrads((x) => sliceRows(x as tf.Tensor2D, r0, rows), [a], 4);
      expectSame(ours, valueAndGrads((x) => tf.slice(x, [r0, 0], [rows, -1]), [a], 4));
    }
    expect(() => sliceRows(a, 30, 8)).toThrow(/rows 30…37 outside a table of 37 rows/);
  });

  it('concatColumns is tf.concat on axis 1, gradient included', () => {
    const parts = [randomTensor([50, 1], 5), randomTensor([50, 3], 6), randomTensor([50, 1], 7)];
    const ours = valueAndGrads((...xs) => concatColumns(xs as tf.Tensor2D[]), parts, 8);
    expectSame(ours, valueAndGrads((...xs) => tf.concat(xs, 1), parts, 8));
    expect(() => concatColumns([a, b])).toThrow(/parts have 37, 21 rows/);
  });

  it('rowSum is tf.sum on axis 1 (with and without kept dims), gradient included', () => {
    for (const keep of [true, false]) {
      const ours = valueAndGrads((x) => rowSum(x as tf.Tensor2D, keep), [a], 9);
      expectSame(ours, valueAndGrads((x) => tf.sum(x, 1, keep), [a], 9));
    }
  });

  it('gatherRows is tf.gather, repeated rows summing their gradients in batch order', () => {
    const idx = Int32Array.from([4, 0, 4, 36, 4, 17]);
    const value = gatherRows(a, idx).dataSync();
    expect(mismatches(value, tf.gather(a, tf.tensor1d(idx, 'int32')).dataSync())).toEqual([]);
    const w = randomTensor([idx.length, 8], 10);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gatherRows(x as tf.Tensor2D, idx), w)))(a).dataSync();
    const wv = w.dataSync();
    for (let c = 0; c < 8; c++) {
      expect(g[4 * 8 + c]).toBe(Math.fround(Math.fround(wv[c] + wv[2 * 8 + c]) + wv[4 * 8 + c]));
      expect(g[1 * 8 + c]).toBe(0);
    }
    expect(() => gatherRows(a, Int32Array.from([0, 37]))).toThrow(/row 37 outside a table of 37 rows/);
  });
});
