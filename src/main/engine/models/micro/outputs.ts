// What MICRO's forward pass and its inspection return (model.ts).
import type { tf } from '../../backend';
import type { EmbeddingTable } from '../types';

export interface MicroForward {
  /** Eq. 17: all users/items, or only a batch's rows when forward() was given them. */
  userFinal: tf.Tensor2D;
  itemFinal: tf.Tensor2D;
  hm: tf.Tensor2D[];
  /** Absent without an item graph (topK = 0). */
  hc?: tf.Tensor2D;
  h?: tf.Tensor2D;
  hu?: tf.Tensor2D;
  alpha?: tf.Tensor2D; // N × |M| (eq. 7)
  alpha2?: tf.Tensor2D; // N × (1+|M|): [α_c, α_s^m...] (eq. 14)
  orthogonality?: tf.Scalar;
  egoUsers: tf.Tensor2D;
  egoItems: tf.Tensor2D;
}

/** Everything an analyst inspects per item after training. */
export interface MicroInspection {
  modalities: {
    name: string;
    k: number;
    initial: { indices: Int32Array; weights: Float32Array; cosine: Float32Array };
    learned: { indices: Int32Array; weights: Float32Array };
  }[];
  lambda: number;
  alpha?: Float32Array; // N × |M|
  alphaSharedSpecific?: Float32Array; // N × (1+|M|)
  embeddings: Record<string, EmbeddingTable>;
}
