// BPR triple samplers (docs/model.md, 'Sampling and early stopping'):
// - 'user' (reference): each batch draws `batchSize` distinct users with train items, one positive
//   and one negative each; an epoch has n_train//batchSize + 1 batches.
// - 'interaction' (MMRec/paper): an epoch is one shuffled pass over all train interactions.
// Negatives are uniform over all items minus the user's train items.
import type { UserItems } from '../types';
import type { Rng } from '../data/random';
import type { TrainBatch } from '../models/types';

export type SamplerKind = 'user' | 'interaction';

function hasItem(train: UserItems, u: number, item: number): boolean {
  let lo = train.indptr[u];
  let hi = train.indptr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = train.indices[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function sampleNegative(train: UserItems, nItems: number, u: number, rng: Rng): number {
  const len = train.indptr[u + 1] - train.indptr[u];
  if (len >= nItems) throw new Error(`user ${u} interacted with every item: no negative to sample`);
  for (;;) {
    const j = rng.int(nItems);
    if (!hasItem(train, u, j)) return j;
  }
}

export interface EpochPlan {
  batches: number;
  next(): TrainBatch;
}

export function planEpoch(kind: SamplerKind, train: UserItems, nItems: number, batchSize: number, rng: Rng): EpochPlan {
  const nTrain = train.indices.length;
  if (nTrain === 0) throw new Error('the train split has no interactions');
  if (kind === 'user') {
    const active: number[] = [];
    for (let u = 0; u < train.nUsers; u++) if (train.indptr[u + 1] > train.indptr[u]) active.push(u);
    const pool = Int32Array.from(active);
    const b = Math.min(batchSize, pool.length);
    return {
      batches: Math.floor(nTrain / batchSize) + 1,
      next(): TrainBatch {
        const pick = rng.sample(pool.length, b);
        const users = new Int32Array(b);
        const pos = new Int32Array(b);
        const neg = new Int32Array(b);
        for (let r = 0; r < b; r++) {
          const u = pool[pick[r]];
          users[r] = u;
          const s = train.indptr[u];
          pos[r] = train.indices[s + rng.int(train.indptr[u + 1] - s)];
          neg[r] = sampleNegative(train, nItems, u, rng);
        }
        return { users, pos, neg };
      },
    };
  }
  const order = new Int32Array(nTrain);
  for (let i = 0; i < nTrain; i++) order[i] = i;
  rng.shuffle(order);
  const owner = new Int32Array(nTrain);
  for (let u = 0; u < train.nUsers; u++) owner.fill(u, train.indptr[u], train.indptr[u + 1]);
  let cursor = 0;
  return {
    batches: Math.ceil(nTrain / batchSize),
    next(): TrainBatch {
      const b = Math.min(batchSize, nTrain - cursor);
      const users = new Int32Array(b);
      const pos = new Int32Array(b);
      const neg = new Int32Array(b);
      for (let r = 0; r < b; r++) {
        const e = order[cursor + r];
        const u = owner[e];
        users[r] = u;
        pos[r] = train.indices[e];
        neg[r] = sampleNegative(train, nItems, u, rng);
      }
      cursor += b;
      return { users, pos, neg };
    },
  };
}
