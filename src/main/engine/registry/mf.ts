// MF-BPR: matrix factorisation with the BPR loss.
import { z } from 'zod';
import { EMBEDDING_BASELINE_DEFAULTS, MfBpr } from '../models/baselines/embedding';
import { baselineTrainDefaults, embedDim, l2, referenceEmbedding } from './fields';
import { defineModel } from './types';

const schema = z.object({ embedDim, l2 }).strict();

export default defineModel<z.infer<typeof schema>>({
  kind: 'mf',
  label: 'MF-BPR',
  description: 'Matrix factorisation with the BPR loss',
  trainable: true,
  capabilities: { embeddings: true, graphs: false, attention: false, explanations: false },
  schema,
  defaults: (preset) => ({ embedDim: EMBEDDING_BASELINE_DEFAULTS.embedDim, l2: referenceEmbedding(preset).l2 ?? EMBEDDING_BASELINE_DEFAULTS.l2 }),
  trainDefaults: baselineTrainDefaults,
  create: (ds, c, seed) => new MfBpr(ds, { ...EMBEDDING_BASELINE_DEFAULTS, ...c }, seed),
});
