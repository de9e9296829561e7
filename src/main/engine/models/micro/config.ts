// MICRO hyperparameters, the two presets (paper / reference) and validation.
// Every run stores the fully resolved config; see docs/model.md, 'Presets'.
import { z } from 'zod';

export const microConfigSchema = z
  .object({
    preset: z.enum(['paper', 'reference']),
    embedDim: z.number().int().min(4).max(1024),
    /** CF backbone the item representations are plugged into. */
    cfModel: z.enum(['lightgcn', 'mf']),
    cfLayers: z.number().int().min(0).max(6),
    /** 'rw-selfloop' = D⁻¹(A+I) of the reference code; 'sym' = D^-½AD^-½ of LightGCN's paper. */
    cfAdjacency: z.enum(['rw-selfloop', 'sym']),
    /** L item-graph convolution layers (eq. 6). */
    itemLayers: z.number().int().min(1).max(6),
    topK: z.number().int().min(1).max(200),
    /** Skip-connection weight on the ORIGINAL graph (eq. 5): A = (1−λ)·learned + λ·original. */
    lambda: z.number().min(0).max(1),
    tau: z.number().gt(0).max(10),
    betaC: z.number().min(0),
    /** 'sum' over modalities (reference code) or 'mean' (paper eq. 9). */
    contrastiveReduce: z.enum(['sum', 'mean']),
    betaS: z.number().min(0),
    l2: z.number().min(0),
    /** Regularise the final batch embeddings (reference) or the ego ID embeddings of the batch. */
    l2Target: z.enum(['final', 'ego']),
    /**
     * 'exact': InfoNCE over all N anchors every batch (the reference); 'sampled': over
     * `sampledAnchors` random anchors per batch, each still against all N negatives (an unbiased
     * estimate of the exact loss and gradient). Cost per modality and batch: exact 4.5·N²·d
     * multiply-adds (6·N²·d beyond ~9,900 items), sampled 6·sampledAnchors·N·d.
     */
    contrastiveMode: z.enum(['exact', 'sampled']),
    /**
     * Anchors per batch in sampled mode. Default 256: on TikTok (N = 6,710) the sampled term
     * then costs ~4% of the exact one and the epoch is dominated by the rest of the model; see
     * tests/bench/recall.ts for the accuracy check against the exact mode.
     */
    sampledAnchors: z.number().int().min(1),
    // Ablations as flags (paper Table 5/6).
    fusion: z.boolean(), // false = "w/o fusion": mean of modalities, BPR only (LATTICE-like)
    specific: z.boolean(), // false = "w/o specific": h_i = h_c
    preference: z.boolean(), // false = "w/o preference": user side has no h_u
    propagate: z.enum(['id', 'features']), // 'features' = "MICRO/feats"
    cfPlusFeats: z.boolean(), // "CF+feats": transformed features replace the graph part
    trainFeatures: z.boolean(), // fine-tune raw feature tables (reference does; default frozen)
    /** Subset of modality names to use (single-modality runs); empty = all. */
    modalities: z.array(z.string()),
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
  if (!base) throw new Error(`unknown preset "${preset}"; expected paper or reference`);
  const parsed = microConfigSchema.safeParse({ ...base, ...overrides, preset });
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new Error(`invalid MICRO config: ${msg}`);
  }
  return parsed.data;
}
