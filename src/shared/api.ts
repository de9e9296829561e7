// The ONE contract of the workbench API: method names, zod schemas for every input, and the
// response/event types. Imported by main (implementation + transports), preload and renderer,
// so it must stay free of Node, Electron and engine imports.
import { z } from 'zod';

// ------------------------------------------------------------------ vocabularies

export * from './vocabulary';
export * from './records';
export * from './run-page';
export * from './embedding-map';
export * from './studies';
import { runPageSchemas, type RunPageOutputs } from './run-page';
import { embeddingMapSchemas, type EmbeddingMapOutputs } from './embedding-map';
import { studySchemas, type StudyOutputs, type StudyProgress } from './studies';
import type { ArtifactInfo, DoctorReport, EpochInfo, EvaluationInfo, ModalityDiagnosis, RunSummary } from './records';
import { BACKEND_CHOICES, EXPORT_FORMATS, EXPORT_WHATS, RECOMMEND_SPLITS, LAYOUTS, NEIGHBOUR_STAGES, PRESETS, RUN_SORT_KEYS, RUN_STATUSES, SETTINGS, SPLIT_MODES } from './vocabulary';
import type { AppMode, ModelCapabilities, TaskOp, ModelKind, NeighbourStage, Preset, ProgressEvent, RunStatus, Setting, StudyStatus } from './vocabulary';

// ------------------------------------------------------------------ schema helpers

const POS_INT = 'expected a positive integer';
const NONNEG_INT = 'expected an integer ≥ 0';
const posInt = () => z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT });
const nonNegInt = () => z.number({ error: NONNEG_INT }).int({ error: NONNEG_INT }).min(0, { error: NONNEG_INT });
const text = (what: string, max = 4096) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected ${what} of at most ${max} characters` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });
/** A registered dataset: its name or its id. */
const datasetRef = () =>
  z.union([posInt(), text('a dataset name or id', 200)], { error: 'expected a dataset name or a positive integer id' });
const overrides = (what: string) =>
  z.record(z.string(), z.unknown(), { error: `expected an object of ${what} (name → value)` }).default({});
const empty = z.object({}).strict().optional();

// ------------------------------------------------------------------ input schemas (one per method)

const startRunSchema = z
  .object({
    dataset: datasetRef(),
    /** Checked against the model registry by the service (the contract lists no models). */
    model: text('a model name', 100).default('micro'),
    preset: oneOf(PRESETS).default('paper'),
    seed: nonNegInt().default(123),
    name: text('a run name', 200).optional(),
    modelOverrides: overrides('model hyperparameters'),
    trainOverrides: overrides('training options'),
    /** TF.js backend of the training worker: `auto` (default) or one forced by name. */
    backend: oneOf(BACKEND_CHOICES).optional(),
  })
  .strict();


export const apiSchemas = {
  appInfo: empty,
  /** TF.js backends that work here, the WebGPU adapter, and a matMul throughput per backend (in a task worker). */
  doctor: z
    .object({ seconds: z.number({ error: 'expected a number of seconds between 0.1 and 10' }).min(0.1, { error: 'expected a number of seconds between 0.1 and 10' }).max(10, { error: 'expected a number of seconds between 0.1 and 10' }).default(1) })
    .strict()
    .optional(),
  listDatasets: empty,
  importDataset: z
    .object({
      path: text('a folder or file path'),
      name: text('a dataset name', 200).optional(),
      layout: oneOf(LAYOUTS).default('auto'),
      setting: oneOf(SETTINGS).optional(),
    })
    .strict(),
  datasetInfo: z.object({ dataset: datasetRef() }).strict(),
  splitDataset: z
    .object({
      dataset: datasetRef(),
      mode: oneOf(SPLIT_MODES),
      name: text('a dataset name', 200).optional(),
      /** Folder for the new LATTICE split; default: next to the run store. */
      out: text('a folder path').optional(),
      seed: nonNegInt().default(123),
    })
    .strict(),
  diagnoseDataset: z
    .object({
      dataset: datasetRef(),
      ks: z.array(posInt(), { error: 'expected a list of positive integers' }).min(1).max(10).default([5, 10, 15, 20]),
    })
    .strict(),
  deleteDataset: z.object({ dataset: datasetRef() }).strict(),
  /** Dataset tasks in flight (import, split, pilot studies, loading an index). */
  listTasks: empty,
  cancelTask: z.object({ taskId: posInt() }).strict(),
  modelOptions: empty,
  validateRun: startRunSchema,
  listRuns: z
    .object({
      status: z.array(oneOf(RUN_STATUSES)).optional(),
      model: z.array(text('a model name', 100)).optional(),
      datasetId: posInt().optional(),
      search: z.string().max(200).optional(),
      sortBy: oneOf(RUN_SORT_KEYS).default('id'),
      order: oneOf(['asc', 'desc'] as const).default('desc'),
    })
    .strict()
    .optional(),
  getRun: z.object({ runId: posInt() }).strict(),
  startRun: startRunSchema,
  cancelRun: z.object({ runId: posInt() }).strict(),
  resumeRun: z.object({ runId: posInt() }).strict(),
  /** `force` also deletes a run recorded as running by another process (one this service trains is refused). */
  deleteRun: z.object({ runId: posInt(), force: z.boolean({ error: 'expected true or false' }).default(false) }).strict(),
  renameRun: z.object({ runId: posInt(), name: text('a non-empty name', 200) }).strict(),
  activeRuns: empty,
  compareRuns: z
    .object({ runIds: z.array(posInt(), { error: 'expected a list of run ids' }).min(1, { error: 'expected at least one run id' }).max(8, { error: 'compare at most 8 runs' }) })
    .strict(),
  itemNeighbours: z
    .object({
      runId: posInt(),
      item: nonNegInt(),
      /** One modality, or every modality when omitted. */
      modality: text('a modality name', 100).optional(),
      stage: oneOf(NEIGHBOUR_STAGES).default('combined'),
    })
    .strict(),
  itemAttention: z.object({ runId: posInt(), item: nonNegInt() }).strict(),
  /** Initial ↔ learned neighbours of one item per modality, modality agreement, dataset means. */
  itemGraphDiff: z.object({ runId: posInt(), item: nonNegInt() }).strict(),
  attentionDistribution: z
    .object({
      runId: posInt(),
      bins: z.number({ error: 'expected an integer between 2 and 100' }).int({ error: 'expected an integer between 2 and 100' }).min(2, { error: 'expected an integer between 2 and 100' }).max(100, { error: 'expected an integer between 2 and 100' }).default(20),
      /** Items listed at each end of every column's distribution. */
      tail: z.number({ error: 'expected an integer between 0 and 50' }).int({ error: 'expected an integer between 0 and 50' }).min(0, { error: 'expected an integer between 0 and 50' }).max(50, { error: 'expected an integer between 0 and 50' }).default(5),
    })
    .strict(),
  userView: z
    .object({
      runId: posInt(),
      user: nonNegInt(),
      k: z.number({ error: 'expected an integer between 1 and 100' }).int({ error: 'expected an integer between 1 and 100' }).min(1, { error: 'expected an integer between 1 and 100' }).max(100, { error: 'expected an integer between 1 and 100' }).default(10),
    })
    .strict(),
  exportRun: z
    .object({
      runId: posInt(),
      what: oneOf(EXPORT_WHATS),
      format: oneOf(EXPORT_FORMATS).default('csv'),
      /** Embedding table (item_final, user_final, item_id, user_id, h_<modality>, h_shared, ...). */
      embedding: text('an embedding name', 100).optional(),
      /** Recommendations: top-K per user (1-1000). */
      k: z.number({ error: 'expected an integer between 1 and 1000' }).int({ error: 'expected an integer between 1 and 1000' }).min(1, { error: 'expected an integer between 1 and 1000' }).max(1000, { error: 'expected an integer between 1 and 1000' }).default(20),
      /** Recommendations: users with test items (train masked), or all users (every known interaction masked). */
      split: oneOf(RECOMMEND_SPLITS).default('test'),
    })
    .strict(),
  /** Item metadata of a dataset: FTS5 search over titles and categories (prefix per word), or all items by id. */
  searchItems: z
    .object({
      dataset: datasetRef(),
      query: z.string({ error: 'expected a search text' }).max(200, { error: 'expected a search text of at most 200 characters' }).default(''),
      limit: z.number({ error: 'expected an integer between 1 and 1000' }).int({ error: 'expected an integer between 1 and 1000' }).min(1, { error: 'expected an integer between 1 and 1000' }).max(1000, { error: 'expected an integer between 1 and 1000' }).default(50),
      offset: nonNegInt().default(0),
    })
    .strict(),
  /** An item's thumbnail (from its metadata's image path, confined to the dataset folder). */
  itemImage: z.object({ dataset: datasetRef(), item: nonNegInt() }).strict(),
  ...runPageSchemas,
  ...embeddingMapSchemas,
  ...studySchemas,
} as const;

export type ApiMethodName = keyof typeof apiSchemas;
export const API_METHODS = Object.keys(apiSchemas) as ApiMethodName[];
export type ApiInput<M extends ApiMethodName> = z.input<(typeof apiSchemas)[M]>;
export type ApiParsed<M extends ApiMethodName> = z.output<(typeof apiSchemas)[M]>;
export type StartRunInput = z.input<typeof startRunSchema>;

export function isApiMethod(name: string): name is ApiMethodName {
  return Object.prototype.hasOwnProperty.call(apiSchemas, name);
}

/** "runId: expected a positive integer; item: expected an integer ≥ 0" */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  // First problem per field only: zod reports e.g. "not an array" and then "too long" for one value.
  const byField = new Map<string, string>();
  for (const i of issues) {
    const where = i.path.length ? i.path.map(String).join('.') : 'input';
    if (!byField.has(where)) byField.set(where, `${where}: ${i.message}`);
  }
  return [...byField.values()].join('; ');
}

/** INVALID_INPUT: the call's arguments or a dataset's files (the message names which);
 * CANCELLED: the caller (or shutdown) stopped the work; LIMIT: the work hit a time or memory bound. */
export type ApiErrorCode = 'INVALID_INPUT' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'CANCELLED' | 'LIMIT' | 'FAILED';

/** An error every transport carries as { code, message } and the renderer shows as-is. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Parse one method's input; throws ApiError('INVALID_INPUT') with a readable message. */
export function parseInput<M extends ApiMethodName>(method: M, input: unknown): ApiParsed<M> {
  const r = apiSchemas[method].safeParse(input);
  if (!r.success) throw new ApiError('INVALID_INPUT', formatIssues(r.error.issues));
  return r.data as ApiParsed<M>;
}

/** Wire format of one call's outcome (IPC and HTTP). */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: { code: ApiErrorCode; message: string } };

// ------------------------------------------------------------------ response types

export interface AppInfo {
  version: string;
  mode: AppMode;
  storePath: string;
  platform: string;
  modelKinds: readonly ModelKind[];
}

export interface DatasetStats {
  users: number;
  items: number;
  interactions: { train: number; val: number; test: number };
  density: number;
  coldItems: number;
  usersWithoutTrain?: number;
}

export interface DatasetSummary {
  id: number;
  name: string;
  layout: string;
  setting: Setting;
  sourcePaths: string[];
  modalities: { name: string; dim: number }[];
  stats: DatasetStats;
  fingerprint: string;
  createdAt: string;
  /** Runs recorded on this dataset. */
  runCount: number;
}

export interface DatasetInfo extends DatasetSummary {
  sourceExists: boolean;
  /** The import's warnings (file, line, problem), as stored with the dataset. */
  warnings: string[];
  /** Items with a metadata row (title, category, image, …). */
  itemsWithMetadata: number;
  /** The last pilot-study result (diagnoseDataset stores it), null if never computed on these files. */
  pilot: DatasetPilot | null;
}

/** A pilot-study result as stored with its dataset. */
export interface DatasetPilot {
  /** The ks of the similar-pair study, as computed (a small dataset trims the defaults). */
  ks: number[];
  modalities: ModalityDiagnosis[];
  seconds: number;
  /** When it was computed (ISO 8601). */
  at: string;
}

/** An item's metadata (from the dataset's items file); absent fields are left out. */
export interface ItemMeta {
  title?: string;
  category?: string;
  /** Image path relative to the dataset folder; fetch the bytes with itemImage. */
  image?: string;
}

export interface ItemRow extends ItemMeta {
  item: number;
  /** Free metadata columns of the items file. */
  meta?: Record<string, string | number | boolean | null>;
}

export interface ItemSearchResult {
  dataset: string;
  /** Items with metadata in the dataset (search or not). */
  total: number;
  items: ItemRow[];
}

export interface ItemImage {
  item: number;
  /** Relative to the dataset folder. */
  path: string;
  mime: string;
  size: number;
  /** base64 bytes. */
  data: string;
}


/** Also stored with the dataset (datasetInfo's `pilot`), replacing the previous result. */
export interface DiagnoseResult extends DatasetPilot {
  dataset: string;
}

export interface RunDetails {
  run: RunSummary;
  config: Record<string, unknown>;
  epochs: EpochInfo[];
  evaluations: EvaluationInfo[];
  /** Final evaluations only (best epoch / after training). */
  final: EvaluationInfo[];
  artifacts: ArtifactInfo[];
  /** Modalities with stored neighbour graphs (MICRO runs). */
  graphModalities: string[];
  embeddings: string[];
  hasAttention: boolean;
  /** Items and users of the run's dataset (when known). */
  nItems: number | null;
  nUsers: number | null;
}

export interface FieldSpec {
  key: string;
  type: 'integer' | 'number' | 'boolean' | 'enum' | 'string' | 'string[]' | 'integer[]';
  options?: string[];
  min?: number;
  max?: number;
  /** Strict lower bound (value must be > exclusiveMin). */
  exclusiveMin?: number;
  /** Strict upper bound. */
  exclusiveMax?: number;
  pattern?: string;
  help?: string;
  group?: string;
}

export interface ModelOption {
  model: ModelKind;
  label: string;
  description: string;
  /** Trained by gradient descent (epochs, progress curves) vs fitted in one pass. */
  trainable: boolean;
  capabilities: ModelCapabilities;
  fields: FieldSpec[];
  /** Resolved model hyperparameters per preset. */
  defaults: Record<Preset, Record<string, unknown>>;
  /** Resolved training options per preset. */
  trainDefaults: Record<Preset, Record<string, unknown>>;
}

export interface ModelOptions {
  models: ModelOption[];
  trainFields: FieldSpec[];
}

export interface ValidateResult {
  ok: boolean;
  /** One line per issue, `field: message` (for display). */
  errors: string[];
  /** The same issues, structured. */
  issues: { field: string; message: string }[];
  /** The fully resolved configuration when ok. */
  resolved?: { model: string; preset: string; seed: number; modelConfig: Record<string, unknown>; train: Record<string, unknown> };
}

/** A training worker's progress event as the API streams it. */
export interface ProgressInfo extends ProgressEvent {
  /** 0..1 over the whole run, when known. */
  fraction?: number;
}

export interface ActiveRun {
  runId: number;
  name: string;
  model: string;
  startedAt: string | null;
  progress: ProgressInfo | null;
}

export interface CompareRow {
  split: 'val' | 'test';
  setting: Setting;
  metric: string;
  k: number;
  /** One value per run, in the order of `runs`; null when the run has none. */
  values: (number | null)[];
}

export interface CompareResult {
  runs: RunSummary[];
  rows: CompareRow[];
  curves: { runId: number; epochs: EpochInfo[] }[];
}

export interface NeighbourInfo extends ItemMeta {
  item: number;
  weight: number;
  cold: boolean;
  label?: string;
}

export interface ItemNeighbours extends ItemMeta {
  runId: number;
  item: number;
  label?: string;
  cold: boolean;
  nItems: number;
  stage: NeighbourStage;
  /** Neighbours strongest first. */
  modalities: { modality: string; neighbours: NeighbourInfo[] }[];
  /** k of the initial and learned graphs (the combined graph has up to 2k), and the run's λ
   *  (weight of the initial graph in eq. 5), when known. */
  k: number | null;
  lambda: number | null;
  /** Largest stored edge weight of the run (all modalities and stages): one scale for widths. */
  weightMax: number;
  /** The dataset's most frequent categories (stable colours), most frequent first. */
  categories: string[];
}

export interface DiffNeighbour extends ItemMeta {
  item: number;
  cold: boolean;
  /** Edge weight in the initial / learned graph; null when the edge is not there. */
  initial: number | null;
  learned: number | null;
}

export interface ModalityDiff {
  modality: string;
  /** Union of both lists, strongest combined first; status follows from which weight is null. */
  neighbours: DiffNeighbour[];
  kept: number;
  gained: number;
  lost: number;
  /** |initial ∩ learned| / |initial ∪ learned| (the item itself left out). */
  jaccard: number;
}

export interface ModalityAgreement {
  stage: NeighbourStage;
  a: string;
  b: string;
  /** Neighbours both modalities list for this item. */
  shared: number[];
  jaccard: number;
}

export interface GraphSummary {
  /** Mean over all items of Jaccard(initial, learned) and of |kept|, per modality. */
  modalities: { modality: string; meanJaccard: number; meanKept: number }[];
  /** Mean over all items of the Jaccard between two modalities' lists, per stage. */
  agreement: { stage: NeighbourStage; a: string; b: string; meanJaccard: number }[];
}

export interface ItemGraphDiff {
  runId: number;
  item: number;
  k: number | null;
  lambda: number | null;
  modalities: ModalityDiff[];
  agreement: ModalityAgreement[];
  summary: GraphSummary;
}

export interface AttentionVector {
  columns: string[];
  values: number[];
}

export interface ItemAttention {
  runId: number;
  item: number;
  cold: boolean;
  /** α over modalities (eq. 7), or null when the run has no fusion attention. */
  modality: AttentionVector | null;
  /** Shared vs specific weights, or null when the run has none. */
  sharedSpecific: AttentionVector | null;
}

export interface AttentionTail extends ItemMeta {
  item: number;
  value: number;
}

export interface Histogram {
  column: string;
  /** bins + 1 edges over [min, max] of the chart's data (all its columns). */
  edges: number[];
  counts: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  /** The items with the smallest / largest values, extremes first. */
  low: AttentionTail[];
  high: AttentionTail[];
}

export interface AttentionDistribution {
  runId: number;
  nItems: number;
  modality: Histogram[] | null;
  sharedSpecific: Histogram[] | null;
}

export interface Explanation {
  modality: string;
  /** History items linked to the recommendation in the combined item graph, strongest first. */
  via: { item: number; weight: number }[];
}

/** A MICRO score split into its parts (eq. 17): they sum to `score` up to `residual`. */
export interface ScoreParts {
  /** x̃_uᵀx̃_i: the CF backbone's (ID embedding) part. */
  cf: number;
  /** Each modality's item-graph part (its share of ĥ_i and ĥ_u). */
  modalities: { modality: string; value: number }[];
  residual: number;
}

export interface Recommendation extends ItemMeta {
  rank: number;
  item: number;
  label?: string;
  score: number;
  /** MICRO runs; null for models without item-graph parts. */
  parts: ScoreParts | null;
  cold: boolean;
  /** The item is one of the user's held-out validation / test items. */
  heldOut: 'val' | 'test' | null;
  explanations: Explanation[];
}

export interface UserView {
  runId: number;
  user: number;
  label?: string;
  nUsers: number;
  history: ({ item: number; label?: string; cold: boolean } & ItemMeta)[];
  heldOut: { val: number[]; test: number[] };
  recommendations: Recommendation[];
}

export interface ExportFile {
  name: string;
  mime: string;
  size: number;
  /** base64 bytes (browser mode: the renderer downloads them). */
  data?: string;
  /** Where the file was saved (Electron: chosen in a save dialog). */
  savedTo?: string;
}

export interface ExportResult {
  files: ExportFile[];
  /** Electron: the user closed the save dialog. */
  cancelled?: boolean;
}

/** A dataset task running in a worker thread. */
export interface TaskInfo {
  id: number;
  op: TaskOp;
  label: string;
  startedAt: string;
}

/** Output type of every method. */
export interface ApiOutputs extends RunPageOutputs, EmbeddingMapOutputs, StudyOutputs {
  appInfo: AppInfo;
  doctor: DoctorReport;
  listDatasets: DatasetSummary[];
  importDataset: DatasetInfo;
  datasetInfo: DatasetInfo;
  splitDataset: DatasetInfo;
  diagnoseDataset: DiagnoseResult;
  deleteDataset: { deleted: boolean };
  listTasks: TaskInfo[];
  cancelTask: { cancelled: boolean };
  modelOptions: ModelOptions;
  validateRun: ValidateResult;
  listRuns: RunSummary[];
  getRun: RunDetails;
  startRun: { runId: number };
  cancelRun: { cancelled: boolean };
  resumeRun: { runId: number };
  deleteRun: { deleted: boolean };
  renameRun: RunSummary;
  activeRuns: ActiveRun[];
  compareRuns: CompareResult;
  itemNeighbours: ItemNeighbours;
  itemAttention: ItemAttention;
  itemGraphDiff: ItemGraphDiff;
  attentionDistribution: AttentionDistribution;
  userView: UserView;
  exportRun: ExportResult;
  searchItems: ItemSearchResult;
  itemImage: ItemImage;
}

type Exact<T extends Record<ApiMethodName, unknown>> = T;
// Compile-time check: every method has an output type and vice versa.
export type _CheckOutputs = Exact<ApiOutputs> & Record<Exclude<keyof ApiOutputs, ApiMethodName>, never>;

export type ApiOutput<M extends ApiMethodName> = ApiOutputs[M];

/** The API as seen by callers: one async function per method. */
export type MicroApi = {
  [M in ApiMethodName]: undefined extends ApiInput<M> ? (input?: ApiInput<M>) => Promise<ApiOutput<M>> : (input: ApiInput<M>) => Promise<ApiOutput<M>>;
};

// ------------------------------------------------------------------ events

export type ApiEvent =
  | { type: 'progress'; runId: number; progress: ProgressInfo }
  | { type: 'run-updated'; runId: number; status: RunStatus; error: string | null }
  | { type: 'runs-changed' }
  | { type: 'datasets-changed' }
  | { type: 'tasks-changed' }
  | { type: 'study-updated'; studyId: number; status: StudyStatus; progress: StudyProgress };

/** What the preload script exposes on window.microApi. */
export interface PreloadBridge {
  call<M extends ApiMethodName>(method: M, input: ApiInput<M> | undefined): Promise<ApiResult<ApiOutput<M>>>;
  /** Subscribe to API events; returns an unsubscribe function. */
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './channels';

/** Progress of a run as a 0..1 fraction, from epoch and batch counters. */
export function progressFraction(p: ProgressInfo): number | undefined {
  if (!p.epochs || !p.epoch) return undefined;
  const within = p.batch && p.batches ? p.batch / p.batches : p.phase === 'train' ? 0 : 1;
  return Math.min(1, Math.max(0, (p.epoch - 1 + within) / p.epochs));
}
