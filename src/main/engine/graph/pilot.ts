// The paper's pilot studies (section 2.2, Tables 1-2), for one modality.
//
// (a) Mean cosine over all ordered item pairs i != j, and over co-interacted pairs (distinct
//     items in the same user's train list). Both are exact, in O(N*dim) and O(nnz*dim), via
//       sum_{i != j in S} cos(i, j) = || sum_{i in S} e_i ||^2 - sum_{i in S} ||e_i||^2
//     on L2-normalised rows e_i (zero rows stay zero: their cosines count as 0).
//     Co-interacted pairs are pooled over users: a pair bought by two users counts twice
//     (sum over users of all their item pairs / number of such (user, pair) occurrences).
// (b) For k in ks: the share of users with >= 2 train items owning a pair (i1, i2) where i1 is
//     among the k most similar items of i2 or vice versa (self excluded from the top-k lists).
//     The kNN table is built for min(max(ks), n - 1) neighbours (n x k entries); callers taking
//     ks from users bound them (runs/diagnose.ts).

import type { UserItems } from '../types';
import { knnCosineTopK, type KnnResult } from './knn';

export interface PilotResult {
  meanAllPairs: number;
  meanCoInteracted: number;
  shareWithSimilarPair: { k: number; share: number }[];
  /** Users with >= 2 train items (the denominator of the shares). */
  usersConsidered: number;
  /** Number of (user, unordered pair) occurrences averaged in meanCoInteracted. */
  coInteractedPairs: number;
}

export interface PilotOptions {
  blockRows?: number;
  /** A precomputed kNN (self excluded, k >= max(ks), ties lower index first) to reuse. */
  knn?: KnnResult;
}

/** Inverse row norms and squared norms after normalisation (1, or 0 for zero rows). */
function rowNorms(features: Float32Array, n: number, dim: number): { inv: Float64Array; sq: Float64Array } {
  const inv = new Float64Array(n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += features[a + d] * features[a + d];
    if (s > 0) {
      const r = 1 / Math.sqrt(s);
      inv[i] = r;
      sq[i] = s * r * r;
    }
  }
  return { inv, sq };
}

export function pilotStudies(
  features: Float32Array,
  n: number,
  dim: number,
  train: UserItems,
  ks: readonly number[] = [5, 10, 15, 20],
  opts?: PilotOptions,
): PilotResult {
  if (features.length < n * dim) throw new RangeError(`pilotStudies: features has ${features.length} values, expected ${n * dim}`);
  const { inv, sq } = rowNorms(features, n, dim);

  // Σ over ordered pairs i≠j of a set of cos(i, j) = |Σ x̂_i|² − Σ |x̂_i|² (x̂ = x/‖x‖): O(|set|·dim).
  const acc = new Float64Array(dim);
  const orderedPairSum = (count: number, itemAt: (q: number) => number): number => {
    acc.fill(0);
    let self = 0;
    for (let q = 0; q < count; q++) {
      const i = itemAt(q);
      const a = i * dim;
      const r = inv[i];
      for (let d = 0; d < dim; d++) acc[d] += features[a + d] * r;
      self += sq[i];
    }
    let t = 0;
    for (let d = 0; d < dim; d++) t += acc[d] * acc[d];
    return t - self;
  };

  // (a) all pairs
  const meanAllPairs = n > 1 ? orderedPairSum(n, (q) => q) / (n * (n - 1)) : 0;

  // (a) co-interacted pairs, pooled over users
  let pairSum = 0; // over ordered pairs
  let pairCount = 0; // unordered
  for (let u = 0; u < train.nUsers; u++) {
    const s = train.indptr[u];
    const m = train.indptr[u + 1] - s;
    if (m < 2) continue;
    pairSum += orderedPairSum(m, (q) => {
      const i = train.indices[s + q];
      if (i < 0 || i >= n) throw new RangeError(`pilotStudies: item ${i} of user ${u} out of range (n=${n})`);
      return i;
    });
    pairCount += (m * (m - 1)) / 2;
  }
  const meanCoInteracted = pairCount > 0 ? pairSum / 2 / pairCount : 0;

  // (b) users owning a semantically similar pair
  const kMax = ks.length ? Math.max(...ks) : 0;
  let usersConsidered = 0;
  const shareCounts = new Float64Array(ks.length);
  if (kMax > 0 && n > 1) {
    // an item has n - 1 other items: a larger k changes nothing but the kNN table's size
    const kNeed = Math.min(kMax, n - 1);
    let knn = opts?.knn;
    let kk = knn ? knn.indices.length / n : kNeed;
    if (!knn || kk < kNeed) {
      knn = knnCosineTopK(features, n, dim, kNeed, { includeSelf: false, blockRows: opts?.blockRows });
      kk = kNeed;
    }
    const rMax = Math.min(kk, kMax);
    const mark = new Int32Array(n).fill(-1);
    for (let u = 0; u < train.nUsers; u++) {
      const s = train.indptr[u];
      const e = train.indptr[u + 1];
      if (e - s < 2) continue;
      usersConsidered++;
      for (let p = s; p < e; p++) mark[train.indices[p]] = u;
      // best = smallest rank position (0-based) at which some item's neighbour is another item of u
      let best = kMax;
      for (let p = s; p < e && best > 0; p++) {
        const i = train.indices[p];
        const base = i * kk;
        for (let r = 0; r < best && r < rMax; r++) {
          const j = knn.indices[base + r];
          if (j >= 0 && j !== i && mark[j] === u) {
            best = r;
            break;
          }
        }
      }
      for (let q = 0; q < ks.length; q++) if (best < ks[q]) shareCounts[q]++;
    }
  } else {
    for (let u = 0; u < train.nUsers; u++) if (train.indptr[u + 1] - train.indptr[u] >= 2) usersConsidered++;
  }
  return {
    meanAllPairs,
    meanCoInteracted,
    shareWithSimilarPair: ks.map((k, q) => ({ k, share: usersConsidered > 0 ? shareCounts[q] / usersConsidered : 0 })),
    usersConsidered,
    coInteractedPairs: pairCount,
  };
}
