// MICRO: latent item-item structure from multimodal features + contrastive modality fusion.
import { MicroModel } from '../models/micro/model';
import { MICRO_PRESETS, microConfigSchema, type MicroConfig } from '../models/micro/config';
import { defineModel } from './types';

export default defineModel<MicroConfig>({
  kind: 'micro',
  label: 'MICRO',
  description: 'Latent item-item structure from multimodal features + contrastive modality fusion',
  trainable: true,
  capabilities: { embeddings: true, graphs: true, attention: true, explanations: true },
  schema: microConfigSchema,
  defaults: (preset) => ({ ...MICRO_PRESETS[preset] }),
  fixed: ['preset'],
  create: (ds, config, seed) => new MicroModel(ds, config, seed),
});
