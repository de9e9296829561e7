// VBPR baseline: gradients against finite differences, and the feature preprocessing (each
// modality's rows L2-normalised, so an item's score does not depend on its raw feature norm).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { EMBEDDING_BASELINE_DEFAULTS, Vbpr } from '../../../../../src/main/engine/models/baselines/embedding';
import { makeDataset } from '../../../../../src/main/engine/data/dataset';
import type { Dataset } from '../../../../../src/main/engine/types';
import { variableGradCheck } from '../../../../helpers/gradcheck';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

const config = { ...EMBEDDING_BASELINE_DEFAULTS, embedDim: 4, l2: 0.05 };
/** The same dataset with item rows of every modality multiplied by per-item positive factors. */
function rescaled(ds: Dataset, factor: (item: number) => number): Dataset {
  return makeDataset({
    ...ds,
    warnings: [],
    modalities: ds.modalities.map((m) => ({
      ...m,
      features: m.features.map((v, p) => v * factor(Math.floor(p / m.dim))),
    })),
  });
}

describe('VBPR', () => {
  const ds = tinyDataset();
  const batch = trainBatchFor(ds, [0, 1, 2]);

  it('∂loss/∂θ matches finite differences for every variable (ID, user content, projection, content and item bias)', () => {
    const model = new Vbpr(ds, config, 3);
    // Move the zero-initialised content bias off zero so its gradient path is exercised.
    const bias = model.variables().find((v) => v.name.startsWith('content_bias'))!;
    bias.assign(tf.randomNormal(bias.shape, 0, 0.3, 'float32', 9));
    const r = variableGradCheck(() => model.batchLoss(batch).total, model.variables(), { eps: 2e-3, samples: 6 });
    expect(r.checked).toBeGreaterThan(20);
    expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(2e-2);
    model.dispose();
  });

  it('trains on the same scores it ranks with (batch rows match the full score table)', async () => {
    const model = new Vbpr(ds, config, 6);
    const bias = model.variables().find((v) => v.name.startsWith('content_bias'))!;
    bias.assign(tf.randomNormal(bias.shape, 0, 0.3, 'float32', 10));
    const scores = await model.scoreUsers(batch.users);
    let expected = 0;
    batch.users.forEach((_, r) => {
      const diff = scores[r * ds.nItems + batch.pos[r]] - scores[r * ds.nItems + batch.neg[r]];
      expected += Math.log1p(Math.exp(-diff)) / batch.users.length; // −log σ(diff)
    });
    expect(model.batchLoss(batch).parts.bpr.dataSync()[0]).toBeCloseTo(expected, 5);
    model.dispose();
  });

  it('scores do not depend on the raw norm of an item feature row', async () => {
    const scaled = rescaled(ds, (i) => 0.1 + 3 * i);
    const a = new Vbpr(ds, config, 4);
    const b = new Vbpr(scaled, config, 4);
    const users = Int32Array.from({ length: ds.nUsers }, (_, u) => u);
    const sa = await a.scoreUsers(users);
    const sb = await b.scoreUsers(users);
    let maxDiff = 0;
    for (let p = 0; p < sa.length; p++) maxDiff = Math.max(maxDiff, Math.abs(sa[p] - sb[p]));
    expect(maxDiff).toBeLessThan(1e-5);
    // ...while the content direction does matter: permuting feature rows changes the scores.
    const permuted = makeDataset({
      ...ds,
      warnings: [],
      modalities: ds.modalities.map((m) => ({ ...m, features: m.features.map((_, p) => m.features[((Math.floor(p / m.dim) + 1) % ds.nItems) * m.dim + (p % m.dim)]) })),
    });
    const c = new Vbpr(permuted, config, 4);
    const sc = await c.scoreUsers(users);
    let diff = 0;
    for (let p = 0; p < sa.length; p++) diff = Math.max(diff, Math.abs(sa[p] - sc[p]));
    expect(diff).toBeGreaterThan(1e-3);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('does not leak tensors across a training-style step', () => {
    const model = new Vbpr(ds, config, 5);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => model.batchLoss(batch).total, model.variables());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
