// The datasets table: registered datasets (by unique name), how many runs use each, and the
// last pilot-study result of each (dataset_pilots).
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { mapDataset, mapPilot, type DatasetRow, type PilotRow } from './rows';
import type { DatasetInput, DatasetRecord, PilotInput, PilotRecord } from './types';

/** Insert by name, or update the row of that name (new fingerprint / stats / paths). */
export function registerDataset(ctx: StoreContext, input: DatasetInput): DatasetRecord {
  ctx.writable();
  const name = input.name.trim();
  if (!name) throw new StoreError('INVALID_INPUT', 'dataset name must not be empty');
  if (!input.fingerprint) throw new StoreError('INVALID_INPUT', `dataset ${name}: fingerprint must not be empty`);
  const now = Date.now();
  const params = {
    name,
    source_paths: JSON.stringify(input.sourcePaths),
    layout: input.layout,
    setting: input.setting,
    modalities: JSON.stringify(input.modalities.map((m) => ({ name: m.name, dim: m.dim }))),
    stats: JSON.stringify(input.stats),
    fingerprint: input.fingerprint,
    now,
  };
  return ctx.tx(() => {
    // updated_at only moves when something actually changed.
    const row = ctx
      .stmt(
        `INSERT INTO datasets (name, source_paths, layout, setting, modalities, stats, fingerprint, created_at, updated_at)
         VALUES (@name, @source_paths, @layout, @setting, @modalities, @stats, @fingerprint, @now, @now)
         ON CONFLICT(name) DO UPDATE SET
           source_paths = excluded.source_paths, layout = excluded.layout, setting = excluded.setting,
           modalities = excluded.modalities, stats = excluded.stats, fingerprint = excluded.fingerprint,
           updated_at = CASE WHEN datasets.fingerprint = excluded.fingerprint
                              AND datasets.stats = excluded.stats AND datasets.source_paths = excluded.source_paths
                              AND datasets.modalities = excluded.modalities AND datasets.layout = excluded.layout
                              AND datasets.setting = excluded.setting
                             THEN datasets.updated_at ELSE excluded.updated_at END
         RETURNING *`,
      )
      .get(params) as DatasetRow;
    return mapDataset(row);
  });
}

export function getDataset(ctx: StoreContext, idOrName: number | string): DatasetRecord | null {
  const row = (
    typeof idOrName === 'number'
      ? ctx.stmt('SELECT * FROM datasets WHERE id = ?').get(idOrName)
      : ctx.stmt('SELECT * FROM datasets WHERE name = ?').get(idOrName)
  ) as DatasetRow | undefined;
  return row ? mapDataset(row) : null;
}

export function listDatasets(ctx: StoreContext): DatasetRecord[] {
  return (ctx.stmt('SELECT * FROM datasets ORDER BY name COLLATE NOCASE').all() as DatasetRow[]).map(mapDataset);
}

/** Refuses (IN_USE) while runs refer to the dataset. */
export function deleteDataset(ctx: StoreContext, id: number): boolean {
  ctx.writable();
  const used = (ctx.stmt('SELECT count(*) AS n FROM runs WHERE dataset_id = ?').get(id) as { n: number }).n;
  if (used > 0) throw new StoreError('IN_USE', `dataset ${id} is used by ${used} run(s); delete those runs first`, ctx.path);
  return ctx.stmt('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
}

/** Number of runs per dataset id (datasets without runs are absent). */
export function runCountsByDataset(ctx: StoreContext): Map<number, number> {
  const rows = ctx
    .stmt('SELECT dataset_id AS id, count(*) AS n FROM runs WHERE dataset_id IS NOT NULL GROUP BY dataset_id')
    .all() as { id: number; n: number }[];
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Store a dataset's pilot-study result, replacing the previous one. */
export function setDatasetPilot(ctx: StoreContext, datasetId: number, input: PilotInput): PilotRecord {
  ctx.writable();
  if (!input.ks.every((k) => Number.isInteger(k) && k > 0)) throw new StoreError('INVALID_INPUT', `pilot of dataset ${datasetId}: ks must be positive integers`);
  if (!input.fingerprint) throw new StoreError('INVALID_INPUT', `pilot of dataset ${datasetId}: fingerprint must not be empty`);
  if (!(input.seconds >= 0)) throw new StoreError('INVALID_INPUT', `pilot of dataset ${datasetId}: seconds must be a non-negative number`);
  return ctx.tx(() => {
    if (!ctx.stmt('SELECT 1 FROM datasets WHERE id = ?').get(datasetId)) throw new StoreError('NOT_FOUND', `dataset ${datasetId} not found`, ctx.path);
    const row = ctx
      .stmt(
        `INSERT INTO dataset_pilots (dataset_id, fingerprint, ks, modalities, seconds, at) VALUES (@id, @fingerprint, @ks, @modalities, @seconds, @at)
         ON CONFLICT(dataset_id) DO UPDATE SET fingerprint = excluded.fingerprint, ks = excluded.ks,
           modalities = excluded.modalities, seconds = excluded.seconds, at = excluded.at
         RETURNING *`,
      )
      .get({ id: datasetId, fingerprint: input.fingerprint, ks: JSON.stringify(input.ks), modalities: JSON.stringify(input.modalities), seconds: input.seconds, at: Date.now() }) as PilotRow;
    return mapPilot(row);
  });
}

/** The stored pilot-study result of a dataset, or null (never computed). */
export function getDatasetPilot(ctx: StoreContext, datasetId: number): PilotRecord | null {
  const row = ctx.stmt('SELECT * FROM dataset_pilots WHERE dataset_id = ?').get(datasetId) as PilotRow | undefined;
  return row ? mapPilot(row) : null;
}
