// Accuracy of the sampled contrastive mode against the exact one: trains MICRO on TikTok (real
// data when ../shared/data/tiktok exists) for the same number of epochs in each mode and prints
// validation Recall@20 per epoch. Slow (the exact mode is the expensive one): run it by hand.
//   node --import tsx tests/bench/recall.ts [--epochs 5] [--preset reference] [--anchors 256]
//        [--seeds 123,124] [--modes exact,sampled,none]
// 'none' trains without the contrastive term (β_C = 0), to show how much the term matters at all.
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/main/engine/backend';
import { resolveRun, runExperiment } from '../../src/main/engine/experiment';
import { tiktokDataset } from './datasets';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    preset: { type: 'string', default: 'reference' },
    anchors: { type: 'string', default: '' },
    seeds: { type: 'string', default: '123' },
    modes: { type: 'string', default: 'exact,sampled' },
  },
});

await initBackend('wasm');
const { ds, real } = tiktokDataset();
const epochs = Number(values.epochs);
const preset = values.preset as 'paper' | 'reference';
console.log(`# ${ds.name} (${real ? 'real data' : 'generated'}), preset ${preset}, ${epochs} epochs, val Recall@20 after each epoch`);
console.log('| mode | seed | anchors | ' + Array.from({ length: epochs }, (_, e) => `ep ${e + 1}`).join(' | ') + ' | s/epoch |');
console.log('|---|---|---|' + '---|'.repeat(epochs) + '---|');
for (const seed of values.seeds.split(',').map(Number)) {
  for (const mode of values.modes.split(',')) {
    const overrides: Record<string, unknown> = mode === 'none' ? { betaC: 0 } : { contrastiveMode: mode };
    if (mode === 'sampled' && values.anchors) overrides.sampledAnchors = Number(values.anchors);
    const run = resolveRun({
      model: 'micro',
      preset,
      seed,
      model_overrides: overrides,
      train_overrides: { epochs, evalEvery: 1, patience: 1000 },
    });
    const out = await runExperiment(ds, run);
    const recalls = out.train.history.map((h) => (h.val?.['recall@20'] ?? NaN).toFixed(4));
    const secs = out.train.history.reduce((s, h) => s + h.seconds, 0) / out.train.history.length;
    const anchors = mode === 'sampled' ? String((run.modelConfig as { sampledAnchors: number }).sampledAnchors) : mode === 'exact' ? 'all' : '-';
    console.log(`| ${mode} | ${seed} | ${anchors} | ${recalls.join(' | ')} | ${secs.toFixed(1)} |`);
    out.model.dispose();
  }
}
process.exit(0);
