// One bench measurement, run in its own process (so its peak RSS is its own):
//   node --import tsx tests/bench/section.ts '<json spec>'
// prints one line `BENCH_RESULT <json>`. See run.ts for the specs.
import { initBackend, tf, type BackendName } from '../../src/main/engine/backend';
import { resolveRun } from '../../src/main/engine/experiment';
import { epochSteps } from './epoch-steps';
import { evaluateModel } from '../../src/main/engine/train/trainer';
import { createRng } from '../../src/main/engine/data/random';
import { knnCosineTopKTf } from '../../src/main/engine/graph/knn-tf';
import { knnCosineTopK } from '../../src/main/engine/graph/knn';
import type { Dataset } from '../../src/main/engine/types';
import { CLOTHING, generateDataset, tiktokDataset } from './datasets';
import { measureCalibration, type Calibration } from './calibration';

export interface EpochConfig {
  preset: 'paper' | 'reference';
  mode: 'exact' | 'sampled';
  sampledAnchors?: number;
  /** Batches timed after the first (graph-rebuild) batch and one warm-up batch. */
  batches: number;
  validate: boolean;
  /** Also run the rest of the epoch: the whole epoch is timed, not only extrapolated. */
  whole?: boolean;
}

export type SectionSpec =
  | {
      /** Several configs in one process: they share the dataset and its cached initial kNN graphs. */
      kind: 'epoch';
      dataset: 'tiktok' | 'clothing';
      configs: EpochConfig[];
      contrastive?: 'fast' | 'reference';
    }
  | { kind: 'knn'; n: number; dim: number; k: number; impl: 'tf' | 'js' }
  /** The machine's speed, so figures from two machines can be put side by side. */
  | { kind: 'calibrate'; seconds: number };

export type { Calibration } from './calibration';

export interface EpochMeasurement {
  dataset: string;
  real: boolean;
  preset: string;
  mode: string;
  sampledAnchors?: number;
  buildS: number;
  firstBatchS: number;
  batchS: number;
  batchesTimed: number;
  batchesPerEpoch: number;
  /** Extrapolated: first batch + (batches − 1) × the timed batches' mean. */
  epochS: number;
  /** Measured: every batch of one epoch, first and warm-up included (with `whole`). */
  wholeEpochS?: number;
  valS?: number;
  valRecall20?: number;
  maxRssMB: number;
  threads: number;
}

export interface KnnMeasurement {
  n: number;
  dim: number;
  k: number;
  impl: string;
  seconds: number;
  maxRssMB: number;
}

const now = () => performance.now() / 1000;
/** MICRO_BENCH_DEBUG=1: progress on stderr (which step a long or failing section is in). */
const debug = (msg: string) => {
  if (!process.env.MICRO_BENCH_DEBUG) return;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;
  const mem = tf.memory();
  console.error(
    `[bench ${new Date().toISOString()} rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, tensors ${mem.numTensors} / ${Math.round(mem.numBytes / 2 ** 20)} MB, wasm heap ${Math.round(heap / 2 ** 20)} MB] ${msg}`,
  );
};
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

function loadBenchDataset(which: 'tiktok' | 'clothing'): { ds: Dataset; real: boolean } {
  return which === 'tiktok' ? tiktokDataset() : { ds: generateDataset(CLOTHING), real: false };
}

async function epochSection(spec: Extract<SectionSpec, { kind: 'epoch' }>): Promise<{ runs: EpochMeasurement[]; maxRssMB: number }> {
  if (spec.contrastive === 'reference') process.env.MICRO_CONTRASTIVE = 'reference';
  await initBackend((process.env.MICRO_BACKEND as BackendName | undefined) || 'wasm'); // npm run bench -- --backend …
  const { ds, real } = loadBenchDataset(spec.dataset);
  const runs: EpochMeasurement[] = [];
  for (const c of spec.configs) runs.push(await measureEpoch(ds, real, c));
  return { runs, maxRssMB: maxRssMB() };
}

async function measureEpoch(ds: Dataset, real: boolean, spec: EpochConfig): Promise<EpochMeasurement> {
  const overrides: Record<string, unknown> = { contrastiveMode: spec.mode };
  if (spec.sampledAnchors) overrides.sampledAnchors = spec.sampledAnchors;
  const run = resolveRun({ model: 'micro', preset: spec.preset, seed: 123, model_overrides: overrides });
  debug(`${spec.preset}/${spec.mode}: building the model`);
  let t = now();
  const { model, batches, step, dispose } = epochSteps(run, ds);
  debug('model built');
  const buildS = now() - t;
  const t0 = now();
  t = t0;
  await step(0); // rebuilds the learned graphs, as every epoch's first batch does
  const firstBatchS = now() - t;
  debug('first batch done');
  await step(1); // warm-up (kernel compilation, helper thread start)
  t = now();
  for (let b = 0; b < spec.batches; b++) await step(2 + b);
  const batchS = (now() - t) / spec.batches;
  const epochS = firstBatchS + (batches - 1) * batchS;
  let wholeEpochS: number | undefined;
  if (spec.whole) {
    for (let b = 2 + spec.batches; b < batches; b++) await step(b);
    wholeEpochS = now() - t0;
  }
  const out: EpochMeasurement = {
    dataset: ds.name,
    real,
    preset: spec.preset,
    mode: spec.mode,
    sampledAnchors: spec.mode === 'sampled' ? (run.modelConfig as { sampledAnchors: number }).sampledAnchors : undefined,
    buildS,
    firstBatchS,
    batchS,
    batchesTimed: spec.batches,
    batchesPerEpoch: batches,
    epochS,
    wholeEpochS,
    maxRssMB: 0,
    threads: Number(process.env.MICRO_CONTRASTIVE_THREADS) || 2,
  };
  if (spec.validate) {
    t = now();
    const val = await evaluateModel(model, ds, 'val', [20]);
    out.valS = now() - t;
    out.valRecall20 = val['recall@20'];
  }
  dispose();
  out.maxRssMB = maxRssMB(); // process peak so far
  return out;
}

async function calibrate(spec: Extract<SectionSpec, { kind: 'calibrate' }>): Promise<Calibration> {
  return measureCalibration(spec.seconds);
}

async function knnSection(spec: Extract<SectionSpec, { kind: 'knn' }>): Promise<KnnMeasurement> {
  await initBackend((process.env.MICRO_BACKEND as BackendName | undefined) || 'wasm'); // npm run bench -- --backend …
  const { n, dim, k } = spec;
  const rng = createRng(7);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const t = now();
  if (spec.impl === 'tf') knnCosineTopKTf(x, n, dim, k);
  else knnCosineTopK(x, n, dim, k);
  return { n, dim, k, impl: spec.impl, seconds: now() - t, maxRssMB: maxRssMB() };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SectionSpec;
const result = spec.kind === 'knn' ? await knnSection(spec) : spec.kind === 'calibrate' ? await calibrate(spec) : await epochSection(spec);
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);


