// The training schedule's settings (shared by every trainable model), their help text and the
// two presets' schedules: `paper` = an epoch is a pass over the interactions, validate every
// epoch; `reference` = the public code's 1024 random users per batch, validate every 5 epochs.
import { z } from 'zod';
import { DEFAULT_TRAIN_OPTIONS } from './trainer';
import type { Preset } from '../../../shared/vocabulary';

const g = (group: string) => ({ group });

export const trainSchema = z
  .object({
    epochs: z.number().int().min(0).max(100000).describe('Maximum epochs').meta(g('Schedule')),
    batchSize: z.number().int().min(1).max(1 << 20).describe('Batch size').meta(g('Schedule')),
    sampler: z
      .enum(['user', 'interaction'])
      .describe("'interaction': one pass over interactions per epoch (paper); 'user': one sample per user (reference)")
      .meta(g('Schedule')),
    lr: z.number().gt(0).max(10).describe('Adam learning rate').meta(g('Optimiser')),
    lrDecayRate: z.number().gt(0).max(1).describe('Learning-rate decay factor').meta(g('Optimiser')),
    lrDecayEvery: z.number().gt(0).describe('Epochs per decay step').meta(g('Optimiser')),
    evalEvery: z.number().int().min(1).describe('Validate every n epochs').meta(g('Validation')),
    patience: z.number().int().min(0).describe('Stop after this many validations without improvement').meta(g('Validation')),
    criterion: z
      .string()
      .regex(/^(recall|ndcg|ndcg_ref|precision|hit)@\d+$/, 'expected metric@K, e.g. recall@20')
      .describe('Metric that selects the best epoch, e.g. recall@20')
      .meta(g('Validation')),
    ks: z.array(z.number().int().min(1)).min(1).describe('Cut-offs K of the ranking metrics (comma-separated)').meta(g('Validation')),
  })
  .strict();
export type TrainHyper = z.infer<typeof trainSchema>;

/** The preset's schedule (before a model's own training defaults). */
export function presetSchedule(preset: Preset): TrainHyper {
  const base: TrainHyper = { ...DEFAULT_TRAIN_OPTIONS };
  if (preset === 'reference') return { ...base, sampler: 'user', evalEvery: 5, patience: 10 };
  // paper: "stop if val Recall@20 does not increase for 10 successive epochs"; epoch = pass over interactions
  return { ...base, sampler: 'interaction', evalEvery: 1, patience: 10 };
}
