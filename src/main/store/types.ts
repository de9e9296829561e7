// Public record types of the run store. Pure types: no electron, no engine imports.
// Timestamps are ISO-8601 strings (UTC) in records; the database keeps integer milliseconds.

// The vocabularies are defined once, in the shared contract (plain constants, no zod).
import { RUN_STATUSES, type NeighbourStage, type RunStatus, type Setting } from '../../shared/vocabulary';
import type { EpochInfo, ModalityDiagnosis, RunCore } from '../../shared/records';

export { RUN_STATUSES, type NeighbourStage, type RunStatus };
export type SplitSetting = Setting;
export type EvalSplit = 'val' | 'test';

// Run lifecycle: `interrupted` = the owning process died (or stopped heart-beating) while `running`.
/** Statuses a run can be finished with. */
export type FinishStatus = 'completed' | 'failed' | 'cancelled';

/** A model of the engine's registry (the store accepts any name: runs outlive models). */
export type ModelName = string;

/** Known metric names; the nDCG variant is encoded in the name (`ndcg` vs `ndcg_ref`). */
export type MetricName = 'recall' | 'precision' | 'ndcg' | 'ndcg_ref' | 'hit' | 'map' | 'mrr' | (string & {});

/** Known artifact kinds; any other string is accepted. */
export type ArtifactKind = 'checkpoint' | 'embeddings' | 'neighbours' | 'attention' | 'scores' | (string & {});


export interface ModalityInfo {
  name: string;
  dim: number;
}

export interface DatasetStatsInfo {
  users: number;
  items: number;
  interactions: { train: number; val: number; test: number };
  density: number;
  coldItems: number;
  [extra: string]: unknown;
}

export interface DatasetInput {
  name: string;
  sourcePaths: readonly string[];
  layout: string;
  setting: SplitSetting;
  modalities: readonly ModalityInfo[];
  stats: DatasetStatsInfo;
  fingerprint: string;
}

export interface DatasetRecord {
  id: number;
  name: string;
  sourcePaths: string[];
  layout: string;
  setting: SplitSetting;
  modalities: ModalityInfo[];
  stats: DatasetStatsInfo;
  fingerprint: string;
  createdAt: string;
  updatedAt: string;
  /** What the last import (or split) warned about: file + line + problem, one per entry. */
  warnings: string[];
  /** Folder that item image paths are relative to (null: no item metadata). */
  itemsRoot: string | null;
}

/** A pilot-study result (paper §2.2) to store with its dataset. */
export interface PilotInput {
  /** Fingerprint of the dataset's data the study was computed on. */
  fingerprint: string;
  /** The ks of the similar-pair study, as computed. */
  ks: readonly number[];
  modalities: readonly ModalityDiagnosis[];
  seconds: number;
}

export interface PilotRecord {
  datasetId: number;
  /** The dataset's fingerprint when it was computed (a re-import with other data differs). */
  fingerprint: string;
  ks: number[];
  modalities: ModalityDiagnosis[];
  seconds: number;
  at: string;
}

/** One item's metadata as stored (dense item id of its dataset). */
export interface ItemRecord {
  item: number;
  title: string | null;
  category: string | null;
  /** Relative to the dataset's itemsRoot, '/'-separated. */
  image: string | null;
  meta: Record<string, string | number | boolean | null> | null;
}

export interface RunInput {
  /** Defaults to `<model>-<id>`. */
  name?: string;
  datasetId?: number | null;
  /** Defaults to the dataset's current fingerprint when datasetId is given. */
  datasetFingerprint?: string | null;
  model: ModelName;
  preset?: string | null;
  /** Every resolved hyperparameter. */
  config?: Record<string, unknown>;
  backend?: string | null;
  seed?: number | null;
  /** Defaults to the appVersion given to RunStore.open. */
  appVersion?: string | null;
  /** The run this one resumes from. */
  parentRunId?: number | null;
  tags?: readonly string[];
  notes?: string | null;
}

export interface RunRecord extends RunCore {
  datasetFingerprint: string | null;
  model: ModelName;
  config: Record<string, unknown>;
  appVersion: string | null;
  /** Process that runs / ran it, and the host it ran on. */
  pid: number | null;
  host: string | null;
  heartbeatAt: string | null;
  tags: string[];
  notes: string | null;
}

export interface EpochInput {
  epoch: number;
  /** Named loss parts, e.g. { bpr, contrastive, reg, total }. NaN / ±Infinity are preserved. */
  losses: Record<string, number>;
  /** Validation metrics of this epoch (e.g. { 'recall@20': 0.08 }), or null when not evaluated. */
  metrics?: Record<string, number> | null;
  seconds?: number | null;
  /** Epoch-millis; defaults to now. */
  at?: number;
}

export interface EpochRecord extends EpochInfo {
  runId: number;
}

export interface EvaluationInput {
  split: EvalSplit;
  setting: SplitSetting;
  k: number;
  metric: MetricName;
  value: number;
  /** Epoch the value belongs to; null / omitted = final evaluation. */
  epoch?: number | null;
  at?: number;
}

export interface EvaluationRecord {
  id: number;
  runId: number;
  split: EvalSplit;
  setting: SplitSetting;
  k: number;
  metric: MetricName;
  value: number;
  epoch: number | null;
  at: string;
}

export interface ArtifactInput {
  kind: ArtifactKind;
  name: string;
  /** e.g. 'f32', 'i32', 'json', 'tfjs-weights', 'micro-ckpt-v1'. */
  format: string;
  /** Inline bytes; either payload or path must be given. */
  payload?: ArrayBufferView | null;
  /** External file instead of an inline blob. */
  path?: string | null;
  epoch?: number | null;
  shape?: readonly number[] | null;
  meta?: Record<string, unknown> | null;
}

export interface ArtifactRecord {
  id: number;
  runId: number;
  kind: ArtifactKind;
  name: string;
  format: string;
  path: string | null;
  epoch: number | null;
  /** Size of the inline payload in bytes (null for path artifacts). */
  bytes: number | null;
  shape: number[] | null;
  meta: Record<string, unknown> | null;
  createdAt: string;
  /** Present only when asked for (`{ payload: true }`) — blobs can be large. */
  payload?: Buffer | null;
}

export interface CheckpointInput {
  /** Serialized weights; opaque bytes to the store. */
  payload: ArrayBufferView;
  format?: string;
  /** Defaults to `epoch-<n>`. */
  name?: string;
  shape?: readonly number[] | null;
  meta?: Record<string, unknown> | null;
}

export interface RecordEpochOptions {
  /** Evaluation rows written in the same transaction. */
  evaluations?: readonly EvaluationInput[];
  /** Update runs.best_epoch in the same transaction. */
  bestEpoch?: number | null;
  /**
   * Prune older checkpoints of the run in the same transaction: keep the newest `last`
   * (including the one just written) and, with keepBest, the best epoch's checkpoint.
   */
  retainCheckpoints?: { last: number; keepBest?: boolean };
}

export interface RecordEpochResult {
  epoch: EpochRecord;
  checkpoint: ArtifactRecord | null;
  /** Checkpoint artifacts removed by retainCheckpoints. */
  pruned: number;
}

export interface ResumeInfo {
  run: RunRecord;
  /** The newest checkpoint, payload included. */
  checkpoint: ArtifactRecord & { payload: Buffer | null };
  /** Epoch of that checkpoint: training resumes at checkpointEpoch + 1. */
  checkpointEpoch: number;
  /** Last epoch recorded in the epochs table (may be > checkpointEpoch). */
  lastRecordedEpoch: number | null;
}

export type RunSortKey =
  | 'id'
  | 'name'
  | 'createdAt'
  | 'startedAt'
  | 'endedAt'
  | 'status'
  | 'model'
  | 'wallSeconds'
  | 'bestEpoch';

/** Sort by a stored evaluation value (final evaluation preferred, else the latest epoch's). */
export interface MetricSort {
  metric: MetricName;
  k: number;
  split?: EvalSplit;
  setting?: SplitSetting;
}

export interface ListRunsOptions {
  status?: RunStatus | readonly RunStatus[];
  model?: string | readonly string[];
  datasetId?: number;
  tag?: string;
  /** Case-insensitive substring of name or notes. */
  search?: string;
  parentRunId?: number;
  sortBy?: RunSortKey | MetricSort;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface RecoverOptions {
  /** A running run whose heartbeat is older than this is interrupted. Default 10 minutes. */
  staleHeartbeatMs?: number;
  /** Epoch-millis used as "now". */
  now?: number;
}

export interface RecoveredRun {
  id: number;
  reason: 'process-gone' | 'stale-heartbeat';
}

export interface OpenOptions {
  /**
   * true: read-only (never creates, migrates or recovers). 'auto': read-only when the file or
   * its folder is not writable (listing a store on a read-only share), else read-write.
   */
  readonly?: boolean | 'auto';
  /** Run recoverInterruptedRuns() on open (read-write only). Default true. */
  recover?: boolean | RecoverOptions;
  /** Default appVersion for new runs. */
  appVersion?: string;
  /** busy_timeout in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Test hook: PRAGMA max_page_count for this connection, so growing the file fails like a full disk. */
  maxPageCount?: number;
}

/** Whether a run can be resumed, and if not, why (one line naming the run). */
export type ResumeCheck = { ok: true } | { ok: false; reason: string };

/** Statuses a run with a valid checkpoint can be resumed from, whatever stopped it. */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'failed', 'cancelled'];

/** Checkpoint retention of training runs: the newest checkpoint (to resume) and the best epoch's. */
export const DEFAULT_CHECKPOINT_RETENTION = { last: 1, keepBest: true } as const;
