// Artifacts every run stores beside its model-specific ones: the model's embedding tables (MICRO,
// MF, LightGCN, VBPR: whatever `embeddingTables()` gives) and the id maps
// (dense ↔ original ids) of datasets that have them, so exports speak the original ids without
// reloading the dataset.
import type { RunStore } from '../store';
import type { Dataset } from '../engine/types';
import type { Recommender } from '../engine/models/types';

/** The model's embedding tables (no-op for models without any). */
export async function saveEmbeddingArtifacts(store: RunStore, runId: number, model: Recommender): Promise<void> {
  if (!model.embeddingTables) return;
  for (const [name, e] of Object.entries(await model.embeddingTables()))
    store.putArtifact(runId, { kind: 'embeddings', name, format: 'f32', payload: e.data, shape: [e.rows, e.cols] });
}

/** Original user / item ids (raw lists and their splits), as JSON string arrays. */
export function saveIdMaps(store: RunStore, runId: number, ds: Dataset): void {
  for (const [name, ids] of [
    ['user', ds.userIds],
    ['item', ds.itemIds],
  ] as const) {
    if (!ids) continue;
    store.putArtifact(runId, { kind: 'idmap', name, format: 'json', payload: Buffer.from(JSON.stringify(ids)), shape: [ids.length] });
  }
}

/** A run's stored id map, or null (then dense ids are the dataset's own ids). */
export function readIdMap(store: RunStore, runId: number, name: 'user' | 'item'): string[] | null {
  const a = store.findArtifact(runId, 'idmap', name, { payload: true });
  return a?.payload ? (JSON.parse(a.payload.toString('utf8')) as string[]) : null;
}
