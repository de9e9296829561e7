// FREEDOM: a frozen multimodal item graph and a denoised (pruned) user-item graph.
// Defaults from MMRec's configs/model/FREEDOM.yaml (enoche/MMRec; the same in enoche/FREEDOM):
// embedding 64, n_ui_layers 2, n_mm_layers 1, knn_k 10, mm_image_weight 0.1. The yaml gives
// grids for the two tuned ones, dropout ∈ {0.8, 0.9} and reg_weight ∈ {0, 1e-5, 1e-4, 1e-3};
// 0.8 and 1e-4 here are our picks inside them (tune with `micro study sweep --param …`). No L2
// (MMRec's weight_decay 0). Both presets take the same values (there is no other public code);
// the preset picks the training schedule, with the baselines' lr 1e-3 under `paper` (MMRec's
// learning_rate; its batch 2048, no LR decay and stopping_step 20 are `--set` away).
import { z } from 'zod';
import { FreedomModel, type FreedomConfig } from '../models/baselines/freedom';
import { microConfigSchema } from '../models/micro/config';
import { baselineTrainDefaults, embedDim, l2 } from './fields';
import { defineModel } from './types';

const g = (group: string) => ({ group });

const schema = z
  .object({
    embedDim,
    cfLayers: microConfigSchema.shape.cfLayers,
    itemLayers: z.number().int().min(1).max(6).describe('Convolution layers on the frozen item graph (MMRec n_mm_layers)').meta(g('Item graph')),
    topK: z.number().int().min(1).max(200).describe("k: neighbours per item in each modality's frozen kNN graph (MMRec knn_k)").meta(g('Item graph')),
    imageWeight: z
      .number()
      .min(0)
      .max(1)
      .describe("Weight of the first modality's graph (MMRec mm_image_weight; the visual one where the dataset has it); the other modalities share the rest equally")
      .meta(g('Item graph')),
    dropout: z
      .number()
      .min(0)
      .lt(1)
      .describe('Share of user-item edges pruned each epoch, kept with probability ∝ 1/√(d_u·d_i) (degree-sensitive pruning); 0 = the full graph')
      .meta(g('Denoising')),
    regWeight: z.number().min(0).describe("Weight of each modality's BPR loss on its projected raw features (MMRec reg_weight)").meta(g('Regularisation')),
    l2,
    modalities: microConfigSchema.shape.modalities,
  })
  .strict();

export const FREEDOM_DEFAULTS: FreedomConfig = { embedDim: 64, cfLayers: 2, itemLayers: 1, topK: 10, imageWeight: 0.1, dropout: 0.8, regWeight: 1e-4, l2: 0, modalities: [] };

export default defineModel<FreedomConfig>({
  kind: 'freedom',
  label: 'FREEDOM',
  description: "Frozen multimodal item graph + degree-sensitive pruning of the user-item graph (MM'23)",
  trainable: true,
  capabilities: { embeddings: true, graphs: false, attention: false, explanations: false },
  schema,
  defaults: () => ({ ...FREEDOM_DEFAULTS, modalities: [] }),
  trainDefaults: baselineTrainDefaults,
  create: (ds, config, seed) => new FreedomModel(ds, config, seed),
});
