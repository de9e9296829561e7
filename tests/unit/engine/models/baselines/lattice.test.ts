// LATTICE: the fused item graph against a dense oracle, whole-model gradients against finite
// differences, and where it agrees with MICRO w/o fusion (and precisely where it does not).
// Training on the demo data: multimodal-demo.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { LatticeModel, latticeGraphValues, type LatticeConfig } from '../../../../../src/main/engine/models/baselines/lattice';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { resolveMicroConfig } from '../../../../../src/main/engine/models/micro/config';
import { buildKnnGraph, learnedGraphPattern } from '../../../../../src/main/engine/models/micro/graphs';
import { baseName } from '../../../../../src/main/engine/models/common';
import type { SparsePattern } from '../../../../../src/main/engine/types';
import { gradCheck, randomTensor, variableGradCheck } from '../../../../helpers/gradcheck';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';
import { combinedNeighbours } from '../../../../../src/main/engine/inspect';

beforeAll(async () => {
  await initBackend('cpu');
});

const ds = tinyDataset();
const batch = trainBatchFor(ds, [0, 1, 2, 3]);
const rebuild = { epoch: 0, batch: 0, firstBatchOfEpoch: true };
const reuse = { epoch: 0, batch: 1, firstBatchOfEpoch: false };
const base: LatticeConfig = { embedDim: 4, cfModel: 'lightgcn', cfLayers: 2, cfAdjacency: 'sym', itemLayers: 2, topK: 3, lambda: 0.5, l2: 0.05, l2Target: 'ego', modalities: [] };

function dense(p: SparsePattern, values: ArrayLike<number>): number[][] {
  const a = Array.from({ length: p.nRows }, () => new Array<number>(p.nCols).fill(0));
  for (let e = 0; e < p.rows.length; e++) a[p.rows[e]][p.cols[e]] += values[e];
  return a;
}

function rowNormalised(x: Float32Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const r = Array.from(x.subarray(i * d, i * d + d));
    const norm = Math.hypot(...r);
    return r.map((v) => v / norm);
  });
}

/** Copies `from`'s variable values into `to`'s variables of the same base name. */
function copyWeights(from: { variables(): tf.Variable[] }, to: { variables(): tf.Variable[] }): void {
  const src = new Map(from.variables().map((v) => [baseName(v.name), v]));
  for (const v of to.variables()) {
    const s = src.get(baseName(v.name));
    if (s) v.assign(s);
  }
}

function gradsByName(loss: () => tf.Scalar, vars: tf.Variable[]): Map<string, Float32Array> {
  const { value, grads } = tf.variableGrads(loss, vars);
  const out = new Map(vars.map((v) => [baseName(v.name), grads[v.name] ? (grads[v.name].dataSync().slice() as Float32Array) : new Float32Array(v.size)]));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('the fused item graph (LATTICE code: one graph, normalised after the weighted sum)', () => {
  const n = 7;
  const t1 = randomTensor([n, 3], 11) as tf.Tensor2D;
  const t2 = randomTensor([n, 2], 12) as tf.Tensor2D;
  const k = 3;
  const patterns = [learnedGraphPattern(t1, k), learnedGraphPattern(t2, k)];
  // Stand-ins for the normalised initial graphs (any fixed values on the same patterns).
  const initial = patterns.map((p, m) => Float32Array.from(p.rows, (_, e) => 0.1 + 0.05 * ((e * (m + 3)) % 7)));
  const lambda = 0.6;
  const logits = tf.tensor1d([0.3, -0.4]);

  it('equals (1−λ)·D^-½(Σ w_m K_m)D^-½ + λ·Σ w_m S̃_m with w = softmax(p), D the row sums of the weighted sum', () => {
    const values = latticeGraphValues([t1, t2], patterns, initial, logits, lambda).dataSync();
    const z = Math.exp(0.3) + Math.exp(-0.4);
    const w = [Math.exp(0.3) / z, Math.exp(-0.4) / z];
    const e = [rowNormalised(t1.dataSync() as Float32Array, n, 3), rowNormalised(t2.dataSync() as Float32Array, n, 2)];
    const sum = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    patterns.forEach((p, m) => {
      for (let q = 0; q < p.rows.length; q++) {
        const [i, j] = [p.rows[q], p.cols[q]];
        sum[i][j] += w[m] * e[m][i].reduce((s, x, c) => s + x * e[m][j][c], 0);
      }
    });
    const deg = sum.map((r) => r.reduce((s, x) => s + x, 0));
    const inv = deg.map((x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
    const init = patterns.map((p, m) => dense(p, initial[m]));
    const expected = sum.map((r, i) => r.map((x, j) => (1 - lambda) * x * inv[i] * inv[j] + lambda * (w[0] * init[0][i][j] + w[1] * init[1][i][j])));
    const all = [...patterns, ...patterns].reduce((a, b) => ({ nRows: n, nCols: n, rows: Int32Array.from([...a.rows, ...b.rows]), cols: Int32Array.from([...a.cols, ...b.cols]) }));
    const got = dense(all, values);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(got[i][j], `A[${i}][${j}]`).toBeCloseTo(expected[i][j], 5);
  });

  it('has the right gradient in the transformed features and the modality logits', () => {
    const r = randomTensor([2 * (patterns[0].rows.length + patterns[1].rows.length)], 13);
    const f = (a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) => tf.sum(tf.mul(latticeGraphValues([a as tf.Tensor2D, b as tf.Tensor2D], patterns, initial, p as tf.Tensor1D, lambda), r)) as tf.Scalar;
    const res = gradCheck(f, [t1, t2, logits], { eps: 1e-3 });
    expect(res.checked).toBeGreaterThan(30);
    expect(res.maxRelErr).toBeLessThan(2e-2);
  });
});

describe('LATTICE batch loss gradients', () => {
  const model = new LatticeModel(ds, base, 1);
  // Non-uniform modality weights, so their gradient path is not at a symmetric point.
  model.variables().find((v) => v.name.startsWith('modality_logits'))!.assign(tf.tensor1d([0.9, -0.2]));
  for (const part of ['bpr', 'l2']) {
    it(`∂${part}/∂θ matches finite differences for every variable (ID tables, transforms, modality logits)`, () => {
      const r = variableGradCheck(() => model.batchLoss(batch, rebuild).parts[part], model.variables(), { eps: 2e-3, samples: 5, signature: () => model.learnedPatternSignature() });
      expect(r.checked).toBeGreaterThan(20);
      expect(r.maxRelErr, JSON.stringify(r.perVariable)).toBeLessThan(3e-2);
    });
  }
  it('later batches reuse the detached graph: same loss, no gradient into transforms or weights', () => {
    const a = model.batchLoss(batch, rebuild).total.dataSync()[0];
    expect(model.batchLoss(batch, reuse).total.dataSync()[0]).toBeCloseTo(a, 6);
    const g = gradsByName(() => model.batchLoss(batch, reuse).total, model.variables());
    for (const [name, v] of g) if (name.includes('transform') || name.startsWith('modality_logits')) expect(maxAbsDiff(v, new Float32Array(v.length)), name).toBe(0);
  });
  it('beforeBatch (awaited reads, the webgpu path) prepares exactly the synchronous rebuild', async () => {
    const prepared = new LatticeModel(ds, base, 4);
    const direct = new LatticeModel(ds, base, 4);
    await prepared.beforeBatch(batch, rebuild);
    expect(prepared.batchLoss(batch, rebuild).total.dataSync()[0]).toBe(direct.batchLoss(batch, rebuild).total.dataSync()[0]);
    expect(prepared.learnedPatternSignature()).toBe(direct.learnedPatternSignature());
    prepared.dispose();
    direct.dispose();
  });
  it('creating, scoring, exporting and disposing a model leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const m = new LatticeModel(ds, base, 8);
    await m.prepareScoring();
    await m.scoreUsers(Int32Array.from([0]));
    await m.embeddingTables();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('does not leak tensors across a training-style step', () => {
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => model.batchLoss(batch, rebuild).total, model.variables());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('starts from uniform modality weights and exports the score tables', async () => {
    const fresh = new LatticeModel(ds, base, 2);
    expect(await fresh.modalityWeights()).toEqual({ m0: 0.5, m1: 0.5 });
    const t = await fresh.embeddingTables();
    expect(Object.keys(t).sort()).toEqual(['h_item', 'item_final', 'item_id', 'user_final', 'user_id']);
    const scores = await fresh.scoreUsers(Int32Array.from([1]));
    const dot = (j: number) => Array.from({ length: 4 }, (_, c) => t.user_final.data[4 + c] * t.item_final.data[j * 4 + c]).reduce((s, x) => s + x, 0);
    for (let j = 0; j < ds.nItems; j++) expect(scores[j]).toBeCloseTo(dot(j), 5);
    fresh.dispose();
  });
});

describe('LATTICE item graphs for the explorer (itemGraphs)', () => {
  for (const lambda of [0.3, 1]) {
    it(`λ = ${lambda}: the modalities' combined lists sum to the graph the model convolves on (h_item = A·E, one layer)`, async () => {
      const m = new LatticeModel(ds, { ...base, itemLayers: 1, lambda }, 6);
      const logits = m.variables().find((v) => baseName(v.name).startsWith('modality_logits'))!;
      logits.assign(tf.tensor1d([0.9, -0.4])); // non-uniform modality weights
      const g = await m.itemGraphs();
      const tables = await m.embeddingTables();
      const n = ds.nItems;
      const d = base.embedDim;
      expect(g.lambda).toBe(lambda);
      expect(g.modalities.map((x) => x.name)).toEqual(ds.modalities.map((x) => x.name));
      // A = Σ_m rows of (1 − λ)·learned_m + λ·initial_m, from the stored (combined) lists.
      const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (const mod of g.modalities) {
        expect(mod.initial.indices.length).toBe(n * mod.k);
        const c = combinedNeighbours(mod, lambda, n);
        for (let i = 0; i < n; i++)
          for (let q = 0; q < c.k; q++) {
            const j = c.indices[i * c.k + q];
            if (j >= 0) a[i][j] += c.weights[i * c.k + q];
          }
        if (lambda === 1) expect(Math.max(...mod.learned.weights.map(Math.abs))).toBe(0);
      }
      const e = tables.item_id.data;
      const h = tables.h_item.data;
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let q = 0; q < d; q++) {
          let v = 0;
          for (let j = 0; j < n; j++) v += a[i][j] * e[j * d + q];
          worst = Math.max(worst, Math.abs(v - h[i * d + q]));
        }
      expect(worst).toBeLessThan(1e-5);
      // The initial lists are the raw-feature kNN graphs, weighted by w = softmax(p).
      const w = await m.modalityWeights();
      g.modalities.forEach((mod) => {
        const mm = ds.modalities.find((x) => x.name === mod.name)!;
        const s0 = buildKnnGraph(mm.features, n, mm.dim, base.topK);
        expect(Array.from(mod.initial.indices)).toEqual(Array.from(s0.pattern.cols));
        expect(maxAbsDiff(mod.initial.weights, s0.values.map((v) => v * w[mod.name]))).toBeLessThan(1e-6);
      });
      m.dispose();
    });
  }
});

describe('LATTICE and MICRO w/o fusion', () => {
  const microOf = (c: Partial<LatticeConfig>, seed: number) =>
    new MicroModel(ds, resolveMicroConfig('paper', { ...base, ...c, fusion: false, specific: false, preference: false, betaS: 0 }), seed);

  it('one modality: the same model — equal losses and gradients on rebuild and reuse batches', () => {
    const lattice = new LatticeModel(ds, { ...base, modalities: ['m1'] }, 1);
    const micro = microOf({ modalities: ['m1'] }, 9);
    copyWeights(micro, lattice);
    expect(lattice.variables().map((v) => baseName(v.name)).sort()).toEqual(micro.variables().map((v) => baseName(v.name)).sort());
    for (const ctx of [rebuild, reuse]) {
      const a = lattice.batchLoss(batch, ctx);
      const b = micro.batchLoss(batch, ctx);
      expect(Object.keys(a.parts)).toEqual(Object.keys(b.parts));
      for (const k of Object.keys(b.parts)) expect(a.parts[k].dataSync()[0], k).toBeCloseTo(b.parts[k].dataSync()[0], 6);
      const ga = gradsByName(() => lattice.batchLoss(batch, ctx).total, lattice.variables());
      const gb = gradsByName(() => micro.batchLoss(batch, ctx).total, micro.variables());
      for (const [name, g] of gb) expect(maxAbsDiff(ga.get(name)!, g), name).toBeLessThan(1e-6);
    }
    lattice.dispose();
    micro.dispose();
  });

  it('two modalities, λ = 1, L = 1, uniform weights: the same loss and ID gradients (the mean of S̃_m·E is (Σ ½S̃_m)·E)', () => {
    const c = { lambda: 1, itemLayers: 1 };
    const lattice = new LatticeModel(ds, { ...base, ...c }, 1);
    const micro = microOf(c, 9);
    copyWeights(micro, lattice);
    expect(lattice.batchLoss(batch, rebuild).total.dataSync()[0]).toBeCloseTo(micro.batchLoss(batch, rebuild).total.dataSync()[0], 6);
    const ga = gradsByName(() => lattice.batchLoss(batch, rebuild).total, lattice.variables());
    const gb = gradsByName(() => micro.batchLoss(batch, rebuild).total, micro.variables());
    for (const name of ['user_emb', 'item_emb']) expect(maxAbsDiff(ga.get(name)!, gb.get(name)!), name).toBeLessThan(1e-6);
    lattice.dispose();
    micro.dispose();
  });

  it('where they differ: LATTICE convolves on the fused graph ((½S̃₁+½S̃₂)²E), MICRO averages per-modality convolutions (½(S̃₁²+S̃₂²)E)', () => {
    const c = { lambda: 1, itemLayers: 2 };
    const lattice = new LatticeModel(ds, { ...base, ...c }, 1);
    const micro = microOf(c, 9);
    copyWeights(micro, lattice);
    const s = ds.modalities.map((m) => buildKnnGraph(m.features, ds.nItems, m.dim, base.topK)).map((g) => dense(g.pattern, g.values));
    const e = micro.variables().find((v) => baseName(v.name) === 'item_emb')!.arraySync() as number[][];
    const mul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_, j) => r.reduce((acc, x, q) => acc + x * b[q][j], 0)));
    const fused = s[0].map((r, i) => r.map((x, j) => 0.5 * x + 0.5 * s[1][i][j]));
    const latticeExpected = mul(fused, mul(fused, e));
    const microExpected = mul(s[0], mul(s[0], e)).map((r, i) => r.map((x, j) => 0.5 * x + 0.5 * mul(s[1], mul(s[1], e))[i][j]));
    const hL = tf.tidy(() => lattice.forward(true).h.arraySync());
    const hM = tf.tidy(() => micro.forward(true).hc!.arraySync());
    expect(maxAbsDiff(hL.flat(), latticeExpected.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(hM.flat(), microExpected.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(latticeExpected.flat(), microExpected.flat())).toBeGreaterThan(1e-3);
    lattice.dispose();
    micro.dispose();
  });
});
