// Top-K recommendations of a stored run, for serving: per user, in the dataset's ORIGINAL ids,
// with the user's training items masked (`--split all` masks every known interaction).
//
// Scores come from what the run stored, else from the model re-created in this process:
// 1. user_final · item_finalᵀ when the run stored final embeddings (MICRO, MF, LightGCN, VBPR);
// 2. otherwise the registry re-creates the model with the run's resolved configuration:
//    fitted models (Popularity, Item-kNN, content kNN) have no weights and are re-fitted on the
//    run's dataset (deterministic: the same scores as during the run); trainable models are
//    restored from the newest checkpoint's best weights (runs stored before embeddings were).
// The dataset is loaded anyway (masking needs its interactions) and must still have the run's
// fingerprint. The CLI runs this in-process; the API in a dataset task worker.
import fs from 'node:fs';
import path from 'node:path';
import type { RunStore } from '../store';
import type { Dataset } from '../engine/types';
import { itemsOf } from '../engine/data';
import { evaluationTieOrder, topKRow } from '../engine/eval/evaluator';
import { loadRegistered } from './datasets';

export type RecommendSplit = 'test' | 'all';
export type RecommendFormat = 'csv' | 'jsonl';

export interface RecommendOptions {
  k: number;
  split: RecommendSplit;
  format: RecommendFormat;
  out: string;
}

/** Scores of all items for a block of users, row-major. */
type Scorer = { score(users: Int32Array): Float32Array | Promise<Float32Array>; dispose(): void; source: string };

const BLOCK = 256;

function f32(p: Buffer): Float32Array {
  return new Float32Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
}

function embeddingScorer(store: RunStore, runId: number, nItems: number): Scorer | null {
  const u = store.findArtifact(runId, 'embeddings', 'user_final', { payload: true });
  const i = store.findArtifact(runId, 'embeddings', 'item_final', { payload: true });
  if (!u?.payload || !i?.payload || !u.shape || !i.shape || u.shape[1] !== i.shape[1] || i.shape[0] !== nItems) return null;
  const U = f32(u.payload);
  const I = f32(i.payload);
  const d = u.shape[1];
  return {
    source: 'stored final embeddings',
    score(users) {
      const out = new Float32Array(users.length * nItems);
      for (let r = 0; r < users.length; r++) {
        const uo = users[r] * d;
        const ro = r * nItems;
        for (let it = 0; it < nItems; it++) {
          let s = 0;
          const io = it * d;
          for (let c = 0; c < d; c++) s += U[uo + c] * I[io + c];
          out[ro + it] = s;
        }
      }
      return out;
    },
    dispose() {},
  };
}

async function modelScorer(store: RunStore, runId: number, ds: Dataset): Promise<Scorer> {
  const run = store.getRun(runId)!;
  const resolved = (run.config as { resolved?: { model: string; seed: number; modelConfig: Record<string, unknown> } }).resolved;
  if (!resolved) throw new Error(`run ${runId} has no stored configuration to re-create its model from`);
  const { initBackend } = await import('../engine/backend');
  await initBackend(); // the model's tensors need one (a no-op when the process has one)
  const { findModel } = await import('../engine/registry');
  const entry = findModel(resolved.model);
  if (!entry) throw new Error(`run ${runId}: model "${resolved.model}" is not in this build's registry`);
  const model = entry.create(ds, resolved.modelConfig as never, resolved.seed);
  try {
    if (model.variables().length > 0) {
      const ck = store.latestCheckpoint(runId, { payload: true });
      if (!ck?.payload) throw new Error(`run ${runId} (${run.model}) has no final embeddings and no checkpoint to score with`);
      const { decodeCheckpoint, restoreVariables } = await import('../engine/train/checkpoint');
      const c = decodeCheckpoint(new Uint8Array(ck.payload));
      restoreVariables(model.variables(), c.best ?? c.variables);
    }
    await model.prepareScoring();
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { source: model.variables().length ? 'model restored from its checkpoint' : 'model re-fitted on the dataset', score: (u) => model.scoreUsers(u), dispose: () => model.dispose() };
}

/** RFC 4180 quoting where needed (original ids are arbitrary strings). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const num = (x: number) => String(Number(x.toPrecision(7)));

export async function exportRecommendations(store: RunStore, runId: number, o: RecommendOptions, loaded?: Dataset): Promise<string[]> {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found`);
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > 1000) throw new Error(`k must be an integer between 1 and 1000 (got ${o.k})`);
  const rec = run.datasetId !== null ? store.getDataset(run.datasetId) : null;
  if (!rec) throw new Error(`run ${runId} has no registered dataset to recommend from`);
  const ds = loaded ?? loadRegistered(rec);
  if (run.datasetFingerprint && ds.fingerprint !== run.datasetFingerprint) {
    throw new Error(`dataset "${rec.name}" changed since run ${runId} was trained (fingerprint ${ds.fingerprint.slice(0, 12)} ≠ ${run.datasetFingerprint.slice(0, 12)}); its recommendations would not match`);
  }
  const n = ds.nItems;
  const scorer = embeddingScorer(store, runId, n) ?? (await modelScorer(store, runId, ds));
  const userIds = ds.userIds;
  const itemIds = ds.itemIds;
  const uid = (u: number) => userIds?.[u] ?? String(u);
  const iid = (i: number) => itemIds?.[i] ?? String(i);
  const splits = o.split === 'test' ? [ds.test] : [ds.train, ds.val, ds.test];
  const users: number[] = [];
  for (let u = 0; u < ds.nUsers; u++) if (splits.some((s) => s.indptr[u + 1] > s.indptr[u])) users.push(u);
  const maskSplits = o.split === 'test' ? [ds.train] : [ds.train, ds.val, ds.test];

  fs.mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `run${runId}-recommendations-${o.split}-top${o.k}.${o.format}`);
  const fd = fs.openSync(file, 'w');
  try {
    if (o.format === 'csv') fs.writeSync(fd, 'user,item,rank,score\n');
    // The evaluator's top-K (a K-sized heap; -Infinity marks masked items, ties in its order).
    const tieKey = evaluationTieOrder(n);
    const topIdx = new Int32Array(o.k);
    const heapS = new Float64Array(o.k);
    const heapI = new Int32Array(o.k);
    for (let b = 0; b < users.length; b += BLOCK) {
      const block = Int32Array.from(users.slice(b, b + BLOCK));
      const scores = await scorer.score(block);
      const lines: string[] = [];
      for (let r = 0; r < block.length; r++) {
        const u = block[r];
        for (const split of maskSplits) for (const it of itemsOf(split, u)) scores[r * n + it] = -Infinity;
        const found = topKRow(scores, r * n, n, o.k, topIdx, heapS, heapI, undefined, tieKey);
        const top = Array.from(topIdx.subarray(0, found), (item) => ({ item, score: scores[r * n + item] }));
        if (o.format === 'csv') for (const [q, t] of top.entries()) lines.push(`${csvField(uid(u))},${csvField(iid(t.item))},${q + 1},${num(t.score)}`);
        else lines.push(JSON.stringify({ user: uid(u), items: top.map((t, q) => ({ item: iid(t.item), rank: q + 1, score: Number(num(t.score)) })) }));
      }
      if (lines.length) fs.writeSync(fd, `${lines.join('\n')}\n`);
    }
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    scorer.dispose();
    throw e;
  }
  fs.closeSync(fd);
  scorer.dispose();
  return [file];
}
