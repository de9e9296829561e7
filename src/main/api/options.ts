// Describes every model's hyperparameters for the training form: fields generated from the
// engine's zod schemas (types, bounds, choices), the resolved defaults of each preset, and help
// text. The engine is imported lazily so the main process only loads it when the form asks.
import { z } from 'zod';
import { MODEL_KINDS, PRESETS, type FieldSpec, type ModelKind, type ModelOption, type ModelOptions, type ValidateResult } from '../../shared/api';

const HELP: Record<string, [group: string, help: string]> = {
  embedDim: ['Backbone', 'Embedding size d of users and items'],
  cfModel: ['Backbone', 'Collaborative-filtering backbone the item representations are plugged into'],
  cfLayers: ['Backbone', 'Propagation layers of the CF backbone'],
  cfAdjacency: ['Backbone', "User-item adjacency: 'sym' = D^-½AD^-½ (LightGCN paper), 'rw-selfloop' = D⁻¹(A+I) (reference code)"],
  itemLayers: ['Item graphs', 'L: item-graph convolution layers (eq. 6)'],
  topK: ['Item graphs', 'k: neighbours kept per item in each modality graph (eq. 2)'],
  lambda: ['Item graphs', 'λ: weight of the initial (feature) graph in A = (1−λ)·learned + λ·initial (eq. 5)'],
  tau: ['Contrastive fusion', 'τ: temperature of the contrastive loss (eq. 10)'],
  betaC: ['Contrastive fusion', 'β_C: weight of the contrastive loss (eq. 19)'],
  contrastiveReduce: ['Contrastive fusion', "Combine per-modality contrastive losses by 'mean' (paper eq. 9) or 'sum' (reference)"],
  contrastiveMode: ['Contrastive fusion', "'exact': InfoNCE over all items every batch; 'sampled': over sampledAnchors random anchors"],
  sampledAnchors: ['Contrastive fusion', 'Anchors per batch in sampled mode'],
  betaS: ['Regularisation', 'β_S: weight of the shared/specific orthogonality term'],
  l2: ['Regularisation', 'L2 weight decay'],
  l2Target: ['Regularisation', "Regularise the 'final' batch embeddings (reference) or the 'ego' ID embeddings"],
  fusion: ['Ablations', 'Attention fusion of modalities (off = "w/o fusion": mean of modalities, BPR only)'],
  specific: ['Ablations', 'Modality-specific parts (off = "w/o specific")'],
  preference: ['Ablations', 'User preference part h_u (off = "w/o preference")'],
  propagate: ['Ablations', "Propagate item 'id' embeddings or transformed 'features' (MICRO/feats) over the item graph"],
  cfPlusFeats: ['Ablations', '"CF+feats": transformed features replace the graph part'],
  trainFeatures: ['Ablations', 'Fine-tune the raw feature tables (the reference does)'],
  modalities: ['Modalities', 'Use only these modalities (comma-separated names); empty = all'],
  layers: ['Backbone', 'Propagation layers (LightGCN)'],
  adjacency: ['Backbone', 'User-item adjacency normalisation'],
  k: ['Model', 'Neighbours per item (item-kNN / content-kNN)'],
  shrink: ['Model', 'Item-kNN similarity shrinkage: co-count / (√(deg_i·deg_j) + shrink); 0 = plain cosine'],
  epochs: ['Schedule', 'Maximum epochs'],
  batchSize: ['Schedule', 'Batch size'],
  sampler: ['Schedule', "'interaction': one pass over interactions per epoch (paper); 'user': one sample per user (reference)"],
  lr: ['Optimiser', 'Adam learning rate'],
  lrDecayRate: ['Optimiser', 'Learning-rate decay factor'],
  lrDecayEvery: ['Optimiser', 'Epochs per decay step'],
  evalEvery: ['Validation', 'Validate every n epochs'],
  patience: ['Validation', 'Stop after this many validations without improvement'],
  criterion: ['Validation', 'Metric that selects the best epoch, e.g. recall@20'],
  ks: ['Validation', 'Cut-offs K of the ranking metrics (comma-separated)'],
};

const LABELS: Record<ModelKind, [label: string, description: string]> = {
  micro: ['MICRO', 'Latent item-item structure from multimodal features + contrastive modality fusion'],
  lightgcn: ['LightGCN', 'Graph collaborative filtering without features'],
  mf: ['MF-BPR', 'Matrix factorisation with the BPR loss'],
  vbpr: ['VBPR', 'MF-BPR with item content features'],
  popularity: ['Popularity', 'Most popular train items (fitted, no training)'],
  itemknn: ['Item-kNN', 'Item-item collaborative kNN (fitted, no training)'],
  contentknn: ['Content-kNN', 'Item-item kNN over content features (fitted, no training)'],
};

interface JsonProp {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  items?: JsonProp;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Form fields of a zod object schema (via its JSON Schema). */
export function fieldsOf(schema: z.ZodType, skip: readonly string[] = []): FieldSpec[] {
  const js = z.toJSONSchema(schema) as { properties?: Record<string, JsonProp> };
  return Object.entries(js.properties ?? {})
    .filter(([key]) => !skip.includes(key))
    .map(([key, p]) => {
      const f: FieldSpec = { key, type: 'string' };
      if (p.enum) {
        f.type = 'enum';
        f.options = p.enum;
      } else if (p.type === 'integer' || p.type === 'number') f.type = p.type;
      else if (p.type === 'boolean') f.type = 'boolean';
      else if (p.type === 'array') f.type = p.items?.type === 'integer' || p.items?.type === 'number' ? 'integer[]' : 'string[]';
      if (p.minimum !== undefined && Math.abs(p.minimum) < MAX_SAFE) f.min = p.minimum;
      if (p.maximum !== undefined && Math.abs(p.maximum) < MAX_SAFE) f.max = p.maximum;
      if (p.exclusiveMinimum !== undefined) f.exclusiveMin = p.exclusiveMinimum;
      if (p.exclusiveMaximum !== undefined) f.exclusiveMax = p.exclusiveMaximum;
      if (p.pattern) f.pattern = p.pattern;
      const h = HELP[key];
      if (h) [f.group, f.help] = h;
      return f;
    });
}

const FIELD_KEYS: Record<ModelKind, readonly string[]> = {
  micro: [],
  lightgcn: ['embedDim', 'l2', 'layers', 'adjacency'],
  mf: ['embedDim', 'l2'],
  vbpr: ['embedDim', 'l2'],
  popularity: [],
  itemknn: ['k', 'shrink'],
  contentknn: ['k'],
};

let cached: ModelOptions | null = null;

export async function modelOptions(): Promise<ModelOptions> {
  if (cached) return cached;
  const exp = await import('../engine/experiment');
  const models: ModelOption[] = MODEL_KINDS.map((model) => {
    let fields: FieldSpec[];
    if (model === 'micro') fields = fieldsOf(exp.microConfigSchema, ['preset']);
    else if (model === 'popularity') fields = [];
    else fields = fieldsOf(exp.baselineSchema).filter((f) => FIELD_KEYS[model].includes(f.key));
    const keys = new Set(fields.map((f) => f.key));
    const defaults = {} as ModelOption['defaults'];
    const trainDefaults = {} as ModelOption['trainDefaults'];
    for (const preset of PRESETS) {
      const r = exp.resolveRun({ model, preset });
      defaults[preset] = Object.fromEntries(Object.entries(r.modelConfig).filter(([k]) => keys.has(k)));
      trainDefaults[preset] = { ...r.train };
    }
    const [label, description] = LABELS[model];
    return { model, label, description, trainable: exp.TRAINABLE.includes(model), fields, defaults, trainDefaults };
  });
  cached = { models, trainFields: fieldsOf(exp.trainSchema) };
  return cached;
}

/** Resolve a run spec exactly as the worker will; errors name the field. */
export async function validateRunSpec(spec: {
  model: ModelKind;
  preset: 'paper' | 'reference';
  seed: number;
  modelOverrides: Record<string, unknown>;
  trainOverrides: Record<string, unknown>;
}): Promise<ValidateResult> {
  const exp = await import('../engine/experiment');
  try {
    const r = exp.resolveRun({ model: spec.model, preset: spec.preset, seed: spec.seed, model_overrides: spec.modelOverrides, train_overrides: spec.trainOverrides });
    return { ok: true, errors: [], resolved: { model: r.model, preset: r.preset, seed: r.seed, modelConfig: r.modelConfig as Record<string, unknown>, train: r.train as Record<string, unknown> } };
  } catch (e) {
    const msg = (e as Error).message;
    // "invalid MICRO config: lambda: Too big...; tau: ..." → one error per field
    const m = /^invalid [^:]+:\s*(.*)$/s.exec(msg);
    return { ok: false, errors: m ? m[1].split('; ') : [msg] };
  }
}
