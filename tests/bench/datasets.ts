// Bench datasets: the real TikTok folder when present, else generated sets of the paper's shapes.
// Generated interactions are uniform-random (no planted structure: only the cost is measured).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../src/main/engine/data';
import { makeDataset } from '../../src/main/engine/data/dataset';
import { userItemsFromLists } from '../../src/main/engine/data/csr';
import { createRng } from '../../src/main/engine/data/random';
import type { Dataset } from '../../src/main/engine/types';

export interface Shape {
  name: string;
  users: number;
  items: number;
  train: number;
  /** Feature dims per modality. */
  dims: Record<string, number>;
}

export const TIKTOK: Shape = { name: 'tiktok-shaped', users: 9308, items: 6710, train: 59541, dims: { image: 128, audio: 128 } };
export const CLOTHING: Shape = { name: 'clothing-shaped', users: 39387, items: 23033, train: 197338, dims: { image: 4096, text: 1024 } };

/** ../shared/data/tiktok relative to the repository root (tests/bench/ -> ../../../shared); MICRO_BENCH_TIKTOK overrides. */
export const TIKTOK_DIR = process.env.MICRO_BENCH_TIKTOK ?? path.resolve(import.meta.dirname, '../../../shared/data/tiktok');

/**
 * A random dataset of the given shape: `train` interactions spread over users (each ≥ 1), one
 * validation item per user, features N(0,1) float32.
 */
export function generateDataset(shape: Shape, seed = 1): Dataset {
  const rng = createRng(seed);
  const { users, items } = shape;
  const per = new Int32Array(users).fill(1);
  for (let r = users; r < shape.train; r++) per[rng.int(users)]++;
  const train: number[][] = [];
  const val: number[][] = [];
  for (let u = 0; u < users; u++) {
    const picked = rng.sample(items, Math.min(items - 1, per[u] + 1));
    const list = Array.from(picked);
    val.push([list.pop()!]);
    train.push(list.sort((a, b) => a - b));
  }
  const modalities = Object.entries(shape.dims).map(([name, dim]) => {
    const f = new Float32Array(items * dim);
    for (let i = 0; i < f.length; i++) f[i] = rng.normal();
    return { name, dim, features: f };
  });
  return makeDataset({
    name: shape.name,
    layout: 'demo',
    sourcePaths: [],
    nUsers: users,
    nItems: items,
    train: userItemsFromLists(users, train),
    val: userItemsFromLists(users, val),
    test: userItemsFromLists(users, []),
    modalities,
  });
}

/** The real TikTok data when ../shared/data/tiktok exists, else a generated set of its shape. */
export function tiktokDataset(): { ds: Dataset; real: boolean } {
  if (fs.existsSync(path.join(TIKTOK_DIR, 'train.json'))) return { ds: loadDataset(TIKTOK_DIR), real: true };
  return { ds: generateDataset(TIKTOK), real: false };
}
