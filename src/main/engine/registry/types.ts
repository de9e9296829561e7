// What one model entry of the registry declares: everything the CLI, the API, the Train form,
// the runner and the exports need to know about a model, in one place (as MMRec's model + yaml).
import type { z } from 'zod';
import type { Dataset } from '../types';
import type { Recommender } from '../models/types';
import type { TrainHyper } from '../train/schema';

// The vocabulary is defined once, in the shared contract; the engine imports it.
import type { ModelCapabilities, Preset } from '../../../shared/vocabulary';
export type { ModelCapabilities, Preset };

export interface ModelEntry<C extends object = Record<string, unknown>> {
  kind: string;
  label: string;
  description: string;
  /** Trained by the shared trainer (batch loss + variables); false = fitted in one pass. */
  trainable: boolean;
  capabilities: ModelCapabilities;
  /**
   * Hyperparameters, strict. Each field's `.describe()` is its only help text, and
   * `.meta({ group })` its section in the Train form.
   */
  schema: z.ZodObject;
  /** Defaults of every field under a preset. */
  defaults(preset: Preset): C;
  /** Training-schedule defaults that differ from the preset's (e.g. a baseline's learning rate). */
  trainDefaults?(preset: Preset): Partial<TrainHyper>;
  /** Settings the user may not override (derived from the preset). */
  fixed?: readonly string[];
  create(ds: Dataset, config: C, seed: number): Recommender;
}

/** Identity with type inference: `export default defineModel({ … })`. */
export function defineModel<C extends object>(entry: ModelEntry<C>): ModelEntry<C> {
  return entry;
}

export const NO_CAPABILITIES: ModelCapabilities = { embeddings: false, graphs: false, attention: false, explanations: false };
