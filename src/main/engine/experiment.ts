// Resolves a run specification (model, preset, overrides) into every hyperparameter, builds the
// model, trains it with the shared trainer and evaluates it on validation and test.
// The CLI, the worker thread and the tests all go through here.
import type { Dataset, ProgressFn } from './types';
import { ConfigError, fieldIssues } from './types';
import type { Recommender } from './models/types';
import { MODEL_KINDS, modelEntry, type Preset } from './registry';
import { evaluateModelDetailed, trainModel, type PerUserMetrics, type TrainOptions, type TrainResult } from './train/trainer';
import { presetSchedule, trainSchema, type TrainHyper } from './train/schema';

export { MODEL_KINDS, trainSchema, type TrainHyper };
export type ModelKind = string;

export interface RunSpec {
  model: ModelKind;
  /** MICRO presets; baselines accept 'paper' (default) or 'reference' training schedules. */
  preset?: Preset;
  /** Model hyperparameter overrides (validated against the model's schema). */
  model_overrides?: Record<string, unknown>;
  train_overrides?: Partial<TrainHyper>;
  seed?: number;
}

export interface ResolvedRun {
  model: ModelKind;
  preset: Preset;
  seed: number;
  modelConfig: Record<string, unknown>;
  train: TrainHyper;
}

/**
 * Every hyperparameter of a run, resolved and validated: the preset's schedule, the model's
 * training defaults, the model's defaults, then the overrides. A ConfigError lists the fields.
 */
export function resolveRun(spec: RunSpec): ResolvedRun {
  const entry = modelEntry(spec.model);
  const preset = spec.preset ?? 'paper';
  if (preset !== 'paper' && preset !== 'reference') throw new ConfigError('preset', [{ field: 'preset', message: `unknown preset "${String(preset)}"; expected paper or reference` }]);
  const train = trainSchema.safeParse({ ...presetSchedule(preset), ...entry.trainDefaults?.(preset), ...(spec.train_overrides ?? {}) });
  if (!train.success) throw new ConfigError('training option', fieldIssues(train.error.issues, 'training'));
  const overrides = spec.model_overrides ?? {};
  const fixed = (entry.fixed ?? []).filter((k) => k in overrides);
  if (fixed.length) throw new ConfigError(`${entry.label} config`, fixed.map((field) => ({ field, message: 'is set by the preset' })));
  const config = entry.schema.safeParse({ ...entry.defaults(preset), ...overrides });
  if (!config.success) throw new ConfigError(`${entry.label} config`, fieldIssues(config.error.issues, 'config'));
  return { model: entry.kind, preset, seed: spec.seed ?? 123, modelConfig: config.data as Record<string, unknown>, train: train.data };
}

export function createModel(run: ResolvedRun, ds: Dataset): Recommender {
  return modelEntry(run.model).create(ds, run.modelConfig, run.seed);
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  onEpoch?: TrainOptions['onEpoch'];
  resumeFrom?: Uint8Array;
}

export interface RunOutcome {
  run: ResolvedRun;
  model: Recommender;
  train: TrainResult;
  /** Metrics of the best (restored) weights; `test` only when the dataset has a test split. */
  val: Record<string, number> | null;
  test: Record<string, number> | null;
  /** Every evaluated user's metric values of the final evaluations (study statistics recompute tests from them). */
  perUser: { val: PerUserMetrics | null; test: PerUserMetrics | null };
}

/** Build, train, and evaluate one model on one dataset. The caller disposes `model`. */
export async function runExperiment(ds: Dataset, run: ResolvedRun, hooks: RunHooks = {}): Promise<RunOutcome> {
  const model = createModel(run, ds);
  try {
    const opts: TrainOptions = { ...run.train, seed: run.seed, ...hooks };
    const train = await trainModel(model, ds, opts);
    const ks = run.train.ks;
    hooks.onProgress?.({ phase: 'evaluate', message: 'final evaluation' });
    const val = ds.val.indices.length ? await evaluateModelDetailed(model, ds, 'val', ks, true) : null;
    const test = ds.test.indices.length ? await evaluateModelDetailed(model, ds, 'test', ks, true) : null;
    return { run, model, train, val: val?.metrics ?? null, test: test?.metrics ?? null, perUser: { val: val?.perUser ?? null, test: test?.perUser ?? null } };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

