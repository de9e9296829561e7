// Resolves a run specification (model, preset, overrides) into every hyperparameter, builds the
// model, trains it with the shared trainer and evaluates it on validation and test.
// The CLI, the worker thread and the tests all go through here.
import { z } from 'zod';
import type { Dataset, ProgressFn } from './types';
import type { Recommender } from './models/types';
import { MicroModel } from './models/micro/model';
import { MICRO_PRESETS, microConfigSchema, resolveMicroConfig, type MicroConfig } from './models/micro/config';
import { EMBEDDING_BASELINE_DEFAULTS, LightGcn, MfBpr, Vbpr, type EmbeddingBaselineConfig } from './models/baselines/embedding';
import { ContentKnn, ItemKnn, Popularity } from './models/baselines/fitted';
import { DEFAULT_TRAIN_OPTIONS, evaluateModel, trainModel, type TrainOptions, type TrainResult, type EpochResult } from './train/trainer';

export const MODEL_KINDS = ['micro', 'lightgcn', 'mf', 'vbpr', 'popularity', 'itemknn', 'contentknn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const TRAINABLE: readonly ModelKind[] = ['micro', 'lightgcn', 'mf', 'vbpr'];

export const trainSchema = z
  .object({
    epochs: z.number().int().min(0).max(100000),
    batchSize: z.number().int().min(1).max(1 << 20),
    sampler: z.enum(['user', 'interaction']),
    lr: z.number().gt(0).max(10),
    lrDecayRate: z.number().gt(0).max(1),
    lrDecayEvery: z.number().gt(0),
    evalEvery: z.number().int().min(1),
    patience: z.number().int().min(0),
    criterion: z.string().regex(/^(recall|ndcg|ndcg_ref|precision|hit)@\d+$/, 'expected metric@K, e.g. recall@20'),
    ks: z.array(z.number().int().min(1)).min(1),
  })
  .strict();
export type TrainHyper = z.infer<typeof trainSchema>;

export const baselineSchema = z
  .object({
    embedDim: z.number().int().min(1).max(1024),
    l2: z.number().min(0),
    layers: z.number().int().min(0).max(6),
    adjacency: z.enum(['rw-selfloop', 'sym']),
    k: z.number().int().min(1).max(1000),
    /** ItemKNN: similarity = co-count / (√(deg_i·deg_j) + shrink); damps pairs seen only a few times. */
    shrink: z.number().min(0),
  })
  .strict();
export type BaselineConfig = z.infer<typeof baselineSchema>;

export interface RunSpec {
  model: ModelKind;
  /** MICRO presets; baselines accept 'paper' (default) or 'reference' training schedules. */
  preset?: 'paper' | 'reference';
  /** Model hyperparameter overrides (validated against the model's schema). */
  model_overrides?: Record<string, unknown>;
  train_overrides?: Partial<TrainHyper>;
  seed?: number;
}

export interface ResolvedRun {
  model: ModelKind;
  preset: 'paper' | 'reference';
  seed: number;
  modelConfig: MicroConfig | BaselineConfig | Record<string, never>;
  train: TrainHyper;
}

function trainDefaults(model: ModelKind, preset: 'paper' | 'reference'): TrainHyper {
  const base: TrainHyper = { ...DEFAULT_TRAIN_OPTIONS };
  if (preset === 'reference') return { ...base, sampler: 'user', evalEvery: 5, patience: 10 };
  // paper: "stop if val Recall@20 does not increase for 10 successive epochs"; epoch = pass over interactions
  const t: TrainHyper = { ...base, sampler: 'interaction', evalEvery: 1, patience: 10 };
  if (model !== 'micro') t.lr = 1e-3;
  return t;
}

function formatIssues(what: string, e: z.ZodError): string {
  return `invalid ${what}: ${e.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')}`;
}

/** Every hyperparameter of a run, resolved and validated (errors name the field). */
export function resolveRun(spec: RunSpec): ResolvedRun {
  if (!MODEL_KINDS.includes(spec.model)) throw new Error(`unknown model "${spec.model}"; expected one of ${MODEL_KINDS.join(', ')}`);
  const preset = spec.preset ?? 'paper';
  if (!(preset in MICRO_PRESETS)) throw new Error(`unknown preset "${preset}"; expected paper or reference`);
  const trainParsed = trainSchema.safeParse({ ...trainDefaults(spec.model, preset), ...(spec.train_overrides ?? {}) });
  if (!trainParsed.success) throw new Error(formatIssues('training option', trainParsed.error));
  let modelConfig: ResolvedRun['modelConfig'];
  if (spec.model === 'micro') {
    modelConfig = resolveMicroConfig(preset, (spec.model_overrides ?? {}) as Partial<MicroConfig>);
  } else if (spec.model === 'popularity') {
    if (spec.model_overrides && Object.keys(spec.model_overrides).length) throw new Error('popularity has no hyperparameters');
    modelConfig = {};
  } else {
    const defaults: BaselineConfig = {
      ...EMBEDDING_BASELINE_DEFAULTS,
      ...(preset === 'reference' ? { l2: 1e-5, adjacency: 'rw-selfloop' as const } : {}),
      // VBPR's L2 also covers its content part (see Vbpr), which needs a stronger coefficient.
      ...(spec.model === 'vbpr' ? { l2: 1e-2 } : {}),
      k: 50,
      shrink: 0,
    };
    const parsed = baselineSchema.safeParse({ ...defaults, ...(spec.model_overrides ?? {}) });
    if (!parsed.success) throw new Error(formatIssues(`${spec.model} option`, parsed.error));
    modelConfig = parsed.data;
  }
  return { model: spec.model, preset, seed: spec.seed ?? 123, modelConfig, train: trainParsed.data };
}

export function createModel(run: ResolvedRun, ds: Dataset): Recommender {
  const c = run.modelConfig as BaselineConfig;
  const emb: EmbeddingBaselineConfig = { embedDim: c.embedDim, l2: c.l2, layers: c.layers, adjacency: c.adjacency };
  switch (run.model) {
    case 'micro':
      return new MicroModel(ds, run.modelConfig as MicroConfig, run.seed);
    case 'lightgcn':
      return new LightGcn(ds, emb, run.seed);
    case 'mf':
      return new MfBpr(ds, emb, run.seed);
    case 'vbpr':
      return new Vbpr(ds, emb, run.seed);
    case 'popularity':
      return new Popularity(ds);
    case 'itemknn':
      return new ItemKnn(ds, c.k, c.shrink);
    case 'contentknn':
      return new ContentKnn(ds, c.k);
  }
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  onEpoch?: (e: EpochResult, checkpoint: () => Uint8Array) => void;
  resumeFrom?: Uint8Array;
}

export interface RunOutcome {
  run: ResolvedRun;
  model: Recommender;
  train: TrainResult;
  /** Metrics of the best (restored) weights; `test` only when the dataset has a test split. */
  val: Record<string, number> | null;
  test: Record<string, number> | null;
}

/** Build, train, and evaluate one model on one dataset. The caller disposes `model`. */
export function runExperiment(ds: Dataset, run: ResolvedRun, hooks: RunHooks = {}): RunOutcome {
  const model = createModel(run, ds);
  try {
    const opts: TrainOptions = { ...run.train, seed: run.seed, ...hooks };
    const train = trainModel(model, ds, opts);
    const ks = run.train.ks;
    hooks.onProgress?.({ phase: 'evaluate', message: 'final evaluation' });
    const val = ds.val.indices.length ? evaluateModel(model, ds, 'val', ks) : null;
    const test = ds.test.indices.length ? evaluateModel(model, ds, 'test', ks) : null;
    return { run, model, train, val, test };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

export { microConfigSchema };
