// Fitted (non-gradient) baselines: Popularity, ItemKNN on co-interactions, content-only kNN.
// Each scores user blocks as a sparse sum over the user's train items.
import type { Dataset, UserItems } from '../../types';
import { knnCosineTopK } from '../../graph/knn';
import type { Recommender } from '../types';
import { normalisedContent } from './content';

/** Most-interacted items first, the same list for everyone. */
export class Popularity implements Recommender {
  readonly kind = 'popularity';
  private readonly counts: Float32Array;
  constructor(ds: Dataset) {
    this.counts = new Float32Array(ds.nItems);
    for (const i of ds.train.indices) this.counts[i] += 1;
  }
  variables() {
    return [];
  }
  async prepareScoring(): Promise<void> {}
  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    const n = this.counts.length;
    const out = new Float32Array(users.length * n);
    for (let r = 0; r < users.length; r++) out.set(this.counts, r * n);
    return out;
  }
  dispose(): void {}
}

/** Item neighbour lists (k per item) scored as Σ_{j ∈ I_u} sim(j, i). */
abstract class NeighbourScorer implements Recommender {
  abstract readonly kind: string;
  protected indices: Int32Array = new Int32Array(0);
  protected values: Float32Array = new Float32Array(0);
  protected k = 0;
  constructor(
    protected readonly train: UserItems,
    protected readonly nItems: number,
  ) {}
  variables() {
    return [];
  }
  async prepareScoring(): Promise<void> {}
  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    const n = this.nItems;
    const k = this.k;
    const out = new Float32Array(users.length * n);
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      const row = r * n;
      for (let p = this.train.indptr[u]; p < this.train.indptr[u + 1]; p++) {
        const j = this.train.indices[p];
        for (let q = j * k; q < j * k + k; q++) out[row + this.indices[q]] += this.values[q];
      }
    }
    return out;
  }
  dispose(): void {}
}

/**
 * ItemKNN (Sarwar et al.): cosine of item co-interaction vectors, top-k neighbours per item.
 * Co-occurrence counts are accumulated per item through its users, so memory is O(N·k + N).
 */
export class ItemKnn extends NeighbourScorer {
  readonly kind = 'itemknn';
  constructor(ds: Dataset, k = 50, shrink = 0) {
    super(ds.train, ds.nItems);
    const n = ds.nItems;
    this.k = Math.min(k, Math.max(1, n - 1));
    const itemUsers: number[][] = Array.from({ length: n }, () => []);
    const { indptr, indices } = ds.train;
    for (let u = 0; u < ds.train.nUsers; u++) for (let p = indptr[u]; p < indptr[u + 1]; p++) itemUsers[indices[p]].push(u);
    const deg = itemUsers.map((l) => l.length);
    this.indices = new Int32Array(n * this.k).fill(0);
    this.values = new Float32Array(n * this.k);
    const co = new Float32Array(n);
    const touched: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const u of itemUsers[i])
        for (let p = indptr[u]; p < indptr[u + 1]; p++) {
          const j = indices[p];
          if (j === i) continue;
          if (co[j] === 0) touched.push(j);
          co[j] += 1;
        }
      const cand = touched.map((j) => ({ j, s: co[j] / (Math.sqrt(deg[i] * deg[j]) + shrink) }));
      cand.sort((a, b) => b.s - a.s || a.j - b.j);
      for (let q = 0; q < Math.min(this.k, cand.length); q++) {
        this.indices[i * this.k + q] = cand[q].j;
        this.values[i * this.k + q] = cand[q].s;
      }
      for (const j of touched) co[j] = 0;
      touched.length = 0;
    }
  }
}

/** Content-only kNN: cosine of the (per-modality L2-normalised, concatenated) raw features. */
export class ContentKnn extends NeighbourScorer {
  readonly kind = 'contentknn';
  constructor(ds: Dataset, k = 50) {
    super(ds.train, ds.nItems);
    const { data: f, rows: n, cols: dim } = normalisedContent(ds, 'content kNN');
    this.k = Math.max(1, Math.min(k, n - 1));
    const g = knnCosineTopK(f, n, dim, this.k, { includeSelf: false });
    this.indices = g.indices;
    this.values = g.values;
  }
}
