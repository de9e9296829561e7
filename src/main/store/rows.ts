// Row shapes of the run store's tables and their mapping to the public records (types.ts):
// integer-millisecond timestamps become ISO strings, JSON columns are parsed.
import type {
  ArtifactRecord,
  DatasetRecord,
  EpochRecord,
  EvalSplit,
  EvaluationRecord,
  PilotRecord,
  RunRecord,
  RunStatus,
  SplitSetting,
} from './types';

export interface DatasetRow {
  id: number;
  name: string;
  source_paths: string;
  layout: string;
  setting: SplitSetting;
  modalities: string;
  stats: string;
  fingerprint: string;
  created_at: number;
  updated_at: number;
  warnings: string;
  items_root: string | null;
}

export interface PilotRow {
  dataset_id: number;
  fingerprint: string;
  ks: string;
  modalities: string;
  seconds: number;
  at: number;
}

export interface RunRow {
  id: number;
  name: string;
  dataset_id: number | null;
  dataset_fingerprint: string | null;
  model: string;
  preset: string | null;
  config: string;
  backend: string | null;
  seed: number | null;
  app_version: string | null;
  status: RunStatus;
  error: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  wall_seconds: number | null;
  best_epoch: number | null;
  pid: number | null;
  host: string | null;
  heartbeat_at: number | null;
  parent_run_id: number | null;
  tags: string;
  notes: string | null;
}

export interface EpochRow {
  run_id: number;
  epoch: number;
  losses: string;
  metrics: string | null;
  seconds: number | null;
  at: number;
}

export interface EvaluationRow {
  id: number;
  run_id: number;
  split: EvalSplit;
  setting: SplitSetting;
  k: number;
  metric: string;
  value: number | null;
  epoch: number | null;
  at: number;
}

export interface ArtifactRow {
  id: number;
  run_id: number;
  kind: string;
  name: string;
  format: string;
  epoch: number | null;
  path: string | null;
  bytes: number | null;
  shape: string | null;
  meta: string | null;
  created_at: number;
  payload?: Buffer | null;
}

/** Every artifact column but the payload (blobs are read only when asked for). */
export const ARTIFACT_COLS = 'id, run_id, kind, name, format, epoch, path, bytes, shape, meta, created_at';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** JSON that keeps NaN / ±Infinity (losses of a diverged run must survive the round trip). */
export function numbersToJson(o: Record<string, number>): string {
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
export function numbersFromJson(s: string): Record<string, number> {
  const o = JSON.parse(s) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = typeof v === 'number' ? v : v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : Number.NaN;
  }
  return out;
}

export function toBuffer(v: ArrayBufferView): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}

export function mapDataset(r: DatasetRow): DatasetRecord {
  return {
    id: r.id,
    name: r.name,
    sourcePaths: JSON.parse(r.source_paths) as string[],
    layout: r.layout,
    setting: r.setting,
    modalities: JSON.parse(r.modalities) as DatasetRecord['modalities'],
    stats: JSON.parse(r.stats) as DatasetRecord['stats'],
    fingerprint: r.fingerprint,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    warnings: JSON.parse(r.warnings ?? '[]') as string[],
    itemsRoot: r.items_root ?? null,
  };
}

export function mapPilot(r: PilotRow): PilotRecord {
  return {
    datasetId: r.dataset_id,
    fingerprint: r.fingerprint,
    ks: JSON.parse(r.ks) as number[],
    modalities: JSON.parse(r.modalities) as PilotRecord['modalities'],
    seconds: r.seconds,
    at: iso(r.at),
  };
}

export function mapRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    name: r.name,
    datasetId: r.dataset_id,
    datasetFingerprint: r.dataset_fingerprint,
    model: r.model,
    preset: r.preset,
    config: JSON.parse(r.config) as Record<string, unknown>,
    backend: r.backend,
    seed: r.seed,
    appVersion: r.app_version,
    status: r.status,
    error: r.error,
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(r.ended_at),
    wallSeconds: r.wall_seconds,
    bestEpoch: r.best_epoch,
    pid: r.pid,
    host: r.host,
    heartbeatAt: isoOrNull(r.heartbeat_at),
    parentRunId: r.parent_run_id,
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
  };
}

export function mapEpoch(r: EpochRow): EpochRecord {
  return {
    runId: r.run_id,
    epoch: r.epoch,
    losses: numbersFromJson(r.losses),
    metrics: r.metrics === null ? null : numbersFromJson(r.metrics),
    seconds: r.seconds,
    at: iso(r.at),
  };
}

export function mapEvaluation(r: EvaluationRow): EvaluationRecord {
  return {
    id: r.id,
    runId: r.run_id,
    split: r.split,
    setting: r.setting,
    k: r.k,
    metric: r.metric,
    // SQLite stores NaN as NULL.
    value: r.value ?? Number.NaN,
    epoch: r.epoch,
    at: iso(r.at),
  };
}

export function mapArtifact(r: ArtifactRow): ArtifactRecord {
  const rec: ArtifactRecord = {
    id: r.id,
    runId: r.run_id,
    kind: r.kind,
    name: r.name,
    format: r.format,
    path: r.path,
    epoch: r.epoch,
    bytes: r.bytes,
    shape: r.shape === null ? null : (JSON.parse(r.shape) as number[]),
    meta: r.meta === null ? null : (JSON.parse(r.meta) as Record<string, unknown>),
    createdAt: iso(r.created_at),
  };
  if ('payload' in r) rec.payload = r.payload ?? null;
  return rec;
}
