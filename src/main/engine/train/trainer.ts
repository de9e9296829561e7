// The one training loop for MICRO and every trainable baseline: Adam + per-epoch LR decay,
// seeded sampling, periodic validation with early stopping on Recall@20, best weights kept,
// progress events with ETA, cancellation between batches, checkpoints to resume from.
// Every read of a tensor is awaited (webgpu in Node has no synchronous readback); per batch that
// is one readback of the loss scalars, stacked.
import { tf } from '../backend';
import { createRng } from '../data/random';
import type { Dataset, ProgressFn } from '../types';
import type { BatchLoss, Recommender } from '../models/types';
import { readAll, readScalars } from '../ops';
import { evaluateRankingAsync, itemsWithoutTrain, type EvaluationResult } from '../eval/evaluator';
import type { EvalProtocol } from '../../../shared/vocabulary';
import { planEpoch, type SamplerKind } from './sampler';
import { sameWeights, weightsKey } from '../models/common';
import { decodeCheckpoint, encodeCheckpoint, restoreVariables, snapshotVariables, type NamedArray } from './checkpoint';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  sampler: SamplerKind;
  lr: number;
  /** lr · decayRate^(epoch/decayEvery), stepped once per epoch (reference: 0.96, 50). */
  lrDecayRate: number;
  lrDecayEvery: number;
  /** Validate every `evalEvery` epochs; stop after more than `patience` evaluations without strict improvement. */
  evalEvery: number;
  patience: number;
  /** Metric that selects the best epoch (on the validation split). */
  criterion: string;
  ks: number[];
  seed: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Called (and awaited) after each epoch; `checkpoint()` encodes the full state (only call it when you store it). */
  onEpoch?: (e: EpochResult, checkpoint: () => Promise<Uint8Array>) => void | Promise<void>;
  /** Resume from an encoded checkpoint (continues at its next epoch, with its RNG and optimizer state). */
  resumeFrom?: Uint8Array;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'seed'> = {
  epochs: 1000,
  batchSize: 1024,
  sampler: 'user',
  lr: 5e-4,
  lrDecayRate: 0.96,
  lrDecayEvery: 50,
  evalEvery: 5,
  patience: 10,
  criterion: 'recall@20',
  ks: [10, 20, 50],
};

export interface EpochResult {
  epoch: number;
  losses: Record<string, number>;
  seconds: number;
  val?: Record<string, number>;
  improved?: boolean;
}

export interface TrainResult {
  status: 'completed' | 'early-stopped' | 'cancelled';
  epochsRun: number;
  bestEpoch: number;
  bestVal: Record<string, number> | null;
  history: EpochResult[];
  seconds: number;
}

interface TrainerState {
  epoch: number; // next epoch to run
  rngSeed: number;
  bestEpoch: number;
  bestScore: number;
  bestVal: Record<string, number> | null;
  misses: number;
  bestWeights?: NamedArray[];
}

export class CancelledError extends Error {
  constructor() {
    super('training cancelled');
    this.name = 'CancelledError';
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Validation metrics of a model on a split (full ranking, train items masked). */
export async function evaluateModel(model: Recommender, ds: Dataset, split: 'val' | 'test', ks: number[]): Promise<Record<string, number>> {
  return (await evaluateModelDetailed(model, ds, split, ks, false)).metrics;
}

/** Per-user values of one split's evaluation: the evaluated user ids and one column per metric key. */
export type PerUserMetrics = NonNullable<EvaluationResult['perUser']>;

const coldCandidates = new WeakMap<Dataset, Int32Array>();

/**
 * The protocols a split is evaluated under: all items, and on a cold-start split also the cold
 * candidates only (items without train interactions), whose keys are prefixed `cold-only:`.
 */
export function evaluationProtocols(ds: Dataset): { prefix: string; items: Int32Array }[] {
  if (ds.setting !== 'cold') return [];
  let items = coldCandidates.get(ds);
  if (!items) coldCandidates.set(ds, (items = itemsWithoutTrain(ds.train, ds.nItems)));
  return items.length ? [{ prefix: 'cold-only' satisfies EvalProtocol, items }] : [];
}

/** evaluateModel, optionally keeping every evaluated user's metric values (study statistics). */
export async function evaluateModelDetailed(
  model: Recommender,
  ds: Dataset,
  split: 'val' | 'test',
  ks: number[],
  keepPerUser: boolean,
): Promise<{ metrics: Record<string, number>; perUser: PerUserMetrics | null }> {
  await model.prepareScoring();
  const res = await evaluateRankingAsync({
    nItems: ds.nItems,
    train: ds.train,
    heldOut: split === 'val' ? ds.val : ds.test,
    ks,
    keepPerUser,
    protocols: evaluationProtocols(ds),
    scoreUsers: (users: Int32Array) => model.scoreUsers(users),
  });
  return { metrics: { ...res.metrics, users: res.users }, perUser: res.perUser ?? null };
}

type Adam = ReturnType<typeof tf.train.adam>;
interface AdamInternals {
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations_: number;
  beta1: number;
  beta2: number;
}

export interface StepLosses {
  total: number;
  /** The BatchLoss parts, when the loss function returned them. */
  parts: Record<string, number>;
}

/**
 * One Adam step; resolves with the loss and its parts, read back together (one stacked readback).
 * Every variable always receives a gradient (zeros where the loss does not touch
 * it, e.g. the feature transforms on batches that reuse the stored graph): tfjs' Adam indexes its
 * moments by position in the gradient map, so a varying set of keys would mix moments up. Zero
 * gradients still move parameters through momentum, as torch 1.5 does in the reference code.
 */
export async function trainStep(optimizer: Adam, vars: tf.Variable[], loss: () => tf.Scalar | BatchLoss): Promise<StepLosses> {
  let names: string[] = [];
  let kept: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const l = loss();
    if (l instanceof tf.Tensor) return l;
    // variableGrads tidies the forward: keep the parts for the readback after the step.
    names = Object.keys(l.parts);
    kept = names.map((k) => tf.keep(l.parts[k]));
    return l.total;
  }, vars);
  const full: Record<string, tf.Tensor> = {};
  const extra: tf.Tensor[] = [];
  for (const v of vars) {
    let g = grads[v.name];
    if (!g) {
      g = tf.zerosLike(v);
      extra.push(g);
    }
    full[v.name] = g;
  }
  optimizer.applyGradients(full as tf.NamedTensorMap as never);
  tf.dispose([...Object.values(grads), ...extra]);
  try {
    const [total, ...partValues] = await readScalars([value, ...kept]);
    return { total, parts: Object.fromEntries(names.map((k, i) => [k, partValues[i]])) };
  } finally {
    tf.dispose([value, ...kept]);
  }
}

async function adamState(optimizer: Adam): Promise<NamedArray[]> {
  const o = optimizer as unknown as AdamInternals;
  const moments = [...o.accumulatedFirstMoment, ...o.accumulatedSecondMoment];
  const data = await readAll(moments.map((a) => a.variable));
  return [
    { name: 'iterations', shape: [], data: new Float32Array([o.iterations_ ?? 0]) },
    ...moments.map((a, i) => ({ name: a.originalName, shape: a.variable.shape.slice(), data: data[i] })),
  ];
}

/** Synchronous counterpart of Adam.setWeights (which is async in tfjs). */
function restoreAdamState(optimizer: Adam, arrays: NamedArray[]): void {
  const o = optimizer as unknown as AdamInternals;
  const it = arrays[0].data[0];
  const moments = arrays.slice(1);
  const half = moments.length / 2;
  const toVar = (a: NamedArray) => ({ originalName: a.name, variable: tf.tidy(() => tf.variable(tf.tensor(a.data, a.shape), false)) });
  o.accumulatedFirstMoment = moments.slice(0, half).map(toVar);
  o.accumulatedSecondMoment = moments.slice(half).map(toVar);
  o.iterations_ = it;
  tf.tidy(() => {
    o.accBeta1.assign(tf.scalar(Math.pow(o.beta1, it + 1)));
    o.accBeta2.assign(tf.scalar(Math.pow(o.beta2, it + 1)));
  });
}

export async function trainModel(model: Recommender, ds: Dataset, opts: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const vars = model.variables();
  const emit = opts.onProgress ?? (() => {});
  const history: EpochResult[] = [];
  // Fitted models have nothing to optimise: one evaluation is the whole "training".
  if (!model.batchLoss || vars.length === 0) {
    const val = ds.val.indices.length ? await evaluateModel(model, ds, 'val', opts.ks) : null;
    return { status: 'completed', epochsRun: 0, bestEpoch: 0, bestVal: val, history, seconds: (Date.now() - started) / 1000 };
  }
  const optimizer = tf.train.adam(opts.lr);
  const state: TrainerState = { epoch: 0, rngSeed: opts.seed, bestEpoch: -1, bestScore: -Infinity, bestVal: null, misses: 0 };

  if (opts.resumeFrom) {
    const ck = decodeCheckpoint<{ trainer: TrainerState }>(opts.resumeFrom);
    restoreVariables(vars, ck.variables);
    Object.assign(state, ck.meta.trainer);
    if (ck.optimizer.length) restoreAdamState(optimizer, ck.optimizer);
  }
  // The sampler RNG is re-derived per epoch from (seed, epoch), so a resumed run samples exactly
  // the batches the uninterrupted run would have.
  const encode = async (bestWeights: NamedArray[] | undefined): Promise<Uint8Array> =>
    encodeCheckpoint({
      variables: await snapshotVariables(vars),
      optimizer: await adamState(optimizer),
      best: bestWeights,
      meta: { trainer: { ...state } } as unknown as Record<string, unknown>,
    });
  let bestWeights: NamedArray[] | undefined;
  if (opts.resumeFrom) bestWeights = decodeCheckpoint(opts.resumeFrom).best;
  // The variables' identity when bestWeights was taken: if no step replaced them since, restoring
  // would change nothing, and skipping it keeps what the model computed from them (scorer, graphs).
  let bestKey: object[] | undefined;

  const epochSeconds: number[] = [];
  let status: TrainResult['status'] = 'completed';
  try {
    for (let epoch = state.epoch; epoch < opts.epochs; epoch++) {
      const t0 = Date.now();
      (optimizer as unknown as { learningRate: number }).learningRate = opts.lr * Math.pow(opts.lrDecayRate, epoch / opts.lrDecayEvery);
      const rng = createRng(opts.seed * 1000003 + epoch);
      const plan = planEpoch(opts.sampler, ds.train, ds.nItems, opts.batchSize, rng);
      const sums: Record<string, number[]> = {};
      for (let b = 0; b < plan.batches; b++) {
        if (opts.signal?.aborted) throw new CancelledError();
        const batch = plan.next();
        const ctx = { epoch, batch: b, firstBatchOfEpoch: b === 0 };
        await model.beforeBatch?.(batch, ctx);
        const { total, parts } = await trainStep(optimizer, vars, () => model.batchLoss!(batch, ctx));
        if (!Number.isFinite(total)) throw new Error(`loss became ${total} at epoch ${epoch + 1}, batch ${b + 1}; try a lower learning rate`);
        parts.total = total;
        for (const [k, v] of Object.entries(parts)) (sums[k] ??= []).push(v);
        const elapsedEpoch = (Date.now() - t0) / 1000;
        const perBatch = elapsedEpoch / (b + 1);
        const remainingEpochs = opts.epochs - epoch - 1;
        const avgEpoch = epochSeconds.length ? mean(epochSeconds) : perBatch * plan.batches;
        emit({
          phase: 'train',
          epoch: epoch + 1,
          epochs: opts.epochs,
          batch: b + 1,
          batches: plan.batches,
          losses: parts,
          etaSeconds: perBatch * (plan.batches - b - 1) + remainingEpochs * avgEpoch,
        });
      }
      const losses = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, mean(v)]));
      const result: EpochResult = { epoch: epoch + 1, losses, seconds: 0 };
      state.epoch = epoch + 1;
      let stop = false;
      if ((epoch + 1) % opts.evalEvery === 0 || epoch + 1 === opts.epochs) {
        if (ds.val.indices.length) {
          emit({ phase: 'validate', epoch: epoch + 1, epochs: opts.epochs });
          const val = await evaluateModel(model, ds, 'val', opts.ks);
          result.val = val;
          const score = val[opts.criterion];
          if (score === undefined) throw new Error(`criterion "${opts.criterion}" is not among the metrics (${Object.keys(val).join(', ')})`);
          if (score > state.bestScore) {
            state.bestScore = score;
            state.bestEpoch = epoch + 1;
            state.bestVal = val;
            state.misses = 0;
            result.improved = true;
            bestWeights = await snapshotVariables(vars);
            bestKey = weightsKey(vars);
          } else if (++state.misses > opts.patience) {
            stop = true;
          }
        }
      }
      result.seconds = (Date.now() - t0) / 1000;
      epochSeconds.push(result.seconds);
      history.push(result);
      // Persist first, then announce: whoever sees the 'epoch' event can rely on it being stored.
      await opts.onEpoch?.(result, () => encode(bestWeights));
      emit({ phase: 'epoch', epoch: epoch + 1, epochs: opts.epochs, losses, metrics: result.val });
      if (stop) {
        status = 'early-stopped';
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    status = 'cancelled';
  } finally {
    optimizer.dispose();
  }
  // Keep the best validated weights, as the reference reports the test score at the best epoch.
  if (bestWeights && !sameWeights(bestKey, weightsKey(vars))) restoreVariables(vars, bestWeights);
  await model.prepareScoring();
  return {
    status,
    epochsRun: state.epoch,
    bestEpoch: state.bestEpoch,
    bestVal: state.bestVal,
    history,
    seconds: (Date.now() - started) / 1000,
  };
}
