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
