// Trainer behaviour: seeded determinism, exact resume from a checkpoint, cancellation, samplers,
// early stopping, and no tensor leaks across epochs.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../src/main/engine/backend';
import { createModel, resolveRun } from '../../../../src/main/engine/experiment';
import { trainModel, type TrainOptions } from '../../../../src/main/engine/train/trainer';
import { planEpoch } from '../../../../src/main/engine/train/sampler';
import { createRng } from '../../../../src/main/engine/data/random';
import { decodeCheckpoint } from '../../../../src/main/engine/train/checkpoint';
import { tinyDataset } from '../../../helpers/tiny';
import { MODEL_KINDS } from '../../../../src/main/engine/registry';

beforeAll(async () => {
  await initBackend('wasm');
});

const ds = tinyDataset({ users: 30, items: 25, modalities: [6, 5], seed: 11 });

function opts(run: ReturnType<typeof resolveRun>, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { ...run.train, seed: run.seed, ...extra };
}

describe('training loop', () => {
  const run = resolveRun({ model: 'micro', preset: 'paper', seed: 5, model_overrides: { embedDim: 8, topK: 4 }, train_overrides: { epochs: 4, batchSize: 16, evalEvery: 1, patience: 50 } });

  it('is deterministic for a seed on the same backend', async () => {
    const a = createModel(run, ds);
    const b = createModel(run, ds);
    const ra = await trainModel(a, ds, opts(run));
    const rb = await trainModel(b, ds, opts(run));
    expect(ra.history.map((h) => h.losses.total)).toEqual(rb.history.map((h) => h.losses.total));
    expect(await a.scoreUsers(Int32Array.from([0, 1]))).toEqual(await b.scoreUsers(Int32Array.from([0, 1])));
    const c = createModel({ ...run, seed: 6 }, ds);
    const rc = await trainModel(c, ds, opts({ ...run, seed: 6 }));
    expect(rc.history[0].losses.total).not.toBe(ra.history[0].losses.total);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('resumes from a checkpoint exactly where the uninterrupted run would be', async () => {
    const full = createModel(run, ds);
    const rFull = await trainModel(full, ds, opts(run, { patience: 1000 }));
    let ck: Uint8Array | undefined;
    const part = createModel(run, ds);
    await trainModel(part, ds, opts(run, { epochs: 2, onEpoch: async (e, checkpoint) => { if (e.epoch === 2) ck = await checkpoint(); } }));
    expect(decodeCheckpoint<{ trainer: { epoch: number } }>(ck!).meta.trainer.epoch).toBe(2);
    const resumed = createModel(run, ds);
    const rRes = await trainModel(resumed, ds, opts(run, { resumeFrom: ck }));
    expect(rRes.history.map((h) => h.epoch)).toEqual([3, 4]);
    rRes.history.forEach((h, i) => expect(h.losses.total).toBeCloseTo(rFull.history[i + 2].losses.total, 6));
    [full, part, resumed].forEach((m) => m.dispose());
  });

  it('stops within one batch when cancelled and keeps the best weights', async () => {
    const m = createModel(run, ds);
    const ac = new AbortController();
    let batches = 0;
    const r = await trainModel(m, ds, opts(run, { signal: ac.signal, onProgress: (e) => { if (e.phase === 'train' && ++batches === 3) ac.abort(); } }));
    expect(r.status).toBe('cancelled');
    expect(batches).toBe(3);
    m.dispose();
  });

  it('early-stops after more than `patience` evaluations without improvement', async () => {
    const m = createModel(resolveRun({ model: 'mf', seed: 1, train_overrides: { epochs: 200, batchSize: 16, evalEvery: 1, patience: 2, lr: 1e-6 } }), ds);
    const r = await trainModel(m, ds, { ...resolveRun({ model: 'mf', train_overrides: { epochs: 200, batchSize: 16, evalEvery: 1, patience: 2, lr: 1e-6 } }).train, seed: 1 });
    expect(r.status).toBe('early-stopped');
    expect(r.epochsRun).toBeLessThan(200);
    expect(r.epochsRun - r.bestEpoch).toBe(3);
    m.dispose();
  });

  it('reads each batch back once (the loss and its parts stacked), asynchronously', async () => {
    // webgpu in Node has only the asynchronous read; a per-part read would also cost one GPU
    // sync point per part. Counted on the backend itself: read() is what tensor.data() calls.
    const backend = tf.backend() as unknown as { read(id: object): Promise<unknown> };
    const read = backend.read;
    let reads = 0;
    const perBatch: number[] = [];
    backend.read = function (this: unknown, id: object) {
      reads++;
      return read.call(this, id);
    };
    const m = createModel(run, ds);
    try {
      await trainModel(m, ds, opts(run, { epochs: 2, onProgress: (e) => {
        // The rebuild batch (first of an epoch) also reads its learned graphs: count the others.
        if (e.phase === 'train' && e.batch! > 1) perBatch.push(reads);
        if (e.phase === 'train') reads = 0;
      } }));
    } finally {
      backend.read = read;
      m.dispose();
    }
    expect(perBatch.length).toBeGreaterThan(2);
    expect(new Set(perBatch)).toEqual(new Set([1]));
  });

  it('does not leak tensors over epochs', async () => {
    const m = createModel(run, ds);
    await trainModel(m, ds, opts(run, { epochs: 1 }));
    const before = tf.memory().numTensors;
    await trainModel(m, ds, opts(run, { epochs: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});

describe('samplers', () => {
  it('user sampler: distinct users per batch, positives from train, negatives outside train; n_train//B + 1 batches', () => {
    const plan = planEpoch('user', ds.train, ds.nItems, 16, createRng(1));
    expect(plan.batches).toBe(Math.floor(ds.train.indices.length / 16) + 1);
    const b = plan.next();
    expect(new Set(b.users).size).toBe(b.users.length);
    for (let r = 0; r < b.users.length; r++) {
      const items = Array.from(ds.train.indices.subarray(ds.train.indptr[b.users[r]], ds.train.indptr[b.users[r] + 1]));
      expect(items).toContain(b.pos[r]);
      expect(items).not.toContain(b.neg[r]);
    }
  });
  it('interaction sampler: one pass covers every train interaction exactly once', () => {
    const plan = planEpoch('interaction', ds.train, ds.nItems, 7, createRng(2));
    const seen: string[] = [];
    for (let i = 0; i < plan.batches; i++) {
      const b = plan.next();
      b.users.forEach((u, r) => seen.push(`${u}:${b.pos[r]}`));
    }
    const all: string[] = [];
    for (let u = 0; u < ds.train.nUsers; u++) for (let p = ds.train.indptr[u]; p < ds.train.indptr[u + 1]; p++) all.push(`${u}:${ds.train.indices[p]}`);
    expect(seen.sort()).toEqual(all.sort());
  });
});

describe('model lifecycle', () => {
  it('creating and disposing any model leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    // Every registered model (a new entry is covered without touching this test).
    expect(MODEL_KINDS.length).toBeGreaterThanOrEqual(9);
    for (const model of MODEL_KINDS) {
      const small = model === 'micro' || model === 'lattice' ? { embedDim: 8, topK: 4 } : {};
      const m = createModel(resolveRun({ model, model_overrides: small }), ds);
      await m.prepareScoring();
      await m.scoreUsers(Int32Array.from([0]));
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
