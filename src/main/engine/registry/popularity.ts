// Popularity: the most popular train items for everyone.
import { z } from 'zod';
import { Popularity } from '../models/baselines/fitted';
import { NO_CAPABILITIES, defineModel } from './types';

export default defineModel<Record<string, never>>({
  kind: 'popularity',
  label: 'Popularity',
  description: 'Most popular train items (fitted, no training)',
  trainable: false,
  capabilities: NO_CAPABILITIES,
  schema: z.object({}).strict(),
  defaults: () => ({}),
  create: (ds) => new Popularity(ds),
});
