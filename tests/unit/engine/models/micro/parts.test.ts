// fuseParts (eq. 8, 15) = tf.split + tf.mul + tf.add, op for op: same values, same gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { fuseParts } from '../../../../../src/main/engine/models/micro/parts';
import { randomTensor } from '../../../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('wasm');
});

const stockFuse = (alpha: tf.Tensor2D, parts: tf.Tensor2D[]) => {
  const cols = tf.split(alpha, parts.length, 1);
  return parts.map((p, m) => tf.mul(p, cols[m])).reduce((s, x) => tf.add(s, x)) as tf.Tensor2D;
};

describe('fuseParts', () => {
  for (const k of [2, 3]) {
    it(`weights ${k} parts as split/mul/add would, value and gradients to the bit`, () => {
      const alpha = tf.softmax(randomTensor([50, k], 1)) as tf.Tensor2D;
      const parts = Array.from({ length: k }, (_, m) => randomTensor([50, 8], 2 + m) as tf.Tensor2D);
      const w = randomTensor([50, 8], 9);
      const run = (fuse: typeof stockFuse) => {
        const value = Array.from(fuse(alpha, parts).dataSync());
        const grads = tf.grads((a: tf.Tensor, ...ps: tf.Tensor[]) => tf.sum(tf.mul(fuse(a as tf.Tensor2D, ps as tf.Tensor2D[]), w)))([alpha, ...parts]);
        return { value, grads: grads.map((g) => Array.from(g.dataSync())) };
      };
      expect(run(fuseParts)).toEqual(run(stockFuse));
    });
  }
  it('needs one weight column per part', () => {
    expect(() => fuseParts(tf.ones([4, 2]) as tf.Tensor2D, [tf.ones([4, 3]) as tf.Tensor2D])).toThrow(/2 weights per row for 1 parts/);
  });
});
