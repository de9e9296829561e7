// The best validated weights are restored at the end of training only when a step came after them:
// restoring the current weights would change nothing, and would throw away what the model
// computed from them (its scorer, its learned graphs).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../src/main/engine/backend';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from '../../../../src/main/engine/train/trainer';
import type { Recommender } from '../../../../src/main/engine/models/types';
import { tinyDataset } from '../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('wasm');
});

const ds = tinyDataset({ users: 12, items: 15, seed: 2 });

/** One weight pulled towards 3; ranks the validation items first at its first validation only. */
function fakeModel(): Recommender & { w: tf.Variable; validations: number } {
  const w = tf.variable(tf.zeros([1, 1]));
  const m = {
    kind: 'fake',
    w,
    validations: 0,
    variables: () => [w],
    batchLoss: () => {
      const total = tf.sum(tf.square(tf.sub(w, 3))) as tf.Scalar;
      return { total, parts: {} };
    },
    prepareScoring: async () => {
      m.validations++;
    },
    scoreUsers: async (users: Int32Array) => {
      const out = new Float32Array(users.length * ds.nItems);
      users.forEach((u, r) => {
        for (let p = ds.val.indptr[u]; p < ds.val.indptr[u + 1]; p++) out[r * ds.nItems + ds.val.indices[p]] = m.validations === 1 ? 1 : -1;
      });
      return out;
    },
    dispose: () => w.dispose(),
  };
  return m;
}

const opts = (epochs: number): TrainOptions => ({ ...DEFAULT_TRAIN_OPTIONS, seed: 1, epochs, evalEvery: 1, batchSize: 8, lr: 0.1, ks: [5], criterion: 'recall@5' });

describe('restoring the best weights', () => {
  it('keeps the variables as they are when the best epoch is the last one', async () => {
    const m = fakeModel();
    let atBest: object | undefined;
    await trainModel(m, ds, { ...opts(1), onEpoch: () => void (atBest = m.w.dataId) });
    expect(m.w.dataId).toBe(atBest);
    m.dispose();
  });
  it('restores the best epoch\'s values when steps followed it', async () => {
    const m = fakeModel();
    const seen: number[] = [];
    const res = await trainModel(m, ds, { ...opts(2), onEpoch: () => void seen.push(m.w.dataSync()[0]) });
    expect(res.bestEpoch).toBe(1);
    expect(seen[1]).not.toBe(seen[0]);
    expect(m.w.dataSync()[0]).toBe(seen[0]);
    m.dispose();
  });
});
