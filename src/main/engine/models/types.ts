// The one small interface every recommender implements (RecBole/MMRec style): a loss for a
// training batch, and scores for a block of users. One trainer and one evaluator serve them all.
import type { tf } from '../backend';

export interface TrainBatch {
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
}

export interface BatchContext {
  epoch: number;
  batch: number;
  /** True on the first batch of each epoch: models with learned graphs rebuild them here. */
  firstBatchOfEpoch: boolean;
}

export interface BatchLoss {
  total: tf.Scalar;
  /** Named parts for logging (bpr, l2, contrastive, orthogonality, ...). */
  parts: Record<string, tf.Scalar>;
}

export interface Recommender {
  readonly kind: string;
  /** Trainable models expose variables and batchLoss; fitted ones (popularity, kNN) do not. */
  variables(): tf.Variable[];
  batchLoss?(batch: TrainBatch, ctx: BatchContext): BatchLoss;
  /**
   * Work a batch needs before its loss that reads tensors back (awaited by the trainer; the loss
   * itself runs synchronously under the gradient tape, where no read can be awaited): MICRO's
   * learned-graph kNN on rebuild batches.
   */
  beforeBatch?(batch: TrainBatch, ctx: BatchContext): Promise<void>;
  /** Compute whatever scoring needs (final embeddings, rebuilt graphs) from current weights. */
  prepareScoring(): Promise<void>;
  /** Scores of all items for each user, users.length × nItems row-major. */
  scoreUsers(users: Int32Array): Promise<Float32Array>;
  /**
   * The embedding tables a run stores and exports (ego ID tables, the final tables whose dot
   * products are the scores, and model-specific ones such as MICRO's h_<modality>); absent for
   * models without embeddings (Popularity, the kNN baselines).
   */
  embeddingTables?(): Promise<Record<string, EmbeddingTable>>;
  /**
   * The per-modality item graphs a run stores for the explorer and the graph export (MICRO's
   * initial, learned and λ-combined lists; LATTICE's shares of its fused graph); absent for models
   * without item graphs.
   */
  itemGraphs?(): Promise<ItemGraphs>;
  dispose(): void;
}

/**
 * Item graphs by modality, each an n × k neighbour list per stage: `initial` (from raw features)
 * and `learned` (from learned features); the stored `combined` list is (1 − λ)·learned + λ·initial
 * per item (inspect.ts combinedNeighbours), i.e. the graph the model convolves on for that modality.
 */
export interface ItemGraphs {
  lambda: number;
  modalities: {
    name: string;
    k: number;
    initial: { indices: Int32Array; weights: Float32Array };
    learned: { indices: Int32Array; weights: Float32Array };
  }[];
}

/** A host copy of one embedding table (row-major rows × cols). */
export interface EmbeddingTable {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Scores a user block against cached final embeddings: U_b · Iᵀ (Iᵀ precomputed: fast on wasm). */
export interface EmbeddingScorer {
  userFinal: Float32Array; // nUsers × d
  itemFinalT: Float32Array; // d × nItems
  d: number;
  nItems: number;
}
