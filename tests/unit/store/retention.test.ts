// A training run keeps only two checkpoints: the newest (to resume from) and the best epoch's.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { executeRun } from '../../../src/main/runs/execute';
import { registerLoaded } from '../../../src/main/runs/datasets';
import { RunStore } from '../../../src/main/store';
import { tinyDataset } from '../../helpers/tiny';
import { tmpDir } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('checkpoint retention of a training run', () => {
  it('keeps the last and the best checkpoint, and nothing else', async () => {
    const dir = tmpDir();
    const store = RunStore.open(path.join(dir, 'runs.sqlite'));
    try {
      // 9 items, 3 in train per user: every epoch ranks each val item within the top 20, so
      // recall@20 is 1 from epoch 1 on and the best epoch (first strict improvement) stays 1.
      const ds = tinyDataset();
      const rec = registerLoaded(store, ds, dir);
      const { run } = await executeRun({
        store,
        dataset: ds,
        datasetRecord: rec,
        spec: {
          model: 'micro',
          seed: 3,
          model_overrides: { embedDim: 4, topK: 3 },
          train_overrides: { epochs: 5, batchSize: 8, evalEvery: 1, patience: 50, ks: [20], criterion: 'recall@20' },
        },
      });
      expect(run.status).toBe('completed');
      expect(store.getEpochs(run.id).map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
      expect(run.bestEpoch).toBe(1); // best != last
      const ckpts = store.listArtifacts(run.id, { kind: 'checkpoint' });
      expect(ckpts.map((a) => a.epoch)).toEqual([1, 5]);
      expect(store.resumeCheck(run.id).ok).toBe(false); // completed
    } finally {
      store.close();
    }
  });
});
