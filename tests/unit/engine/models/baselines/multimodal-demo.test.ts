// LATTICE and FREEDOM trained on the embedded demo data (planted semantic structure, see
// resources/demo/README.md) under the paper schedule with their own defaults: both beat
// Popularity in the warm setting, and in the cold setting their item graphs reach the cold items
// that LightGCN cannot score.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../../src/main/engine/backend';
import { loadDataset } from '../../../../../src/main/engine/data';
import { resolveRun, runExperiment } from '../../../../../src/main/engine/experiment';
import { DEMO } from '../../../../helpers/paths';

async function testRecall(setting: 'warm' | 'cold', model: string): Promise<number> {
  const out = await runExperiment(loadDataset(DEMO, { setting }), resolveRun({ model, preset: 'paper', seed: 123, train_overrides: { epochs: 40 } }));
  out.model.dispose();
  return out.test!['recall@20'];
}

beforeAll(async () => {
  await initBackend();
});

describe('LATTICE and FREEDOM on the demo data', () => {
  it('warm start: both beat Popularity on test Recall@20', { timeout: 300_000 }, async () => {
    const popularity = await testRecall('warm', 'popularity');
    for (const model of ['lattice', 'freedom']) {
      const r = await testRecall('warm', model);
      console.log(`demo warm test recall@20: ${model} ${r.toFixed(4)}  popularity ${popularity.toFixed(4)}`);
      expect(r, model).toBeGreaterThan(2 * popularity);
    }
  });
  it('cold start: both reach cold items through their item graphs, LightGCN cannot', { timeout: 300_000 }, async () => {
    const lightgcn = await testRecall('cold', 'lightgcn');
    for (const model of ['lattice', 'freedom']) {
      const r = await testRecall('cold', model);
      console.log(`demo cold test recall@20: ${model} ${r.toFixed(4)}  lightgcn ${lightgcn.toFixed(4)}`);
      expect(r, model).toBeGreaterThan(0.2);
      expect(r, model).toBeGreaterThan(3 * lightgcn);
    }
  });
});
