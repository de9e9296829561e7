// Hyperparameter fields shared by several baselines, each with its help text and form group.
import { z } from 'zod';

const g = (group: string) => ({ group });

export const embedDim = z.number().int().min(1).max(1024).describe('Embedding size d of users and items').meta(g('Backbone'));
export const l2 = z.number().min(0).describe('L2 weight decay').meta(g('Regularisation'));
export const layers = z.number().int().min(0).max(6).describe('Propagation layers (LightGCN)').meta(g('Backbone'));
export const adjacency = z
  .enum(['rw-selfloop', 'sym'])
  .describe("User-item adjacency: 'sym' = D^-½AD^-½ (LightGCN paper), 'rw-selfloop' = D⁻¹(A+I) (reference code)")
  .meta(g('Backbone'));
export const neighbours = z.number().int().min(1).max(1000).describe('Neighbours per item (item-kNN / content-kNN)').meta(g('Model'));

/** Baselines train at lr 1e-3 under the paper schedule (MICRO keeps 5e-4). */
export const baselineTrainDefaults = (preset: 'paper' | 'reference') => (preset === 'paper' ? { lr: 1e-3 } : {});
/** The reference code's L2 and adjacency. */
export const referenceEmbedding = (preset: 'paper' | 'reference') => (preset === 'reference' ? { l2: 1e-5, adjacency: 'rw-selfloop' as const } : {});
