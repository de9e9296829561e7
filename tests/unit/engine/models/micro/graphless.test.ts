// topK = 0: MICRO without any item graph is its CF backbone alone (the k = 0, "LightGCN" point of
// the paper's sensitivity to k): scores x̃_uᵀx̃_i, BPR + L2 only, only the ID tables trained.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { resolveMicroConfig } from '../../../../../src/main/engine/models/micro/config';
import { buildUserItemGraph, lightgcnPropagate } from '../../../../../src/main/engine/models/common';
import { variableGradCheck } from '../../../../helpers/gradcheck';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('MICRO with topK = 0 (no item graph)', () => {
  const ds = tinyDataset();
  const batch = trainBatchFor(ds, [0, 1, 2, 3]);
  const ctx = { epoch: 0, batch: 0, firstBatchOfEpoch: true };

  it('is accepted by the schema and trains only the ID tables with BPR + L2', () => {
    const m = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 0 }), 1);
    expect(m.variables().map((v) => v.shape)).toEqual([
      [ds.nUsers, 4],
      [ds.nItems, 4],
    ]);
    expect(Object.keys(m.batchLoss(batch, ctx).parts).sort()).toEqual(['bpr', 'l2']);
    const r = variableGradCheck(() => m.batchLoss(batch, ctx).total, m.variables(), { eps: 2e-3, samples: 5 });
    expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(3e-2);
    m.dispose();
  });

  it('scores with the LightGCN backbone only, and stores no graphs', async () => {
    const cfg = resolveMicroConfig('paper', { embedDim: 4, topK: 0 });
    const m = new MicroModel(ds, cfg, 3);
    const [users, items] = m.variables() as tf.Variable<tf.Rank.R2>[];
    const [xu, xi] = lightgcnPropagate(users, items, buildUserItemGraph(ds.train, ds.nItems, cfg.cfAdjacency), cfg.cfLayers);
    const expected = tf.matMul(xu, xi, false, true).arraySync() as number[][];
    await m.prepareScoring();
    const got = await m.scoreUsers(Int32Array.from([0, 1, 2, 3, 4, 5]));
    for (let u = 0; u < ds.nUsers; u++) for (let i = 0; i < ds.nItems; i++) expect(got[u * ds.nItems + i]).toBeCloseTo(expected[u][i], 5);
    const ins = await m.inspect();
    expect(ins.modalities).toEqual([]);
    expect(ins.alpha).toBeUndefined();
    expect(Object.keys(ins.embeddings).sort()).toEqual(['item_final', 'item_id', 'user_final', 'user_id']);
    m.dispose();
  });

  it('CF+feats (no item graph either) inspects without graphs instead of failing', async () => {
    const m = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 3, cfPlusFeats: true }), 2);
    await m.prepareScoring();
    const ins = await m.inspect();
    expect(ins.modalities).toEqual([]);
    expect(Object.keys(ins.embeddings)).toEqual(expect.arrayContaining(['item_final', 'h_shared']));
    m.dispose();
  });
});
