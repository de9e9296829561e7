// A short MICRO run on the real TikTok data (when ../shared/data is present) beats Popularity on
// validation Recall@20. Sampled-anchor contrastive mode and a higher learning rate keep it to a couple of minutes
// (TikTok is popularity-heavy: Popularity's val Recall@20 is ~0.063).
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../../src/main/engine/backend';
import { loadDataset } from '../../../src/main/engine/data';
import { resolveRun, runExperiment } from '../../../src/main/engine/experiment';
import { SHARED_DATA } from '../../helpers/paths';

const tiktok = path.join(SHARED_DATA, 'tiktok');

beforeAll(async () => {
  await initBackend();
});

describe.skipIf(!fs.existsSync(tiktok))('TikTok (real data, ../shared/data/tiktok)', () => {
  it('a short MICRO run beats Popularity on validation Recall@20', { timeout: 1_200_000 }, async () => {
    const ds = loadDataset(tiktok);
    const pop = await runExperiment(ds, resolveRun({ model: 'popularity' }));
    pop.model.dispose();
    const micro = await runExperiment(
      ds,
      resolveRun({
        model: 'micro',
        preset: 'reference',
        seed: 123,
        model_overrides: { contrastiveMode: 'sampled' },
        train_overrides: { epochs: 2, evalEvery: 1, lr: 5e-3 },
      }),
    );
    micro.model.dispose();
    const popRecall = pop.val!['recall@20'];
    const microRecall = micro.val!['recall@20'];
    console.log(`TikTok val recall@20: MICRO ${microRecall.toFixed(4)} (2 epochs)  Popularity ${popRecall.toFixed(4)}`);
    expect(microRecall).toBeGreaterThan(popRecall);
  });
});
