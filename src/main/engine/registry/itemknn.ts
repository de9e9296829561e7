// Item-kNN: item-item collaborative neighbours.
import { z } from 'zod';
import { ItemKnn } from '../models/baselines/fitted';
import { neighbours } from './fields';
import { NO_CAPABILITIES, defineModel } from './types';

const schema = z
  .object({
    k: neighbours,
    shrink: z
      .number()
      .min(0)
      .describe('Item-kNN similarity shrinkage: co-count / (√(deg_i·deg_j) + shrink); 0 = plain cosine')
      .meta({ group: 'Model' }),
  })
  .strict();

export default defineModel<z.infer<typeof schema>>({
  kind: 'itemknn',
  label: 'Item-kNN',
  description: 'Item-item collaborative kNN (fitted, no training)',
  trainable: false,
  capabilities: NO_CAPABILITIES,
  schema,
  defaults: () => ({ k: 50, shrink: 0 }),
  create: (ds, c) => new ItemKnn(ds, c.k, c.shrink),
});
