// Content-kNN: item-item neighbours over content features.
import { z } from 'zod';
import { ContentKnn } from '../models/baselines/fitted';
import { neighbours } from './fields';
import { NO_CAPABILITIES, defineModel } from './types';

const schema = z.object({ k: neighbours }).strict();

export default defineModel<z.infer<typeof schema>>({
  kind: 'contentknn',
  label: 'Content-kNN',
  description: 'Item-item kNN over content features (fitted, no training)',
  trainable: false,
  capabilities: NO_CAPABILITIES,
  schema,
  defaults: () => ({ k: 50 }),
  create: (ds, c) => new ContentKnn(ds, c.k),
});
