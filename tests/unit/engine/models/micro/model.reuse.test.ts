// What MicroModel computes from its weights is reused while they are unchanged: the learned graphs
// of the last validation serve the next rebuild batch, and a second scoring pass is free.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { resolveMicroConfig } from '../../../../../src/main/engine/models/micro/config';
import * as graphs from '../../../../../src/main/engine/models/micro/graphs';
import { trainStep } from '../../../../../src/main/engine/train/trainer';
import { tinyDataset, trainBatchFor } from '../../../../helpers/tiny';

vi.mock('../../../../../src/main/engine/models/micro/graphs', async (original) => {
  const mod = await original<typeof graphs>();
  return { ...mod, learnedGraphHost: vi.fn(mod.learnedGraphHost) };
});

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MicroModel reuses what unchanged weights give', () => {
  it('learned graphs and the scorer are recomputed only after a step', async () => {
    const ds = tinyDataset({ users: 20, items: 30, modalities: [6, 5], seed: 4 });
    const model = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 8, topK: 4 }), 3);
    const builds = vi.mocked(graphs.learnedGraphHost);
    builds.mockClear();
    const users = Int32Array.from([0, 1, 2]);
    await model.prepareScoring(); // a validation
    expect(builds).toHaveBeenCalledTimes(2); // one learned graph per modality
    const scores = await model.scoreUsers(users);
    await model.prepareScoring(); // the final evaluation, same weights
    await model.beforeBatch({ users, pos: users, neg: users }, { epoch: 1, batch: 0, firstBatchOfEpoch: true }); // the next rebuild
    expect(builds).toHaveBeenCalledTimes(2);
    expect(await model.scoreUsers(users)).toEqual(scores);

    const optimizer = tf.train.adam(0.05);
    const batch = trainBatchFor(ds, [0, 1, 2, 3]);
    await trainStep(optimizer, model.variables(), () => model.batchLoss(batch, { epoch: 1, batch: 0, firstBatchOfEpoch: true }));
    await model.prepareScoring();
    expect(builds).toHaveBeenCalledTimes(4);
    expect(await model.scoreUsers(users)).not.toEqual(scores);
    optimizer.dispose();
    model.dispose();
  });
});
