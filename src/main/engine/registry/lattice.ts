// LATTICE: learned item graphs fused by global modality weights, plugged into a CF backbone.
// Its settings are MICRO's fields (same help text) with MICRO's preset values: under `reference`
// they are exactly the LATTICE code's defaults (λ 0.9, L 1, k 10, L2 1e-5 on the final
// embeddings, D⁻¹(A+I)); under `paper` the MICRO paper's (whose "w/o fusion" variant stands for
// LATTICE). It trains under MICRO's schedule (lr 5e-4, as the LATTICE code).
import { z } from 'zod';
import { LatticeModel, type LatticeConfig } from '../models/baselines/lattice';
import { MICRO_PRESETS, microConfigSchema } from '../models/micro/config';
import { defineModel } from './types';

const schema = microConfigSchema
  .pick({ embedDim: true, cfModel: true, cfLayers: true, cfAdjacency: true, itemLayers: true, lambda: true, l2: true, l2Target: true, modalities: true })
  .extend({ topK: z.number().int().min(1).max(200).describe('k: neighbours kept per item in each modality graph').meta({ group: 'Item graphs' }) })
  .strict();

export default defineModel<LatticeConfig>({
  kind: 'lattice',
  label: 'LATTICE',
  description: "Learned item graphs fused by global modality weights, no contrastive fusion (MM'21)",
  trainable: true,
  capabilities: { embeddings: true, graphs: true, attention: false, explanations: false },
  schema,
  defaults: (preset) => {
    const p = MICRO_PRESETS[preset];
    return {
      embedDim: p.embedDim,
      cfModel: p.cfModel,
      cfLayers: p.cfLayers,
      cfAdjacency: p.cfAdjacency,
      itemLayers: p.itemLayers,
      topK: p.topK,
      lambda: p.lambda,
      l2: p.l2,
      l2Target: p.l2Target,
      modalities: [],
    };
  },
  create: (ds, config, seed) => new LatticeModel(ds, config, seed),
});
