// LightGCN: graph collaborative filtering without features.
import { z } from 'zod';
import { EMBEDDING_BASELINE_DEFAULTS, LightGcn } from '../models/baselines/embedding';
import { adjacency, baselineTrainDefaults, embedDim, l2, layers, referenceEmbedding } from './fields';
import { defineModel } from './types';

const schema = z.object({ embedDim, l2, layers, adjacency }).strict();

export default defineModel<z.infer<typeof schema>>({
  kind: 'lightgcn',
  label: 'LightGCN',
  description: 'Graph collaborative filtering without features',
  trainable: true,
  capabilities: { embeddings: true, graphs: false, attention: false, explanations: false },
  schema,
  defaults: (preset) => ({ ...EMBEDDING_BASELINE_DEFAULTS, ...referenceEmbedding(preset) }),
  trainDefaults: baselineTrainDefaults,
  create: (ds, c, seed) => new LightGcn(ds, c, seed),
});
