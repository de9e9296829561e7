// FREEDOM: degree-sensitive edge pruning (the sampler's law, the kept graph), the frozen item
// graph, scores against a dense oracle and gradients against finite differences. Training on the
// demo data: multimodal-demo.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { FreedomModel, frozenItemGraph, modalityGraphWeights, type FreedomConfig } from '../../../../../src/main/engine/models/baselines/freedom';
import { degreeWeights, pruneInteractions, weightedSampleWithoutReplacement } from '../../../../../src/main/engine/models/baselines/edge-pruning';
import { buildKnnGraph } from '../../../../../src/main/engine/models/micro/graphs';
import { createRng } from '../../../../../src/main/engine/data/random';
import { userItemsFromLists } from '../../../../../src/main/engine/data/csr';
import type { UserItems } from '../../../../../src/main/engine/types';
import { variableGradCheck } from '../../../../helpers/gradcheck';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

const ds = tinyDataset();
const batch = trainBatchFor(ds, [0, 1, 2, 3]);
const ctx = { epoch: 0, batch: 0, firstBatchOfEpoch: true };
const base: FreedomConfig = { embedDim: 4, cfLayers: 2, itemLayers: 1, topK: 3, imageWeight: 0.3, dropout: 0.4, regWeight: 0.5, l2: 0.05, modalities: [] };

function edges(ui: UserItems): string[] {
  const out: string[] = [];
  for (let u = 0; u < ui.nUsers; u++) for (let p = ui.indptr[u]; p < ui.indptr[u + 1]; p++) out.push(`${u}:${ui.indices[p]}`);
  return out;
}

describe('weighted sampling without replacement (torch.multinomial, replacement=false)', () => {
  it('one draw picks index e with probability w_e / Σw', () => {
    const w = [1, 2, 3, 4];
    const rng = createRng(1);
    const counts = [0, 0, 0, 0];
    const trials = 40_000;
    for (let t = 0; t < trials; t++) counts[weightedSampleWithoutReplacement(w, 1, rng)[0]]++;
    counts.forEach((c, e) => expect(c / trials, `index ${e}`).toBeCloseTo(w[e] / 10, 2));
  });
  it('two draws include e with the probability of two successive weighted draws', () => {
    const w = [1, 2, 3, 4];
    const p = w.map((x) => x / 10);
    // P(e ∈ sample) = p_e + Σ_{f≠e} p_f · p_e / (1 − p_f)
    const exact = p.map((pe, e) => pe + p.reduce((s, pf, f) => (f === e ? s : s + (pf * pe) / (1 - pf)), 0));
    const rng = createRng(2);
    const counts = [0, 0, 0, 0];
    const trials = 40_000;
    for (let t = 0; t < trials; t++) {
      const s = weightedSampleWithoutReplacement(w, 2, rng);
      expect(s[0]).toBeLessThan(s[1]); // distinct, ascending
      for (const e of s) counts[e]++;
    }
    counts.forEach((c, e) => expect(c / trials, `index ${e}`).toBeCloseTo(exact[e], 2));
  });
  it('never draws a zero weight while positive ones remain, and refuses impossible sizes', () => {
    const rng = createRng(3);
    for (let t = 0; t < 200; t++) expect(Array.from(weightedSampleWithoutReplacement([0, 1, 0, 2, 5], 3, rng))).toEqual([1, 3, 4]);
    expect(weightedSampleWithoutReplacement([1, 2], 0, rng).length).toBe(0);
    expect(() => weightedSampleWithoutReplacement([1, 2], 3, rng)).toThrow(/cannot draw 3 of 2/);
  });
});

describe('degree-sensitive edge pruning', () => {
  // u0 {0,1,2}, u1 {0}, u2 {0,3}: item degrees 3,1,1,1.
  const train = userItemsFromLists(3, [[0, 1, 2], [0], [0, 3]]);
  it('weighs each edge 1/√(d_u·d_i)', () => {
    const w = Array.from(degreeWeights(train, 4));
    const expected = [1 / Math.sqrt(9), 1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(6), 1 / Math.sqrt(2)];
    w.forEach((x, e) => expect(x).toBeCloseTo(expected[e], 12));
  });
  it('keeps ⌊(1−ρ)·|E|⌋ distinct train edges as a valid CSR; ρ = 0 keeps the graph itself', () => {
    const all = new Set(edges(ds.train));
    for (const rho of [0.1, 0.5, 0.8]) {
      const kept = pruneInteractions(ds.train, ds.nItems, rho, createRng(4));
      const e = edges(kept);
      expect(e.length).toBe(Math.floor(ds.train.indices.length * (1 - rho)));
      expect(new Set(e).size).toBe(e.length);
      for (const x of e) expect(all.has(x), x).toBe(true);
      for (let u = 0; u < kept.nUsers; u++) for (let p = kept.indptr[u] + 1; p < kept.indptr[u + 1]; p++) expect(kept.indices[p]).toBeGreaterThan(kept.indices[p - 1]);
    }
    expect(pruneInteractions(ds.train, ds.nItems, 0, createRng(4))).toBe(ds.train);
    expect(() => pruneInteractions(ds.train, ds.nItems, 1, createRng(4))).toThrow(/dropout/);
  });
  it('drops edges between high-degree nodes more often', () => {
    const rng = createRng(5);
    const keptCount = new Map<string, number>();
    for (let t = 0; t < 4000; t++) for (const e of edges(pruneInteractions(train, 4, 0.5, rng))) keptCount.set(e, (keptCount.get(e) ?? 0) + 1);
    // u0-i0 (d 3·3) is the least likely to stay, u1-i0 (1·3) and u0-i1 (3·1) tie, u2-i3 (2·1) is the most likely.
    const f = (e: string) => (keptCount.get(e) ?? 0) / 4000;
    expect(f('0:0')).toBeLessThan(f('1:0'));
    expect(f('1:0')).toBeCloseTo(f('0:1'), 1);
    expect(f('2:3')).toBeGreaterThan(f('0:1'));
  });
});

describe('the frozen item graph', () => {
  it('weighs modalities [w, (1−w)/(M−1), …] (MMRec: image w, text 1 − w)', () => {
    expect(modalityGraphWeights(1, 0.1)).toEqual([1]);
    expect(modalityGraphWeights(2, 0.1)).toEqual([0.1, 0.9]);
    expect(modalityGraphWeights(3, 0.1)).toEqual([0.1, 0.45, 0.45]);
  });
  it('is Σ_m w_m·K_m/k on the binary kNN patterns of the raw features (cosines ignored)', () => {
    const graphs = ds.modalities.map((m) => buildKnnGraph(m.features, ds.nItems, m.dim, 3));
    const g = frozenItemGraph(graphs, [0.3, 0.7]);
    expect(g.pattern.rows.length).toBe(2 * 3 * ds.nItems);
    expect(Array.from(g.pattern.cols)).toEqual([...graphs[0].pattern.cols, ...graphs[1].pattern.cols]);
    const rowSums = new Float64Array(ds.nItems);
    g.pattern.rows.forEach((r, e) => (rowSums[r] += g.values[e]));
    for (const s of rowSums) expect(s).toBeCloseTo(1, 6);
    expect(g.values[0]).toBeCloseTo(0.1, 7);
    expect(g.values[3 * ds.nItems]).toBeCloseTo(0.7 / 3, 7);
  });
});

describe('FREEDOM model', () => {
  const model = new FreedomModel(ds, base, 1);

  for (const part of ['bpr', 'modalityBpr', 'l2']) {
    it(`∂${part}/∂θ matches finite differences for every variable (ID tables, modality projections)`, () => {
      const r = variableGradCheck(() => model.batchLoss(batch, ctx).parts[part], model.variables(), { eps: 2e-3, samples: 5 });
      expect(r.checked).toBeGreaterThan(20);
      expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(2e-2);
    });
  }

  it('the total is BPR + regWeight·Σ_m BPR_m + L2', () => {
    const l = model.batchLoss(batch, ctx);
    const p = Object.fromEntries(Object.entries(l.parts).map(([k, v]) => [k, v.dataSync()[0]]));
    expect(p.modalityBpr).toBeGreaterThan(0);
    expect(l.total.dataSync()[0]).toBeCloseTo(p.bpr + base.regWeight * p.modalityBpr + p.l2, 6);
  });

  it('re-draws the pruned graph each epoch, as a function of (seed, epoch) only', () => {
    const again = new FreedomModel(ds, base, 1);
    const sig = (m: FreedomModel, epoch: number) => Array.from(m.prunedGraph(epoch).pattern.cols).join(',');
    expect(sig(again, 3)).toBe(sig(model, 3)); // a resumed run (fresh model) draws what the uninterrupted one did
    expect(new Set([0, 1, 2, 3].map((e) => sig(model, e))).size).toBeGreaterThan(1);
    const a = model.batchLoss(batch, ctx).parts.bpr.dataSync()[0];
    expect(model.batchLoss(batch, { ...ctx, epoch: 1 }).parts.bpr.dataSync()[0]).not.toBeCloseTo(a, 6);
    again.dispose();
  });

  it('scores with the full train graph: x_u·(x_i + S·E_i) against a dense LightGCN + item-graph oracle', async () => {
    const t = await model.embeddingTables();
    const d = base.embedDim;
    const U = ds.nUsers;
    const n = U + ds.nItems;
    const e0 = [...Array.from({ length: U }, (_, u) => Array.from(t.user_id.data.subarray(u * d, u * d + d))), ...Array.from({ length: ds.nItems }, (_, i) => Array.from(t.item_id.data.subarray(i * d, i * d + d)))];
    const adj = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const x of edges(ds.train)) {
      const [u, i] = x.split(':').map(Number);
      adj[u][U + i] = adj[U + i][u] = 1;
    }
    const deg = adj.map((r) => r.reduce((s, v) => s + v, 0));
    const mul = (m: number[][], x: number[][]) => m.map((r) => x[0].map((_, c) => r.reduce((s, v, q) => s + (v ? v * x[q][c] : 0), 0)));
    const a = adj.map((r, i) => r.map((v, j) => (v ? 1 / Math.sqrt(deg[i] * deg[j]) : 0)));
    const e1 = mul(a, e0);
    const e2 = mul(a, e1);
    const cf = e0.map((r, q) => r.map((v, c) => (v + e1[q][c] + e2[q][c]) / 3));
    const graphs = ds.modalities.map((m) => buildKnnGraph(m.features, ds.nItems, m.dim, base.topK));
    const s = Array.from({ length: ds.nItems }, () => new Array<number>(ds.nItems).fill(0));
    graphs.forEach((g, m) => g.pattern.rows.forEach((r, q) => (s[r][g.pattern.cols[q]] += modalityGraphWeights(2, base.imageWeight)[m] / base.topK)));
    const h = mul(s, e0.slice(U));
    const users = Int32Array.from([0, 4]);
    const scores = await model.scoreUsers(users);
    users.forEach((u, r) => {
      for (let i = 0; i < ds.nItems; i++) {
        const expected = cf[u].reduce((acc, v, c) => acc + v * (cf[U + i][c] + h[i][c]), 0);
        expect(scores[r * ds.nItems + i], `user ${u} item ${i}`).toBeCloseTo(expected, 5);
      }
    });
    expect(Object.keys(t).sort()).toEqual(['h_item', 'item_final', 'item_id', 'user_final', 'user_id']);
  });

  it('creating, scoring, exporting and disposing a model leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const m = new FreedomModel(ds, base, 8);
    await m.prepareScoring();
    await m.scoreUsers(Int32Array.from([0]));
    await m.embeddingTables();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('does not leak tensors across a training-style step', () => {
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => model.batchLoss(batch, ctx).total, model.variables());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a modality the dataset lacks, naming it', () => {
    expect(() => new FreedomModel(ds, { ...base, modalities: ['nope'] }, 1)).toThrow(/modalities: "nope" is not in dataset tiny/);
  });
});
