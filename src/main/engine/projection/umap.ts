// UMAP of an embedding table through umap-js (the JavaScript port by the PAIR team, used by
// TensorBoard's projector), seeded for determinism. The neighbour graph is the exact cosine
// top-k of the engine (graph/knn.ts, blocked, seconds faster than umap-js's NN-descent at TikTok
// size); umap-js builds the fuzzy graph and optimises the layout. Heavy (≈ 20 s for 6,710 × 64
// on 2 cores): the API runs it in a task worker and caches the result.
import { UMAP } from 'umap-js';
import { createRng } from '../data/random';
import { knnCosineTopK } from '../graph/knn';

export interface UmapOptions {
  nNeighbors: number;
  minDist: number;
  seed: number;
  /** Optimisation epochs; default: umap-js's choice for the table's size (200-500). */
  nEpochs?: number;
}

/** 2-D UMAP layout of a row-major n × d table, [x0, y0, x1, y1, …]. */
export function umap2d(data: Float32Array, n: number, d: number, o: UmapOptions, onEpoch?: (epoch: number, of: number) => void): Float32Array {
  if (n < 3) {
    // Too few points for a neighbour graph: put them on a line.
    return Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : 0));
  }
  const k = Math.min(o.nNeighbors, n - 1);
  const rng = createRng(o.seed);
  const u = new UMAP({ nComponents: 2, nNeighbors: k, minDist: o.minDist, random: () => rng.next(), ...(o.nEpochs ? { nEpochs: o.nEpochs } : {}) });
  // k + 1 with self (umap-learn's convention: each point is its own nearest neighbour).
  const knn = knnCosineTopK(data, n, d, k + 1);
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let r = 0; r < n; r++) {
    const idx: number[] = [];
    const dist: number[] = [];
    for (let j = 0; j < k + 1; j++) {
      const id = knn.indices[r * (k + 1) + j];
      if (id < 0) continue;
      idx.push(id);
      dist.push(Math.max(0, 1 - knn.values[r * (k + 1) + j]));
    }
    knnIndices.push(idx);
    knnDistances.push(dist);
  }
  u.setPrecomputedKNN(knnIndices, knnDistances);
  const rows: number[][] = Array.from({ length: n }, (_, r) => Array.from(data.subarray(r * d, r * d + d)));
  const epochs = u.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    u.step();
    if (onEpoch && (e % 25 === 0 || e === epochs - 1)) onEpoch(e + 1, epochs);
  }
  const emb = u.getEmbedding();
  const out = new Float32Array(n * 2);
  for (let r = 0; r < n; r++) {
    out[r * 2] = emb[r][0];
    out[r * 2 + 1] = emb[r][1];
  }
  return out;
}
