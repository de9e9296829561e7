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
  /** Compute whatever scoring needs (final embeddings, rebuilt graphs) from current weights. */
  prepareScoring(): void;
  /** Scores of all items for each user, users.length × nItems row-major. */
  scoreUsers(users: Int32Array): Float32Array;
  dispose(): void;
}

/** Scores a user block against cached final embeddings: U_b · Iᵀ (Iᵀ precomputed: fast on wasm). */
export interface EmbeddingScorer {
  userFinal: Float32Array; // nUsers × d
  itemFinalT: Float32Array; // d × nItems
  d: number;
  nItems: number;
}
