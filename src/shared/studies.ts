// Contract of studies (issue 10): a study is a definition (kind, dataset, seeds, budget, base
// overrides, the kind's parameters), its cells (variant × seed, each an ordinary run) and the
// statistics over them. api.ts spreads the schemas into its method table and re-exports the types.
import { z } from 'zod';
import { BACKEND_CHOICES, EVAL_PROTOCOLS, PRESETS, STUDY_KINDS, type CellStatus, type EvalProtocol, type Preset, type Setting, type StudyKind, type StudyStatus } from './vocabulary';

const POS_INT = 'expected a positive integer';
const posInt = () => z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT });
const between = (lo: number, hi: number) => {
  const e = `expected an integer between ${lo} and ${hi}`;
  return z.number({ error: e }).int({ error: e }).min(lo, { error: e }).max(hi, { error: e });
};
const text = (what: string, max: number) =>
  z.string({ error: `expected ${what}` }).trim().min(1, { error: `expected ${what}` }).max(max, { error: `expected ${what} of at most ${max} characters` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` });
const overrides = (what: string) => z.record(z.string(), z.unknown(), { error: `expected an object of ${what} (name → value)` }).default({});
const METRIC = 'expected a metric such as recall@20 (recall, precision, hit or ndcg, @K)';

/** A sweep's values as typed ("0, 5, 10" → numbers, "true,false" → booleans, else strings): `micro study sweep --values` and the Studies form. */
export function parseStudyValues(raw: string): (number | string | boolean)[] {
  return raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x === 'true' ? true : x === 'false' ? false : Number.isNaN(Number(x)) ? x : Number(x)));
}

/** At most this many cells per study (variants × seeds). */
export const MAX_STUDY_CELLS = 400;

export const studySchemas = {
  /** Define a study and its cells (nothing runs until startStudy). */
  createStudy: z
    .object({
      kind: oneOf(STUDY_KINDS),
      dataset: z.union([posInt(), text('a dataset name or id', 200)], { error: 'expected a dataset name or a positive integer id' }),
      name: text('a study name', 200).optional(),
      preset: oneOf(PRESETS).default('paper'),
      /** Number of seeds per variant: base, base + 1, … */
      seeds: between(1, 20).default(3),
      baseSeed: z.number({ error: 'expected an integer ≥ 0' }).int({ error: 'expected an integer ≥ 0' }).min(0, { error: 'expected an integer ≥ 0' }).default(123),
      /** Epoch budget of every cell (the schedule's own when omitted). */
      epochs: between(1, 100_000).optional(),
      /** Applied to every cell (model keys only where the model has them). */
      modelOverrides: overrides('model hyperparameters'),
      trainOverrides: overrides('training options'),
      /** sweep: the hyperparameter and its values (topK = 0: no item graph). */
      param: text('a hyperparameter name', 100).optional(),
      values: z.array(z.union([z.number(), z.string().max(100), z.boolean()], { error: 'expected numbers, strings or booleans' }), { error: 'expected a list of values' }).min(1, { error: 'expected at least one value' }).max(30, { error: 'expected at most 30 values' }).optional(),
      /** compare / coldstart: the models (default: MICRO and every baseline). */
      models: z.array(text('a model name', 100), { error: 'expected a list of model names' }).min(1, { error: 'expected at least one model' }).max(20, { error: 'expected at most 20 models' }).optional(),
      /** The model of an ablation / modalities / sweep study (default micro). */
      model: text('a model name', 100).optional(),
    })
    .strict(),
  /** Run (or resume) a study's queue in this service: pending and unfinished cells, `parallel` at a time. */
  startStudy: z.object({ studyId: posInt(), parallel: between(1, 8).default(1), backend: oneOf(BACKEND_CHOICES).optional() }).strict(),
  /** Stop the queue: running cells are cancelled within a batch (resumable), no new cell starts. */
  cancelStudy: z.object({ studyId: posInt() }).strict(),
  listStudies: z.object({}).strict().optional(),
  getStudy: z.object({ studyId: posInt() }).strict(),
  /** Mean ± std, 95% t-interval over seeds per variant; paired tests against the reference variant, Holm-adjusted. */
  studyTable: z
    .object({
      studyId: posInt(),
      metric: z.string({ error: METRIC }).regex(/^(recall|precision|hit|ndcg)@[1-9]\d{0,3}$/, { error: METRIC }).default('recall@20'),
      split: oneOf(['val', 'test'] as const).default('test'),
      /** Ranking protocol (cold-start splits: `cold-only` ranks the cold candidates only). */
      protocol: oneOf(EVAL_PROTOCOLS).default('all'),
    })
    .strict(),
};

export interface StudyVariant {
  /** Stable key (`full`, `no-fusion`, `topK=20`, `model:lightgcn`, …). */
  key: string;
  label: string;
  model: string;
  modelOverrides: Record<string, unknown>;
  trainOverrides: Record<string, unknown>;
  /** The cell the paired tests compare against. */
  reference: boolean;
}

export interface StudyDefinition {
  kind: StudyKind;
  dataset: string;
  preset: Preset;
  seeds: number[];
  epochs: number | null;
  modelOverrides: Record<string, unknown>;
  trainOverrides: Record<string, unknown>;
  param: string | null;
  values: (number | string | boolean)[] | null;
  models: string[] | null;
  variants: StudyVariant[];
  /** What planning decided (variants left out, a reference value added, keys a model lacks). */
  notes: string[];
}

export interface StudyCell {
  variant: string;
  seed: number;
  position: number;
  runId: number | null;
  status: CellStatus;
  wallSeconds: number | null;
  error: string | null;
}

export interface StudyProgress {
  total: number;
  completed: number;
  running: number;
  failed: number;
  pending: number;
  /** Remaining wall time of the whole study, from the finished cells' wall times (null before any finished and nothing is running). */
  etaSeconds: number | null;
}

export interface StudySummary {
  id: number;
  name: string;
  kind: StudyKind;
  datasetId: number | null;
  datasetName: string;
  setting: Setting | null;
  status: StudyStatus;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  cells: number;
  completed: number;
  /** This service is running its queue now. */
  active: boolean;
}

export interface StudyDetails {
  study: StudySummary;
  definition: StudyDefinition;
  cells: StudyCell[];
  progress: StudyProgress;
}

export interface MetricStat {
  /** Seeds with a value. */
  n: number;
  mean: number | null;
  std: number | null;
  /** 95% t-interval of the mean over seeds. */
  ci: [number, number] | null;
}

export interface PairedTest {
  /** Pairs used (users, or seeds). */
  n: number;
  /** Mean of variant − reference. */
  meanDiff: number | null;
  p: number | null;
  /** Holm-adjusted over the non-reference variants of the table. */
  pHolm: number | null;
  /** exact / normal (Wilcoxon), t (seeds). */
  method: string;
}

export interface StudyRow {
  variant: string;
  label: string;
  reference: boolean;
  /** Completed seeds of this variant (those with the split evaluated). */
  seeds: number;
  metrics: Record<string, MetricStat>;
  /** Per-user paired Wilcoxon signed-rank on the primary metric (users' means over the seeds both cells have). */
  perUser: PairedTest | null;
  /** Paired t-test over the seeds' means of the primary metric. */
  acrossSeeds: PairedTest | null;
}

export interface StudyTable {
  studyId: number;
  name: string;
  kind: StudyKind;
  dataset: string;
  setting: Setting | null;
  split: 'val' | 'test';
  /** Ranking protocol of every value in the table. */
  protocol: EvalProtocol;
  /** The metric the tests use. */
  metric: string;
  /** Metric columns of `rows[].metrics`, in display order. */
  metrics: string[];
  rows: StudyRow[];
  /** How the numbers were computed, and what is missing. */
  notes: string[];
}

export interface StudyOutputs {
  createStudy: StudyDetails;
  startStudy: { studyId: number; started: boolean };
  cancelStudy: { cancelled: boolean };
  listStudies: StudySummary[];
  getStudy: StudyDetails;
  studyTable: StudyTable;
}
