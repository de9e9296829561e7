// Each vocabulary of the workbench, defined once: the API contract re-exports it, the run store
// and the engine import it. Plain constants and types (no zod, no Node), so every side may use it.

/** A model of the engine's registry; the list comes from appInfo / modelOptions at run time. */
export type ModelKind = string;

/** What a model's runs store and the workbench can show for them (the registry's capabilities). */
export interface ModelCapabilities {
  embeddings: boolean;
  graphs: boolean;
  attention: boolean;
  explanations: boolean;
}
export const PRESETS = ['paper', 'reference'] as const;
export type Preset = (typeof PRESETS)[number];
export const LAYOUTS = ['auto', 'lattice', 'mmrec', 'raw'] as const;
export const SETTINGS = ['warm', 'cold'] as const;
export type Setting = (typeof SETTINGS)[number];
export const SPLIT_MODES = ['warm', 'cold', 'carve-test'] as const;
export const NEIGHBOUR_STAGES = ['initial', 'learned', 'combined'] as const;
export type NeighbourStage = (typeof NEIGHBOUR_STAGES)[number];
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const EXPORT_WHATS = ['embeddings', 'graphs', 'metrics', 'attention', 'recommendations'] as const;
export type ExportWhat = (typeof EXPORT_WHATS)[number];
export const EXPORT_FORMATS = ['npy', 'csv', 'projector', 'jsonl'] as const;
/** Users a recommendations export covers: those with test items (train masked), or everyone (every known interaction masked). */
export const RECOMMEND_SPLITS = ['test', 'all'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** TF.js backends, in the order `auto` tries them (webgpu only with a hardware adapter there). */
export const BACKENDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** What a caller may ask for: one backend (forced) or `auto` (the first that works). */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** Kernels of the contrastive loss on CPU (engine/kernels/contrastive): native C built at install, or WebAssembly SIMD. */
export const CONTRASTIVE_KERNELS = ['native', 'wasm'] as const;
export type ContrastiveKernelKind = (typeof CONTRASTIVE_KERNELS)[number];
/** Who is calling the service in-process (appInfo.mode). */
export const APP_MODES = ['electron', 'browser', 'cli'] as const;
export type AppMode = (typeof APP_MODES)[number];
/** Dataset tasks the service runs in bounded workers (listTasks). */
export const TASK_OPS = ['import', 'split', 'diagnose', 'index', 'recommend', 'doctor', 'umap'] as const;
export type TaskOp = (typeof TASK_OPS)[number];
export const RUN_SORT_KEYS = ['id', 'name', 'createdAt', 'startedAt', 'endedAt', 'status', 'model', 'wallSeconds', 'bestEpoch'] as const;

/** Progress of a training run (phase train / validate / evaluate), as the engine reports it. */
export interface ProgressEvent {
  phase: string;
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  losses?: Record<string, number>;
  metrics?: Record<string, number>;
  etaSeconds?: number;
  message?: string;
}

/** Kinds of study (`micro study <kind>`): Table 5 ablations, sensitivity sweeps, single modalities, cold start, model comparison. */
export const STUDY_KINDS = ['ablation', 'sweep', 'modalities', 'coldstart', 'compare'] as const;
export type StudyKind = (typeof STUDY_KINDS)[number];
/** A study's status: `pending` (never started), `running` (a process works its queue), or how its queue last stopped. */
export const STUDY_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];
/** A study cell's status: `pending` (no run yet), else its run's status. */
export const CELL_STATUSES = ['pending', ...RUN_STATUSES] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];
/** Output formats of a study table. */
export const STUDY_TABLE_FORMATS = ['table', 'csv', 'markdown', 'latex'] as const;
export type StudyTableFormat = (typeof STUDY_TABLE_FORMATS)[number];

/**
 * Ranking protocols of an evaluation. `all`: every item is a candidate (the paper's protocol, and
 * the only one of a warm split). `cold-only`: on a cold-start split, only the items without train
 * interactions are candidates. A protocol's metric keys carry its prefix: `recall@20` (all items),
 * `cold-only:recall@20`; |T| is the user's whole held-out list in both.
 */
export const EVAL_PROTOCOLS = ['all', 'cold-only'] as const;
export type EvalProtocol = (typeof EVAL_PROTOCOLS)[number];
export const PROTOCOL_LABELS: Record<EvalProtocol, string> = { all: 'all items ranked', 'cold-only': 'cold candidates only' };

/** `recall@20` under a protocol: unchanged for `all`, `cold-only:recall@20` otherwise. */
export function protocolMetric(protocol: EvalProtocol, key: string): string {
  return protocol === 'all' ? key : `${protocol}:${key}`;
}

/** The protocol of a metric name or key (`cold-only:recall@20` → cold-only, recall@20). */
export function metricProtocol(key: string): { protocol: EvalProtocol; key: string } {
  for (const p of EVAL_PROTOCOLS) if (p !== 'all' && key.startsWith(`${p}:`)) return { protocol: p, key: key.slice(p.length + 1) };
  return { protocol: 'all', key };
}
