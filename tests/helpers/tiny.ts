// A tiny hand-made dataset for model-level tests (no I/O).
import { makeDataset } from '../../src/main/engine/data/dataset';
import { userItemsFromLists } from '../../src/main/engine/data/csr';
import { createRng } from '../../src/main/engine/data/random';
import type { Dataset } from '../../src/main/engine/types';
import type { TrainBatch } from '../../src/main/engine/models/types';

export function tinyDataset(opts: { users?: number; items?: number; modalities?: number[]; seed?: number } = {}): Dataset {
  const nUsers = opts.users ?? 6;
  const nItems = opts.items ?? 9;
  const dims = opts.modalities ?? [3, 4];
  const rng = createRng(opts.seed ?? 5);
  const train: number[][] = [];
  const val: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const items = Array.from(rng.sample(nItems, 4));
    train.push(items.slice(0, 3).sort((a, b) => a - b));
    val.push([items[3]]);
  }
  const modalities = dims.map((dim, m) => {
    const f = new Float32Array(nItems * dim);
    for (let i = 0; i < f.length; i++) f[i] = rng.normal();
    return { name: `m${m}`, dim, features: f };
  });
  return makeDataset({
    name: 'tiny',
    layout: 'demo',
    sourcePaths: [],
    nUsers,
    nItems,
    train: userItemsFromLists(nUsers, train),
    val: userItemsFromLists(nUsers, val),
    test: userItemsFromLists(nUsers, []),
    modalities,
  });
}

/** A BPR batch for `users`: each one's first train item as positive, the lowest item outside its train set as negative. */
export function trainBatchFor(ds: Dataset, users: number[]): TrainBatch {
  const pos = new Int32Array(users.length);
  const neg = new Int32Array(users.length);
  users.forEach((u, r) => {
    const items = ds.train.indices.subarray(ds.train.indptr[u], ds.train.indptr[u + 1]);
    pos[r] = items[0];
    let j = 0;
    while (items.includes(j)) j++;
    neg[r] = j;
  });
  return { users: Int32Array.from(users), pos, neg };
}
