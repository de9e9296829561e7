// FREEDOM (Zhou & Shen, ACM MM'23), as MMRec's src/models/freedom.py computes it:
// - one frozen item graph, built once from the raw features: per modality the binary kNN graph
//   (self included), D^-½KD^-½ (every row has k entries, so each edge weighs 1/k), the modalities
//   summed with weights (first modality imageWeight, the others sharing the rest);
// - the user-item graph pruned anew each epoch (edge-pruning.ts), D^-½AD^-½ on the kept edges;
//   scoring uses the full train graph;
// - LightGCN on that graph (mean of layers 0…L) plus h = S^L·E_item (not normalised):
//   x_u, x_i + h_i;
// - loss: BPR + regWeight · Σ_m BPR(x_u, W_m f_i^m + b_m) over each modality's projected raw features.
// Raw features stay frozen (MMRec fine-tunes them; they only enter the projection terms).
// Item graph memory O(M·N·k): the kNN comes from the row-blocked pass of micro/graphs.ts.
import { tf } from '../../backend';
import type { Dataset } from '../../types';
import { createRng } from '../../data/random';
import { concatPatterns, constMatMul, gatherRows, propagate, takeRows, untaped, type SparsePattern } from '../../ops';
import { batchL2, bprLoss, buildUserItemGraph, lightgcnPropagate, linearInit, scorerFrom, scoreWithEmbeddings, xavierUniform, type UserItemGraph } from '../common';
import type { BatchContext, BatchLoss, EmbeddingScorer, EmbeddingTable, Recommender, TrainBatch } from '../types';
import { buildKnnGraph, buildKnnGraphAsync, type KnnGraph } from '../micro/graphs';
import { chooseModalities } from './modalities';
import { readEmbeddingTables } from './tables';
import { pruneInteractions } from './edge-pruning';

export interface FreedomConfig {
  embedDim: number;
  cfLayers: number;
  itemLayers: number;
  topK: number;
  imageWeight: number;
  dropout: number;
  regWeight: number;
  l2: number;
  modalities: string[];
}

interface FreedomModality {
  name: string;
  dim: number;
  raw: Float32Array;
  proj: { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1> };
}

/** Weight of each modality's graph: [w, (1−w)/(M−1), …] (MMRec: image w, text 1 − w); one modality: 1. */
export function modalityGraphWeights(count: number, imageWeight: number): number[] {
  if (count === 1) return [1];
  return [imageWeight, ...Array.from({ length: count - 1 }, () => (1 - imageWeight) / (count - 1))];
}

/**
 * S = Σ_m w_m·D^-½K_mD^-½ from the modalities' kNN graphs (their patterns only: K_m is binary).
 * Degrees are row sums of K_m, i.e. k for every row, so an edge weighs w_m/k.
 */
export function frozenItemGraph(graphs: KnnGraph[], weights: number[]): { pattern: SparsePattern; values: Float32Array } {
  const pattern = graphs.map((g) => g.pattern).reduce(concatPatterns);
  const values = new Float32Array(pattern.rows.length);
  let e = 0;
  graphs.forEach((g, m) => values.fill(weights[m] / g.k, e, (e += g.pattern.rows.length)));
  return { pattern, values };
}

/** The pruning stream's seed: apart from the trainer's sampler streams (seed·1000003 + epoch). */
const PRUNE_STREAM = 0x2545f491;

export class FreedomModel implements Recommender {
  readonly kind = 'freedom';
  readonly nUsers: number;
  readonly nItems: number;
  private readonly userEmb: tf.Variable<tf.Rank.R2>;
  private readonly itemEmb: tf.Variable<tf.Rank.R2>;
  private readonly mods: FreedomModality[];
  private readonly fullGraph: UserItemGraph;
  private itemGraph?: { pattern: SparsePattern; values: Float32Array };
  /** The epoch's pruned graph, a pure function of (seed, epoch): a resumed run draws the same. */
  private pruned?: { epoch: number; graph: UserItemGraph };
  private scorer: EmbeddingScorer | null = null;

  constructor(
    private readonly ds: Dataset,
    readonly config: FreedomConfig,
    private readonly seed: number,
  ) {
    this.nUsers = ds.nUsers;
    this.nItems = ds.nItems;
    const rng = createRng(seed);
    const d = config.embedDim;
    this.userEmb = xavierUniform(ds.nUsers, d, rng, 'user_emb');
    this.itemEmb = xavierUniform(ds.nItems, d, rng, 'item_emb');
    this.mods = chooseModalities(ds, config.modalities, 'FREEDOM').map((m) => ({ name: m.name, dim: m.dim, raw: m.features, proj: linearInit(m.dim, d, rng, `${m.name}.projection`) }));
    this.fullGraph = buildUserItemGraph(ds.train, ds.nItems, 'sym');
  }

  variables(): tf.Variable[] {
    return [this.userEmb, this.itemEmb, ...this.mods.flatMap((m) => (m.proj.b ? [m.proj.w, m.proj.b] : [m.proj.w]))];
  }

  private graphWeights(): number[] {
    return modalityGraphWeights(this.mods.length, this.config.imageWeight);
  }

  /** Builds the frozen item graph once (awaited kNN reads, every backend). */
  private async prepareItemGraph(): Promise<void> {
    if (this.itemGraph) return;
    const graphs: KnnGraph[] = [];
    for (const m of this.mods) graphs.push(await buildKnnGraphAsync(m.raw, this.nItems, m.dim, this.config.topK));
    this.itemGraph = frozenItemGraph(graphs, this.graphWeights());
  }

  /** The frozen item graph, built synchronously if prepareItemGraph has not (cpu/wasm callers). */
  private itemGraphSync(): { pattern: SparsePattern; values: Float32Array } {
    this.itemGraph ??= frozenItemGraph(
      this.mods.map((m) => untaped(() => buildKnnGraph(m.raw, this.nItems, m.dim, this.config.topK))),
      this.graphWeights(),
    );
    return this.itemGraph;
  }

  /** The user-item graph of `epoch`'s training batches (degree-sensitive pruning, see edge-pruning.ts). */
  prunedGraph(epoch: number): UserItemGraph {
    if (this.pruned?.epoch !== epoch) {
      const kept = pruneInteractions(this.ds.train, this.nItems, this.config.dropout, createRng(this.seed * 1000003 + epoch + PRUNE_STREAM));
      this.pruned = { epoch, graph: kept === this.ds.train ? this.fullGraph : buildUserItemGraph(kept, this.nItems, 'sym') };
    }
    return this.pruned.graph;
  }

  async beforeBatch(): Promise<void> {
    await this.prepareItemGraph();
  }

  /** x_u and x_i + h_i on a user-item graph; h = S^L·E_item on the frozen item graph. */
  forward(graph: UserItemGraph): { userFinal: tf.Tensor2D; itemFinal: tf.Tensor2D; h: tf.Tensor2D } {
    const s = this.itemGraphSync();
    const h = propagate(s.pattern, s.values, this.itemEmb, this.config.itemLayers, 'last');
    const [xu, xi] = lightgcnPropagate(this.userEmb, this.itemEmb, graph, this.config.cfLayers);
    return { userFinal: xu, itemFinal: tf.add(xi, h) as tf.Tensor2D, h };
  }

  /** W_m f_i^m + b_m for a batch's items (only their feature rows are read). */
  private projectRows(m: FreedomModality, items: Int32Array): tf.Tensor2D {
    const t = constMatMul({ data: takeRows(m.raw, items, m.dim), rows: items.length, cols: m.dim }, m.proj.w);
    return (m.proj.b ? tf.add(t, m.proj.b) : t) as tf.Tensor2D;
  }

  batchLoss(b: TrainBatch, ctx: BatchContext): BatchLoss {
    const f = this.forward(this.prunedGraph(ctx.epoch));
    const u = gatherRows(f.userFinal, b.users);
    const bpr = bprLoss(u, gatherRows(f.itemFinal, b.pos), gatherRows(f.itemFinal, b.neg));
    const modal = tf.addN(this.mods.map((m) => bprLoss(u, this.projectRows(m, b.pos), this.projectRows(m, b.neg)))) as tf.Scalar;
    // Optional (MMRec: none, weight_decay 0): on the batch's ego ID rows.
    const l2 = batchL2(this.config.l2, gatherRows(this.userEmb, b.users), gatherRows(this.itemEmb, b.pos), gatherRows(this.itemEmb, b.neg));
    const total = tf.addN([bpr, tf.mul(modal, this.config.regWeight), l2]) as tf.Scalar;
    return { total, parts: { bpr, modalityBpr: modal, l2 } };
  }

  async prepareScoring(): Promise<void> {
    await this.prepareItemGraph();
    // MMRec's full_sort_predict: the full (unpruned) train graph.
    this.scorer = await scorerFrom(() => {
      const f = this.forward(this.fullGraph);
      return [f.userFinal, f.itemFinal];
    });
  }

  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    if (!this.scorer) await this.prepareScoring();
    return scoreWithEmbeddings(this.scorer!, users);
  }

  /** user_id, item_id, h_item (the item-graph part), user_final, item_final (full graph, as scored). */
  async embeddingTables(): Promise<Record<string, EmbeddingTable>> {
    await this.prepareItemGraph();
    return readEmbeddingTables(() => {
      const f = this.forward(this.fullGraph);
      return [['user_id', this.userEmb], ['item_id', this.itemEmb], ['h_item', f.h], ['user_final', f.userFinal], ['item_final', f.itemFinal]];
    });
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.scorer = null;
  }
}
