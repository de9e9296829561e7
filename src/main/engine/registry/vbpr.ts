// VBPR: MF-BPR with item content features.
import { z } from 'zod';
import { EMBEDDING_BASELINE_DEFAULTS, Vbpr } from '../models/baselines/embedding';
import { baselineTrainDefaults, embedDim, l2 } from './fields';
import { defineModel } from './types';

const schema = z.object({ embedDim, l2 }).strict();

export default defineModel<z.infer<typeof schema>>({
  kind: 'vbpr',
  label: 'VBPR',
  description: 'MF-BPR with item content features',
  trainable: true,
  capabilities: { embeddings: true, graphs: false, attention: false, explanations: false },
  schema,
  // Its L2 also covers the content part (see Vbpr), which needs a stronger coefficient.
  defaults: () => ({ embedDim: EMBEDDING_BASELINE_DEFAULTS.embedDim, l2: 1e-2 }),
  trainDefaults: baselineTrainDefaults,
  create: (ds, c, seed) => new Vbpr(ds, { ...EMBEDDING_BASELINE_DEFAULTS, ...c }, seed),
});
