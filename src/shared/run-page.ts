// Contract of the run page, tags / notes and the comparison table (schemas and response shapes);
// api.ts spreads the schemas into its method table and re-exports the types.
import { z } from 'zod';
import type { ArtifactInfo, EpochInfo, EvaluationInfo, RunSummary } from './records';
import type { Setting } from './vocabulary';

const POS_INT = 'expected a positive integer';
const runId = () => z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT });
const TAG = 'expected tags of 1-40 characters (letters, digits, space, . _ : / + -)';

export const runPageSchemas = {
  /** Everything known about one run: resolved configuration and its diff from the preset, provenance, history, metrics. */
  runPage: z.object({ runId: runId() }).strict(),
  /** Replace a run's tags (trimmed, de-duplicated). */
  setRunTags: z
    .object({
      runId: runId(),
      tags: z
        .array(z.string({ error: TAG }).trim().min(1, { error: TAG }).max(40, { error: TAG }).regex(/^[\p{L}\p{N} ._:/+-]+$/u, { error: TAG }), { error: 'expected a list of tags' })
        .max(20, { error: 'expected at most 20 tags' }),
    })
    .strict(),
  /** Replace a run's notes; empty text clears them. */
  setRunNotes: z.object({ runId: runId(), notes: z.string({ error: 'expected a text' }).max(10_000, { error: 'expected notes of at most 10000 characters' }) }).strict(),
  /** Parameter differences and a metric table with warm and cold side by side, grouped by dataset. */
  compareTable: z
    .object({ runIds: z.array(runId(), { error: 'expected a list of run ids' }).min(1, { error: 'expected at least one run id' }).max(8, { error: 'compare at most 8 runs' }) })
    .strict(),
};

/** One resolved hyperparameter next to its preset default. */
export interface ParamEntry {
  section: 'model' | 'train';
  key: string;
  value: unknown;
  /** The preset's value (undefined when the preset has no such key). */
  preset: unknown;
  changed: boolean;
}

export interface RunHistoryEvent {
  at: string;
  event: 'created' | 'started' | 'first epoch' | 'last epoch' | 'ended';
  detail?: string;
}

export interface RunLink {
  id: number;
  name: string;
  status: string;
}

export interface RunPage {
  run: RunSummary;
  tags: string[];
  notes: string | null;
  /** The stored resolved configuration; null for a run recorded without one. */
  resolved: { model: string; preset: string; seed: number } | null;
  /** Every resolved hyperparameter, model ones first, each against the preset. */
  params: ParamEntry[];
  /** What a new run needs to reproduce this one (startRun's overrides: the changed keys). */
  overrides: { modelOverrides: Record<string, unknown>; trainOverrides: Record<string, unknown> };
  /** contrastiveKernels: the CPU kernels of the contrastive loss ("native x86-64-v4 (AVX-512)", "wasm SIMD …"), when recorded. */
  backend: { name: string | null; adapter: Record<string, unknown> | null; contrastiveKernels: string | null };
  dataset: { id: number | null; name: string | null; setting: Setting | null; fingerprint: string | null; registeredFingerprint: string | null; paths: string[] } | null;
  appVersion: string | null;
  host: string | null;
  history: RunHistoryEvent[];
  parent: RunLink | null;
  /** Runs started with this one as their parent. */
  children: RunLink[];
  epochs: EpochInfo[];
  /** Mean seconds per recorded epoch. */
  secondsPerEpoch: number | null;
  /** Peak resident memory of the training worker; null: the store does not record it (yet). */
  peakRssMb: number | null;
  /** Final evaluations (best epoch / after training), val and test, warm and cold. */
  final: EvaluationInfo[];
  artifacts: ArtifactInfo[];
}

export interface CompareColumn {
  key: string;
  setting: Setting;
  split: 'val' | 'test';
  metric: string;
  k: number;
}

export interface CompareCell {
  value: number;
  runId: number;
  /** Highest of its column among runs on the same dataset (never across datasets). */
  best: boolean;
}

/** Runs of one configuration: a warm and a cold run sit in one row. */
export interface CompareTableRow {
  model: string;
  preset: string | null;
  runIds: number[];
  cells: (CompareCell | null)[];
}

export interface CompareTable {
  runIds: number[];
  datasets: { name: string; setting: Setting | null; runIds: number[] }[];
  /** Runs of one setting on more than one dataset: their metrics are not comparable. */
  crossDataset: boolean;
  columns: CompareColumn[];
  /** Rows grouped by the datasets their runs use. */
  groups: { label: string; rows: CompareTableRow[] }[];
  /** Every configuration key with its value per run (text, in runIds order; null: not set). */
  params: { key: string; values: (string | null)[]; differs: boolean }[];
}

export interface RunPageOutputs {
  runPage: RunPage;
  setRunTags: RunSummary;
  setRunNotes: RunSummary;
  compareTable: CompareTable;
}
