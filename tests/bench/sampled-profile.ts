// One TikTok MICRO epoch (paper preset, sampled contrastive mode) in process, for profiling:
//   node --import tsx tests/bench/sampled-profile.ts              one epoch + validation, timed
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx tests/bench/sampled-profile.ts
//        then: node --import tsx tests/bench/cpuprofile-summary.ts /tmp/prof/<file>.cpuprofile
//   node --import tsx tests/bench/sampled-profile.ts --ops        wasm kernels of 10 later batches by
//                                                                 name and shapes, forward vs backward
//   … --ops --rebuild                                             the same for rebuild batches
// Prints the epoch's seconds (all batches and the validation), its losses at full precision and a
// checksum of the trained variables, so that two versions of the code can be compared for identical
// results. MICRO_BENCH_TIKTOK=<dir> points at the data when this file is run from another checkout.
import { initBackend, tf } from '../../src/main/engine/backend';
import { createModel, resolveRun } from '../../src/main/engine/experiment';
import { evaluateModel, trainModel, trainStep } from '../../src/main/engine/train/trainer';
import { planEpoch } from '../../src/main/engine/train/sampler';
import { createRng } from '../../src/main/engine/data/random';
import { tiktokDataset } from './datasets';

const now = () => performance.now() / 1000;

/** FNV-1a over the bytes of every variable: equal checksums mean bit-identical weights. */
function checksum(vars: tf.Variable[]): string {
  let h = 0x811c9dc5;
  for (const v of vars) {
    const bytes = new Uint8Array((v.dataSync() as Float32Array).slice().buffer);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

await initBackend('wasm');
const tLoad = now();
const { ds, real } = tiktokDataset();
const loadS = now() - tLoad;
const run = resolveRun({ model: 'micro', preset: 'paper', seed: 123, model_overrides: { contrastiveMode: 'sampled' }, train_overrides: { epochs: 1 } });
const model = createModel(run, ds);

if (process.argv.includes('--ops')) {
  // Exclusive time of every wasm kernel (wasm kernels never nest), by name and input shapes, split
  // into forward (the loss under the tape) and backward + Adam, over later batches; the JS between
  // kernels (our custom ops, TF.js bookkeeping, GC) is the rest of the wall time.
  const stats = new Map<string, { n: number; ms: number }>();
  let phase = 'fwd';
  let timing = false;
  for (const k of tf.getKernelsForBackend('wasm')) {
    const inner = k.kernelFunc;
    (k as { kernelFunc: typeof inner }).kernelFunc = (args) => {
      if (!timing) return inner(args);
      const t = performance.now();
      const out = inner(args);
      const key = `${phase} ${k.kernelName} ${Object.values(args.inputs).map((x) => `[${(x as tf.TensorInfo).shape}]`).join('')}`;
      const e = stats.get(key) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += performance.now() - t;
      stats.set(key, e);
      return out;
    };
  }
  const vars = model.variables();
  const optimizer = tf.train.adam(run.train.lr);
  const plan = planEpoch(run.train.sampler, ds.train, ds.nItems, run.train.batchSize, createRng(run.seed));
  const timed = 10;
  const rebuilds = process.argv.includes('--rebuild'); // time rebuild batches (learned graphs rebuilt) instead
  let wall = { fwd: 0, bwd: 0 };
  for (let b = 0; b < 2 + timed; b++) {
    const batch = plan.next();
    const ctx = { epoch: 0, batch: b, firstBatchOfEpoch: b === 0 || (rebuilds && b >= 2) };
    await model.beforeBatch?.(batch, ctx);
    timing = b >= 2;
    phase = 'fwd';
    const t0 = now();
    let t1 = 0;
    await trainStep(optimizer, vars, () => {
      const l = model.batchLoss!(batch, ctx);
      t1 = now();
      phase = 'bwd';
      return l;
    });
    if (timing) wall = { fwd: wall.fwd + (t1 - t0) * 1000, bwd: wall.bwd + (now() - t1) * 1000 };
  }
  timing = false;
  const per = (x: number) => (x / timed).toFixed(2).padStart(7);
  for (const ph of ['fwd', 'bwd'] as const) {
    const rows = [...stats].filter(([k]) => k.startsWith(ph)).sort((x, y) => y[1].ms - x[1].ms);
    const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0);
    const count = rows.reduce((s, [, e]) => s + e.n, 0);
    console.log(`${ph === 'fwd' ? 'forward' : 'backward + Adam'}: ${per(wall[ph])} ms/batch wall, ${per(inKernels)} ms in ${count / timed} wasm kernels`);
    for (const [k, e] of rows.slice(0, 45)) console.log(`  ${per(e.ms)} ms ${String(e.n / timed).padStart(5)}×  ${k.slice(4)}`);
  }
  optimizer.dispose();
} else {
  const t0 = now();
  const batchTimes: number[] = [];
  let last = t0;
  let epochS = 0;
  let losses: Record<string, number> = {};
  const res = await trainModel(model, ds, {
    ...run.train,
    seed: run.seed,
    onProgress: (p) => {
      if (p.phase !== 'train') return;
      const t = now();
      batchTimes.push(t - last);
      last = t;
    },
    onEpoch: (e) => {
      epochS = e.seconds;
      losses = e.losses;
    },
  });
  const trainS = now() - t0;
  const tVal = now();
  const val = await evaluateModel(model, ds, 'val', [20]);
  const valS = now() - tVal;
  const later = batchTimes.slice(1);
  console.log(
    JSON.stringify({
      real,
      loadS: +loadS.toFixed(2),
      batches: batchTimes.length,
      firstBatchS: +batchTimes[0].toFixed(3),
      laterBatchMs: +((later.reduce((s, x) => s + x, 0) / later.length) * 1000).toFixed(1),
      epochS: +epochS.toFixed(2), // all batches + the end-of-epoch validation
      trainModelS: +trainS.toFixed(2),
      valS: +valS.toFixed(2), // one more validation after training (what the final evaluation costs)
      status: res.status,
      losses: Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, v.toPrecision(17)])),
      recall20: val['recall@20'],
      checksum: checksum(model.variables()),
      load: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
    }),
  );
}
model.dispose();
