// MF-BPR, LightGCN and VBPR: embedding baselines trained by the same trainer as MICRO.
import { tf } from '../../backend';
import type { Dataset } from '../../types';
import { createRng } from '../../data/random';
import { constMatMul, gatherRows, readAll, takeRows, type HostMatrix } from '../../ops';
import { normalisedContent } from './content';
import {
  batchL2,
  bprLoss,
  buildUserItemGraph,
  lightgcnPropagate,
  linearInit,
  scorerFrom,
  uniqueName,
  scoreWithEmbeddings,
  xavierUniform,
  type CfAdjacency,
  type UserItemGraph,
} from '../common';
import type { BatchLoss, EmbeddingScorer, Recommender, TrainBatch } from '../types';

export interface EmbeddingBaselineConfig {
  embedDim: number;
  l2: number;
  /** LightGCN only. */
  layers: number;
  adjacency: CfAdjacency;
}

export const EMBEDDING_BASELINE_DEFAULTS: EmbeddingBaselineConfig = { embedDim: 64, l2: 1e-4, layers: 2, adjacency: 'sym' };

import type { EmbeddingTable } from '../types';
export type { EmbeddingTable };

/** Shared skeleton: ego tables, a final-embedding function, BPR + L2 on the batch's ego rows. */
export abstract class EmbeddingRecommender implements Recommender {
  abstract readonly kind: string;
  protected readonly userEmb: tf.Variable<tf.Rank.R2>;
  protected readonly itemEmb: tf.Variable<tf.Rank.R2>;
  private scorer: EmbeddingScorer | null = null;

  constructor(
    protected readonly ds: Dataset,
    protected readonly config: EmbeddingBaselineConfig,
    seed: number,
  ) {
    const rng = createRng(seed);
    this.userEmb = xavierUniform(ds.nUsers, config.embedDim, rng, 'user_emb');
    this.itemEmb = xavierUniform(ds.nItems, config.embedDim, rng, 'item_emb');
  }

  variables(): tf.Variable[] {
    return [this.userEmb, this.itemEmb];
  }

  protected abstract finals(): [tf.Tensor2D, tf.Tensor2D];

  /** Final representations of the batch's users, positives and negatives (rows of finals()). */
  protected batchRows(b: TrainBatch): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
    const [users, items] = this.finals();
    return [gatherRows(users, b.users), gatherRows(items, b.pos), gatherRows(items, b.neg)];
  }

  /** L2 on the batch's ego ID embeddings. */
  protected penalty(b: TrainBatch, _rows: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]): tf.Scalar {
    return batchL2(this.config.l2, gatherRows(this.userEmb, b.users), gatherRows(this.itemEmb, b.pos), gatherRows(this.itemEmb, b.neg));
  }

  batchLoss(b: TrainBatch): BatchLoss {
    const rows = this.batchRows(b);
    const bpr = bprLoss(...rows);
    const l2 = this.penalty(b, rows);
    return { total: tf.add(bpr, l2) as tf.Scalar, parts: { bpr, l2 } };
  }

  async prepareScoring(): Promise<void> {
    this.scorer = await scorerFrom(() => this.finals());
  }

  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    if (!this.scorer) await this.prepareScoring();
    return scoreWithEmbeddings(this.scorer!, users);
  }

  /**
   * What a run stores and exports: the ego ID tables and the final tables whose dot products are
   * the scores (user_final · item_finalᵀ; VBPR's carry its bias columns, see Vbpr.userRows).
   */
  async embeddingTables(): Promise<Record<string, EmbeddingTable>> {
    const [u, i] = tf.tidy(() => this.finals());
    try {
      const named: [string, tf.Tensor2D][] = [['user_id', this.userEmb], ['item_id', this.itemEmb], ['user_final', u], ['item_final', i]];
      const data = await readAll(named.map(([, t]) => t));
      return Object.fromEntries(named.map(([name, t], q) => [name, { data: data[q], rows: t.shape[0], cols: t.shape[1] }]));
    } finally {
      for (const t of [u, i]) if (!(t instanceof tf.Variable)) t.dispose();
    }
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

export class MfBpr extends EmbeddingRecommender {
  readonly kind = 'mf';
  protected finals(): [tf.Tensor2D, tf.Tensor2D] {
    return [this.userEmb, this.itemEmb];
  }
}

export class LightGcn extends EmbeddingRecommender {
  readonly kind = 'lightgcn';
  private readonly graph: UserItemGraph;
  constructor(ds: Dataset, config: EmbeddingBaselineConfig, seed: number) {
    super(ds, config, seed);
    this.graph = buildUserItemGraph(ds.train, ds.nItems, config.adjacency);
  }
  protected finals(): [tf.Tensor2D, tf.Tensor2D] {
    return lightgcnPropagate(this.userEmb, this.itemEmb, this.graph, this.config.layers);
  }
}

/**
 * VBPR (He & McAuley 2016) with all modalities concatenated, as in the MICRO paper's baseline:
 * ŷ = β_i + x_uᵀx_i + θ_uᵀ(E f_i) + β'ᵀf_i (α and β_u cancel in BPR). Content makes cold items
 * scorable. Features: see normalisedContent (raw row norms became a per-item score scale: TikTok
 * val R@20 after 4 epochs 0.0072 with mean-norm scaling vs 0.0187 row-normalised, MF 0.0144).
 * L2 covers the batch's whole representations, content part included (as MMRec does): with L2 on
 * the ID rows only, the shared projection E overfits within a few epochs on TikTok (val R@20 falls
 * from 0.038 after epoch 1 to 0.016 by epoch 6); default coefficient 1e-2.
 */
export class Vbpr extends EmbeddingRecommender {
  readonly kind = 'vbpr';
  private readonly feats: HostMatrix;
  private readonly userContent: tf.Variable<tf.Rank.R2>;
  private readonly proj: tf.Variable<tf.Rank.R2>;
  private readonly biasVec: tf.Variable<tf.Rank.R2>;
  private readonly itemBias: tf.Variable<tf.Rank.R2>;

  constructor(ds: Dataset, config: EmbeddingBaselineConfig, seed: number) {
    super(ds, config, seed);
    this.feats = normalisedContent(ds, 'VBPR');
    const rng = createRng(seed + 1);
    this.userContent = xavierUniform(ds.nUsers, config.embedDim, rng, 'user_content');
    this.proj = linearInit(this.feats.cols, config.embedDim, rng, 'content_proj', false).w;
    this.biasVec = tf.tidy(() => tf.variable(tf.zeros([this.feats.cols, 1]), true, uniqueName('content_bias')));
    this.itemBias = tf.tidy(() => tf.variable(tf.zeros([ds.nItems, 1]), true, uniqueName('item_bias')));
  }

  override variables(): tf.Variable[] {
    return [...super.variables(), this.userContent, this.proj, this.biasVec, this.itemBias];
  }

  /** [x_u, θ_u, 1, 1]: the constant columns pick up the item's β'ᵀf_i and β_i. */
  private userRows(users: Int32Array | null): tf.Tensor2D {
    const pick = (t: tf.Tensor2D) => (users ? gatherRows(t, users) : t);
    return tf.concat([pick(this.userEmb), pick(this.userContent), tf.ones([users ? users.length : this.ds.nUsers, 2])], 1) as tf.Tensor2D;
  }

  /** [x_i, E f_i, β'ᵀ f_i, β_i]; a batch computes the content of its own rows only. */
  private itemRows(items: Int32Array | null): tf.Tensor2D {
    const f = items ? { data: takeRows(this.feats.data, items, this.feats.cols), rows: items.length, cols: this.feats.cols } : this.feats;
    const pick = (t: tf.Tensor2D) => (items ? gatherRows(t, items) : t);
    return tf.concat([pick(this.itemEmb), constMatMul(f, this.proj), constMatMul(f, this.biasVec), pick(this.itemBias)], 1) as tf.Tensor2D;
  }

  protected finals(): [tf.Tensor2D, tf.Tensor2D] {
    return [this.userRows(null), this.itemRows(null)];
  }

  protected override batchRows(b: TrainBatch): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
    return [this.userRows(b.users), this.itemRows(b.pos), this.itemRows(b.neg)];
  }

  protected override penalty(_b: TrainBatch, [u, p, n]: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]): tf.Scalar {
    // The users' constant 1-columns carry no parameter: leave them out of the penalty.
    return batchL2(this.config.l2, tf.slice(u, [0, 0], [-1, 2 * this.config.embedDim]) as tf.Tensor2D, p, n);
  }
}
