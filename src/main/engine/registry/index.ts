// The model registry: one entry per model (its own file in this folder). The CLI, the API, the
// Train form, the runner and the exports read models from here and nowhere else.
import type { ModelEntry } from './types';
import { ConfigError } from '../types';
import micro from './micro';
import lightgcn from './lightgcn';
import mf from './mf';
import vbpr from './vbpr';
import popularity from './popularity';
import itemknn from './itemknn';
import contentknn from './contentknn';
import lattice from './lattice';
import freedom from './freedom';

export type { ModelCapabilities, ModelEntry, Preset } from './types';

/** Display order of the workbench. */
export const MODELS: readonly ModelEntry<object>[] = [micro, lattice, freedom, lightgcn, mf, vbpr, popularity, itemknn, contentknn] as ModelEntry<object>[];

export const MODEL_KINDS: readonly string[] = MODELS.map((m) => m.kind);

export function findModel(kind: string): ModelEntry<object> | undefined {
  return MODELS.find((m) => m.kind === kind);
}

/** The entry of `kind`; a ConfigError naming the known models otherwise. */
export function modelEntry(kind: string): ModelEntry<object> {
  const m = findModel(kind);
  if (!m) throw new ConfigError('model', [{ field: 'model', message: `expected one of ${MODEL_KINDS.join(', ')}` }]);
  return m;
}
