// In-place tensor memory: on wasm a view of the heap (no copy), elsewhere dataSync / tf.tensor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/engine/backend';
import { tensorFrom, valuesView } from '../../../src/main/engine/heap';

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('valuesView and tensorFrom', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`read a tensor's values and build new tensors (${backend})`, async () => {
      await tf.setBackend(backend);
      const t = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      expect(Array.from(valuesView(t))).toEqual([1, 2, 3, 4, 5, 6]);
      const u = tensorFrom<tf.Rank.R2>([3, 2], (out) => {
        const v = valuesView(t); // taken after the output's allocation, as the contract asks
        for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) out[i * 2 + j] = v[j * 3 + i];
      });
      expect(u.shape).toEqual([3, 2]);
      expect(u.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
      expect(tf.add(u, 1).arraySync()).toEqual([[2, 5], [3, 6], [4, 7]]); // an ordinary tensor for later ops
      tf.dispose([t, u]);
    });
  }

  it('on wasm, the view is the tensor memory itself (no copy)', async () => {
    await tf.setBackend('wasm');
    const t = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    valuesView(t)[1] = 7; // only to show the aliasing: ops never write their inputs
    expect(Array.from(t.dataSync())).toEqual([1, 7, 3]);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('refuses non-float tensors', () => {
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => valuesView(i)).toThrow(/float32 tensors only, got int32/);
    i.dispose();
  });
});
