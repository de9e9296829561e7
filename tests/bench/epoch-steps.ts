// One MICRO model on a dataset and a step function over the batches of its first epoch, as the
// trainer runs them (the learned-graph hooks before each batch, one optimiser step), for the
// bench scripts that time or profile batches (section.ts, op-profile.ts).
import { tf } from '../../src/main/engine/backend';
import type { ResolvedRun } from '../../src/main/engine/experiment';
import { createModel } from '../../src/main/engine/experiment';
import { trainStep } from '../../src/main/engine/train/trainer';
import { planEpoch } from '../../src/main/engine/train/sampler';
import { createRng } from '../../src/main/engine/data/random';
import type { Recommender } from '../../src/main/engine/models/types';
import type { Dataset } from '../../src/main/engine/types';

export interface EpochSteps {
  model: Recommender;
  /** Batches in the epoch. */
  batches: number;
  /** Runs batch `b` (call with b = 0, 1, 2, … in order; batch 0 rebuilds the learned graphs). */
  step(b: number): Promise<void>;
  dispose(): void;
}

export function epochSteps(run: ResolvedRun, ds: Dataset): EpochSteps {
  const model = createModel(run, ds);
  const vars = model.variables();
  const optimizer = tf.train.adam(run.train.lr);
  const plan = planEpoch(run.train.sampler, ds.train, ds.nItems, run.train.batchSize, createRng(run.seed));
  return {
    model,
    batches: plan.batches,
    async step(b: number) {
      const batch = plan.next();
      const ctx = { epoch: 0, batch: b, firstBatchOfEpoch: b === 0 };
      await model.beforeBatch?.(batch, ctx);
      await trainStep(optimizer, vars, () => model.batchLoss!(batch, ctx).total);
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}
