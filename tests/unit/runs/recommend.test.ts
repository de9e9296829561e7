// Exports in the original ids: a raw list with string ids, split warm (the split keeps its id
// maps), trained with every kind of model; top-K recommendations with training items masked,
// and the embeddings (with id maps) of every model that has them.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createRng, itemsOf, writeNpy } from '../../../src/main/engine/data';
import type { Dataset } from '../../../src/main/engine/types';
import { executeRun } from '../../../src/main/runs/execute';
import { exportRun } from '../../../src/main/runs/export';
import { exportRecommendations } from '../../../src/main/runs/recommend';
import { importDataset, loadRegistered, splitDataset } from '../../../src/main/runs/datasets';
import { RunStore, type DatasetRecord } from '../../../src/main/store';
import { tempDir } from '../../helpers/temp';

const N_ITEMS = 12;
const N_USERS = 16;
const itemId = (i: number) => `sku-${String.fromCharCode(65 + i)}`;
const userId = (u: number) => `user:${(u * 7) % 97}`;

/** ratings.csv with string ids, features in item_order.txt order, items.csv by original id. */
function rawFolder(): string {
  const d = tempDir('micro-recs-src-');
  const rng = createRng(11);
  const lines = ['user,item,rating'];
  for (let u = 0; u < N_USERS; u++) for (const i of rng.sample(N_ITEMS, 6)) lines.push(`${userId(u)},${itemId(i)},5`);
  fs.writeFileSync(path.join(d, 'ratings.csv'), `${lines.join('\n')}\n`);
  // feature rows in a different order than first appearance in the list
  const order = Array.from({ length: N_ITEMS }, (_, i) => itemId(N_ITEMS - 1 - i));
  fs.writeFileSync(path.join(d, 'item_order.txt'), `${order.join('\n')}\n`);
  for (const [name, dim] of [
    ['visual', 5],
    ['textual', 3],
  ] as const) {
    const f = new Float32Array(N_ITEMS * dim);
    for (let k = 0; k < f.length; k++) f[k] = rng.normal();
    writeNpy(path.join(d, `${name}_feat.npy`), f, [N_ITEMS, dim], 'float32');
  }
  fs.writeFileSync(
    path.join(d, 'micro.json'),
    JSON.stringify({ name: 'shop', layout: 'raw', interactionsFile: 'ratings.csv', itemOrder: 'item_order.txt', modalities: [{ name: 'visual', file: 'visual_feat.npy' }, { name: 'textual', file: 'textual_feat.npy' }] }),
  );
  fs.writeFileSync(path.join(d, 'items.csv'), `item,title\n${Array.from({ length: N_ITEMS }, (_, i) => `${itemId(i)},Title ${itemId(i)}`).join('\n')}\n`);
  return d;
}

let store: RunStore;
let split: { record: DatasetRecord; dataset: Dataset };
let out: string;

beforeAll(async () => {
  await initBackend('wasm');
  const dir = tempDir('micro-recs-');
  out = path.join(dir, 'out');
  store = RunStore.open(path.join(dir, 'runs.sqlite'));
  const src = importDataset(store, rawFolder());
  split = splitDataset(store, src.dataset, 'warm', path.join(dir, 'shop-warm'));
  return () => store.close();
});

async function train(model: string, model_overrides: Record<string, unknown> = {}): Promise<number> {
  const { run } = await executeRun({
    store,
    dataset: split.dataset,
    datasetRecord: split.record,
    spec: { model, seed: 5, model_overrides, train_overrides: { epochs: 2, batchSize: 16, evalEvery: 1, patience: 5, ks: [20], criterion: 'recall@20' } },
  });
  expect(run.status).toBe('completed');
  return run.id;
}

function readCsv(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
}

describe('a split of a raw list', () => {
  it('keeps the original ids (written with the split, registered with it) and the item metadata', () => {
    const folder = split.record.sourcePaths[0];
    expect(fs.readFileSync(path.join(folder, 'item_ids.txt'), 'utf8').trim().split('\n')).toEqual(Array.from({ length: N_ITEMS }, (_, i) => itemId(N_ITEMS - 1 - i)));
    const reloaded = loadRegistered(split.record);
    expect(reloaded.fingerprint).toBe(split.record.fingerprint);
    expect(reloaded.itemIds).toEqual(split.dataset.itemIds);
    expect(new Set(reloaded.userIds)).toEqual(new Set(Array.from({ length: N_USERS }, (_, u) => userId(u))));
    expect(reloaded.sourcePaths).toEqual(expect.arrayContaining([path.join(folder, 'item_ids.txt'), path.join(folder, 'user_ids.txt')]));
    // items.csv named original ids: dense item k is item_order line k
    expect(store.getItems(split.record.id, [0]).get(0)?.title).toBe(`Title ${itemId(N_ITEMS - 1)}`);
  });
});

describe('recommendations export', () => {
  const check = (file: string, k: number) => {
    const ds = split.dataset;
    const rows = readCsv(file);
    expect(rows[0]).toEqual(['user', 'item', 'rank', 'score']);
    const dense = new Map(ds.itemIds!.map((id, i) => [id, i]));
    const users = new Map(ds.userIds!.map((id, u) => [id, u]));
    const byUser = new Map<string, string[][]>();
    for (const r of rows.slice(1)) byUser.set(r[0], [...(byUser.get(r[0]) ?? []), r]);
    const testUsers = ds.userIds!.filter((_, u) => itemsOf(ds.test, u).length > 0);
    expect([...byUser.keys()].sort()).toEqual([...testUsers].sort());
    for (const [user, recs] of byUser) {
      expect(users.has(user)).toBe(true);
      const trainItems = new Set(itemsOf(ds.train, users.get(user)!));
      expect(recs.map((r) => Number(r[2]))).toEqual(Array.from({ length: k }, (_, q) => q + 1));
      for (const r of recs) {
        expect(dense.has(r[1]), r[1]).toBe(true); // an original id, not a dense one
        expect(trainItems.has(dense.get(r[1])!), `${user} ${r[1]} is a training item`).toBe(false);
      }
      const scores = recs.map((r) => Number(r[3]));
      for (let q = 1; q < scores.length; q++) expect(scores[q]).toBeLessThanOrEqual(scores[q - 1]);
    }
    return rows;
  };

  it('Popularity (re-fitted on the dataset): the most popular unmasked items, in original ids', async () => {
    const id = await train('popularity');
    const [file] = await exportRecommendations(store, id, { k: 3, split: 'test', format: 'csv', out });
    const rows = check(file, 3);
    const ds = split.dataset;
    const counts = new Array(N_ITEMS).fill(0);
    for (const i of ds.train.indices) counts[i]++;
    const u0 = ds.userIds!.findIndex((_, u) => itemsOf(ds.test, u).length > 0);
    const masked = new Set(itemsOf(ds.train, u0));
    const expected = Array.from({ length: N_ITEMS }, (_, i) => i)
      .filter((i) => !masked.has(i))
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, 3)
      .map((i) => [ds.userIds![u0], ds.itemIds![i], String(counts[i])]);
    expect(rows.filter((r) => r[0] === ds.userIds![u0]).map((r) => [r[0], r[1], r[3]])).toEqual(expected);
  });

  it('Item-kNN and content kNN (fitted models) and --split all (every known item masked), as CSV and JSONL', async () => {
    for (const model of ['itemknn', 'contentknn']) check((await exportRecommendations(store, await train(model, { k: 5 }), { k: 4, split: 'test', format: 'csv', out }))[0], 4);
    const id = await train('itemknn', { k: 5 });
    const [file] = await exportRecommendations(store, id, { k: 2, split: 'all', format: 'jsonl', out });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user: string; items: { item: string; rank: number }[] });
    const ds = split.dataset;
    expect(lines).toHaveLength(N_USERS);
    for (const l of lines) {
      const u = ds.userIds!.indexOf(l.user);
      const known = new Set([...itemsOf(ds.train, u), ...itemsOf(ds.val, u), ...itemsOf(ds.test, u)].map((i) => ds.itemIds![i]));
      for (const r of l.items) expect(known.has(r.item)).toBe(false);
    }
  });

  it('embedding models score from their stored final embeddings, the same as the model restored from its checkpoint', async () => {
    const id = await train('lightgcn', { embedDim: 4 });
    const [viaEmb] = await exportRecommendations(store, id, { k: 5, split: 'test', format: 'csv', out: path.join(out, 'a') });
    // Without the stored embeddings (a run from before they were stored) the model is restored.
    store.rawDatabase().prepare("DELETE FROM artifacts WHERE run_id = ? AND kind = 'embeddings'").run(id);
    const [viaCkpt] = await exportRecommendations(store, id, { k: 5, split: 'test', format: 'csv', out: path.join(out, 'b') });
    const a = check(viaEmb, 5);
    const b = readCsv(viaCkpt);
    expect(b.map((r) => r.slice(0, 3))).toEqual(a.map((r) => r.slice(0, 3)));
    for (let q = 1; q < a.length; q++) expect(Number(b[q][3])).toBeCloseTo(Number(a[q][3]), 5);
  });

  it('refuses a dataset that changed since the run', async () => {
    const id = await train('popularity');
    const changed = { ...split.dataset, fingerprint: 'f'.repeat(64) };
    await expect(exportRecommendations(store, id, { k: 3, split: 'test', format: 'csv', out }, changed)).rejects.toThrow(/changed since run \d+ was trained/);
  });
});

describe('embeddings of every model that has them', () => {
  for (const [model, overrides] of [
    ['mf', { embedDim: 4 }],
    ['lightgcn', { embedDim: 4 }],
    ['vbpr', { embedDim: 4 }],
    ['micro', { embedDim: 4, topK: 3 }],
  ] as const) {
    it(`${model}: user/item final embeddings stored and exported with original-id maps`, async () => {
      const id = await train(model, overrides);
      const names = store.listArtifacts(id, { kind: 'embeddings' }).map((a) => a.name);
      expect(names).toEqual(expect.arrayContaining(['user_final', 'item_final', 'user_id', 'item_id']));
      const u = store.findArtifact(id, 'embeddings', 'user_final')!;
      const i = store.findArtifact(id, 'embeddings', 'item_final')!;
      expect(u.shape![0]).toBe(split.dataset.nUsers);
      expect(i.shape![0]).toBe(N_ITEMS);
      expect(u.shape![1]).toBe(i.shape![1]);
      const dir = path.join(out, `emb-${model}`);
      const files = await exportRun(store, id, { what: 'embeddings', format: 'csv', out: dir, embedding: 'item_final' });
      const ids = readCsv(files.find((f) => f.endsWith('-ids.csv'))!);
      expect(ids[0]).toEqual(['index', 'item']);
      expect(ids.slice(1).map((r) => r[1])).toEqual(split.dataset.itemIds);
      const table = readCsv(files[0]);
      expect(table[0].slice(0, 3)).toEqual(['index', 'id', 'd0']);
      expect(table[1][1]).toBe(split.dataset.itemIds![0]);
      const users = readCsv((await exportRun(store, id, { what: 'embeddings', format: 'npy', out: dir, embedding: 'user_final' })).find((f) => f.endsWith('-ids.csv'))!);
      expect(users.slice(1).map((r) => r[1])).toEqual(split.dataset.userIds);
    });
  }
});
