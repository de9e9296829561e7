// MICRO hyperparameters, the two presets (paper / reference) and validation.
// Every run stores the fully resolved config; see docs/model.md, 'Presets'.
import { z } from 'zod';
import { ConfigError, fieldIssues } from '../../types';

export const microConfigSchema = z
  .object({
    preset: z.enum(['paper', 'reference']).describe('The preset these defaults come from').meta({ group: 'Preset' }),
    embedDim: z.number().int().min(4).max(1024).describe('Embedding size d of users and items').meta({ group: 'Backbone' }),
    cfModel: z.enum(['lightgcn', 'mf']).describe('Collaborative-filtering backbone the item representations are plugged into').meta({ group: 'Backbone' }),
    cfLayers: z.number().int().min(0).max(6).describe('Propagation layers of the CF backbone').meta({ group: 'Backbone' }),
    cfAdjacency: z.enum(['rw-selfloop', 'sym']).describe('User-item adjacency: \'sym\' = D^-½AD^-½ (LightGCN paper), \'rw-selfloop\' = D⁻¹(A+I) (reference code)').meta({ group: 'Backbone' }),
    itemLayers: z.number().int().min(1).max(6).describe('L: item-graph convolution layers (eq. 6)').meta({ group: 'Item graphs' }),
    topK: z.number().int().min(0).max(200).describe('k: neighbours kept per item in each modality graph (eq. 2); 0 = no item graph (the backbone alone: the LightGCN point of the k sweep)').meta({ group: 'Item graphs' }),
    lambda: z.number().min(0).max(1).describe('λ: weight of the initial (feature) graph in A = (1−λ)·learned + λ·initial (eq. 5)').meta({ group: 'Item graphs' }),
    tau: z.number().gt(0).max(10).describe('τ: temperature of the contrastive loss (eq. 10)').meta({ group: 'Contrastive fusion' }),
    betaC: z.number().min(0).describe('β_C: weight of the contrastive loss (eq. 19)').meta({ group: 'Contrastive fusion' }),
    contrastiveReduce: z.enum(['sum', 'mean']).describe('Combine per-modality contrastive losses by \'mean\' (paper eq. 9) or \'sum\' (reference)').meta({ group: 'Contrastive fusion' }),
    betaS: z.number().min(0).describe('β_S: weight of the shared/specific orthogonality term').meta({ group: 'Regularisation' }),
    l2: z.number().min(0).describe('L2 weight decay').meta({ group: 'Regularisation' }),
    l2Target: z.enum(['final', 'ego']).describe('Regularise the \'final\' batch embeddings (reference) or the \'ego\' ID embeddings').meta({ group: 'Regularisation' }),
    /**
     * 'exact': InfoNCE over all N anchors every batch (the reference); 'sampled': over
     * `sampledAnchors` random anchors per batch, each still against all N negatives (an unbiased
     * estimate of the exact loss and gradient). Cost per modality and batch: exact 4.5·N²·d
     * multiply-adds (6·N²·d beyond ~9,900 items), sampled 6·sampledAnchors·N·d.
     */
    contrastiveMode: z.enum(['exact', 'sampled']).describe('\'exact\': InfoNCE over all items every batch; \'sampled\': over sampledAnchors random anchors').meta({ group: 'Contrastive fusion' }),
    /**
     * Anchors per batch in sampled mode. Default 256: on TikTok (N = 6,710) the sampled term
     * then costs ~4% of the exact one and the epoch is dominated by the rest of the model; see
     * tests/bench/recall.ts for the accuracy check against the exact mode.
     */
    sampledAnchors: z.number().int().min(1).describe('Anchors per batch in sampled mode').meta({ group: 'Contrastive fusion' }),
    // Ablations as flags (paper Table 5/6); fusion=false is LATTICE-like.
    fusion: z.boolean().describe('Attention fusion of modalities (off = "w/o fusion": mean of modalities, BPR only)').meta({ group: 'Ablations' }),
    specific: z.boolean().describe('Modality-specific parts (off = "w/o specific")').meta({ group: 'Ablations' }),
    preference: z.boolean().describe('User preference part h_u (off = "w/o preference")').meta({ group: 'Ablations' }),
    propagate: z.enum(['id', 'features']).describe('Propagate item \'id\' embeddings or transformed \'features\' (MICRO/feats) over the item graph').meta({ group: 'Ablations' }),
    cfPlusFeats: z.boolean().describe('"CF+feats": transformed features replace the graph part').meta({ group: 'Ablations' }),
    trainFeatures: z.boolean().describe('Fine-tune the raw feature tables (the reference does)').meta({ group: 'Ablations' }),
    coldItemCf: z
      .enum(['own', 'neighbours'])
      .describe("CF part of an item without train interactions when scoring: its 'own' (never trained) embedding, eq. 17; or the mean of its item-graph 'neighbours'' (docs/model.md, 'Cold items')")
      .meta({ group: 'Item graphs' }),
    modalities: z.array(z.string()).describe('Use only these modalities (comma-separated names); empty = all').meta({ group: 'Modalities' }),
  })
  .strict();

export type MicroConfig = z.infer<typeof microConfigSchema>;

const common = {
  embedDim: 64,
  cfModel: 'lightgcn',
  cfLayers: 2,
  topK: 10,
  tau: 0.5,
  contrastiveMode: 'exact',
  sampledAnchors: 256,
  fusion: true,
  propagate: 'id',
  cfPlusFeats: false,
  trainFeatures: false,
  coldItemCf: 'own',
  modalities: [] as string[],
} as const;

export const MICRO_PRESETS: Record<MicroConfig['preset'], MicroConfig> = {
  // The full model of the paper (eq. 1-19) with its stated hyperparameters. β_C/β_S are not given
  // in the paper; β_C = 0.06 with the mean over |M| = 2 equals the reference's 0.03 × sum.
  paper: {
    ...common,
    modalities: [],
    preset: 'paper',
    cfAdjacency: 'sym',
    itemLayers: 2,
    lambda: 0.7,
    betaC: 0.06,
    contrastiveReduce: 'mean',
    betaS: 0.01,
    l2: 1e-4,
    l2Target: 'ego',
    specific: true,
    preference: true,
  },
  // The public code's behaviour (docs/model.md, 'Paper vs public code'): no specific/preference
  // parts, λ 0.9, contrastive summed × 0.03, L2 1e-5 on final embeddings, D⁻¹(A+I).
  reference: {
    ...common,
    modalities: [],
    preset: 'reference',
    cfAdjacency: 'rw-selfloop',
    itemLayers: 1,
    lambda: 0.9,
    betaC: 0.03,
    contrastiveReduce: 'sum',
    betaS: 0,
    l2: 1e-5,
    l2Target: 'final',
    specific: false,
    preference: false,
  },
};

/** Preset defaults overlaid with user overrides, validated; errors name the field. */
export function resolveMicroConfig(preset: MicroConfig['preset'] = 'paper', overrides: Partial<MicroConfig> = {}): MicroConfig {
  const base = MICRO_PRESETS[preset];
  if (!base) throw new ConfigError('MICRO config', [{ field: 'preset', message: `unknown preset "${preset}"; expected paper or reference` }]);
  const parsed = microConfigSchema.safeParse({ ...base, ...overrides, preset });
  if (!parsed.success) throw new ConfigError('MICRO config', fieldIssues(parsed.error.issues, 'config'));
  return parsed.data;
}
