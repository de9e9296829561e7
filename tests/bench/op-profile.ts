// Per-kernel profile of MICRO training batches on TikTok (tf.profile: every TF.js kernel of the
// forward and backward, wall ms), to see where a batch's time goes outside our contrastive core.
//   node --import tsx tests/bench/op-profile.ts [--preset reference] [--mode sampled] [--batches 5]
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../../src/main/engine/backend';
import { resolveRun } from '../../src/main/engine/experiment';
import { epochSteps } from './epoch-steps';
import { tiktokDataset } from './datasets';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'reference' }, mode: { type: 'string', default: 'sampled' }, batches: { type: 'string', default: '5' } } });
await initBackend('wasm');
const { ds } = tiktokDataset();
const run = resolveRun({ model: 'micro', preset: values.preset as 'paper', seed: 123, model_overrides: { contrastiveMode: values.mode } });
const { step } = epochSteps(run, ds);
await step(0);
await step(1);
const byKernel = new Map<string, { ms: number; calls: number }>();
let wall = 0;
const n = Number(values.batches);
for (let b = 0; b < n; b++) {
  const t = performance.now();
  const info = await tf.profile(() => step(2 + b) as unknown as tf.TensorContainer);
  wall += performance.now() - t;
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls++;
    byKernel.set(k.name, e);
  }
}
const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = rows.reduce((s, [, v]) => s + v.ms, 0);
console.log(`${values.preset}/${values.mode}: ${(wall / n).toFixed(1)} ms per batch (profiled), ${(inKernels / n).toFixed(1)} ms in TF.js kernels`);
for (const [name, v] of rows.slice(0, 30)) console.log(`${(v.ms / n).toFixed(2).padStart(8)} ms  ${String(v.calls / n).padStart(5)} calls  ${name}`);
