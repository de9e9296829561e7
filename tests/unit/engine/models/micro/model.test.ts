// Whole-model gradient checks: every loss term of MICRO against finite differences, through the
// learned graphs, item-graph convolution, attention, specific parts and user preference.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { orthogonalityLoss } from '../../../../../src/main/engine/models/micro/parts';
import { resolveMicroConfig } from '../../../../../src/main/engine/models/micro/config';
import { gradCheck, randomTensor, variableGradCheck } from '../../../../helpers/gradcheck';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

// Positives from train, negatives outside it.
const batch = trainBatchFor(tinyDataset(), [0, 1, 2, 3]);

describe('MICRO batch loss gradients (paper preset, all parts on)', () => {
  const ds = tinyDataset();
  const cfg = resolveMicroConfig('paper', { embedDim: 4, topK: 3, l2: 0.05, betaS: 1 });
  const model = new MicroModel(ds, cfg, 1);
  const ctx = { epoch: 0, batch: 0, firstBatchOfEpoch: true };
  for (const part of ['bpr', 'l2', 'contrastive', 'orthogonality']) {
    it(`∂${part}/∂θ matches finite differences for every variable`, () => {
      const loss = () => {
        const l = model.batchLoss(batch, ctx);
        return l.parts[part];
      };
      const r = variableGradCheck(loss, model.variables(), { eps: 2e-3, samples: 5, signature: () => model.learnedPatternSignature() });
      expect(r.checked).toBeGreaterThan(20);
      expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(3e-2);
    });
  }
  it('the total is BPR + L2 + β_C·L_C + β_S·L_S', () => {
    const l = model.batchLoss(batch, ctx);
    const p = Object.fromEntries(Object.entries(l.parts).map(([k, v]) => [k, v.dataSync()[0]]));
    expect(l.total.dataSync()[0]).toBeCloseTo(p.bpr + p.l2 + cfg.betaC * p.contrastive + cfg.betaS * p.orthogonality, 5);
  });
  it('does not leak tensors across a training-style step', () => {
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => model.batchLoss(batch, ctx).total, model.variables());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('learned graphs prepared with awaited reads (the webgpu path)', () => {
  it('beforeBatch gives the rebuild batch exactly the graph and loss of the synchronous rebuild', async () => {
    const ds = tinyDataset();
    const cfg = resolveMicroConfig('paper', { embedDim: 4, topK: 3 });
    const ctx = { epoch: 0, batch: 0, firstBatchOfEpoch: true };
    const prepared = new MicroModel(ds, cfg, 7);
    const direct = new MicroModel(ds, cfg, 7);
    await prepared.beforeBatch(batch, ctx);
    const a = prepared.batchLoss(batch, ctx);
    const b = direct.batchLoss(batch, ctx);
    expect(prepared.learnedPatternSignature()).toBe(direct.learnedPatternSignature());
    for (const k of Object.keys(b.parts)) expect(a.parts[k].dataSync()[0], k).toBe(b.parts[k].dataSync()[0]);
    // The next (plain) batch reuses the detached graph: no preparation left over, same loss.
    await prepared.beforeBatch(batch, { ...ctx, batch: 1, firstBatchOfEpoch: false });
    expect(prepared.batchLoss(batch, { ...ctx, batch: 1, firstBatchOfEpoch: false }).total.dataSync()[0]).toBe(
      direct.batchLoss(batch, { ...ctx, batch: 1, firstBatchOfEpoch: false }).total.dataSync()[0],
    );
    prepared.dispose();
    direct.dispose();
  });
});

describe('MICRO presets and ablations', () => {
  const ds = tinyDataset({ modalities: [3, 4, 2] });
  it('reference preset has no specific / preference parts and sums the contrastive loss over modalities', () => {
    const m = new MicroModel(ds, resolveMicroConfig('reference', { embedDim: 4, topK: 3 }), 2);
    const l = m.batchLoss(batch, { epoch: 0, batch: 0, firstBatchOfEpoch: true });
    expect(Object.keys(l.parts).sort()).toEqual(['bpr', 'contrastive', 'l2']);
    const r = variableGradCheck(() => m.batchLoss(batch, { epoch: 0, batch: 0, firstBatchOfEpoch: true }).total, m.variables(), { samples: 4, signature: () => m.learnedPatternSignature() });
    expect(r.checked).toBeGreaterThan(30);
    expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(3e-2);
  });
  it('w/o fusion is BPR + L2 only; single modality works', async () => {
    const m = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 3, fusion: false }), 2);
    expect(Object.keys(m.batchLoss(batch, { epoch: 0, batch: 0, firstBatchOfEpoch: true }).parts).sort()).toEqual(['bpr', 'l2']);
    const single = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 3, modalities: ['m1'] }), 2);
    await single.prepareScoring();
    expect((await single.scoreUsers(Int32Array.from([0]))).length).toBe(ds.nItems);
  });
  it('three modalities: orthogonality over all pairs, attention rows sum to one', async () => {
    const m = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 3 }), 3);
    const ins = await m.inspect();
    expect(ins.modalities.map((x) => x.name)).toEqual(['m0', 'm1', 'm2']);
    for (let i = 0; i < ds.nItems; i++) {
      expect(ins.alpha![i * 3] + ins.alpha![i * 3 + 1] + ins.alpha![i * 3 + 2]).toBeCloseTo(1, 5);
      expect([0, 1, 2, 3].reduce((s, q) => s + ins.alphaSharedSpecific![i * 4 + q], 0)).toBeCloseTo(1, 5);
    }
  });
  it('rejects unknown modalities and invalid hyperparameters with the field name', () => {
    expect(() => new MicroModel(ds, resolveMicroConfig('paper', { modalities: ['nope'] }), 1)).toThrow(/modality "nope"/);
    expect(() => resolveMicroConfig('paper', { lambda: 2 })).toThrow(/lambda/);
  });
});

describe('fusion and orthogonality (eq. 7-8, 11-15)', () => {
  it('orthogonality loss = mean over items of Σ_pairs (h_s^a · h_s^b)², with a correct gradient', () => {
    const a = tf.tensor2d([[1, 2], [0, 1]]);
    const b = tf.tensor2d([[3, -1], [2, 2]]);
    const c = tf.tensor2d([[1, 1], [1, 0]]);
    // item 0: a·b = 1, a·c = 3, b·c = 2 → 1+9+4 = 14 ; item 1: a·b = 2, a·c = 0, b·c = 2 → 8 ; mean = 11
    expect(orthogonalityLoss([a, b, c]).dataSync()[0]).toBeCloseTo(11, 5);
    const r = gradCheck((x, y) => orthogonalityLoss([x as tf.Tensor2D, y as tf.Tensor2D]), [randomTensor([4, 3], 1), randomTensor([4, 3], 2)]);
    expect(r.maxRelErr).toBeLessThan(1e-2);
  });
  it('fuse weights each modality by its attention column', () => {
    const alpha = tf.tensor2d([[0.25, 0.75], [1, 0]]);
    const h1 = tf.tensor2d([[4, 0], [1, 1]]);
    const h2 = tf.tensor2d([[0, 4], [5, 5]]);
    expect(MicroModel.fuse(alpha, [h1, h2]).arraySync()).toEqual([[1, 3], [1, 1]]);
  });
});
