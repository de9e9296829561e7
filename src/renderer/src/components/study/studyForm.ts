// The new-study form as data: its values, the createStudy input they make (only the fields the
// kind uses), the sweepable parameters of a model, and the API's validation message split onto
// the fields it names. Pure functions, so they are tested without a browser.
import { parseStudyValues, type ApiInput, type FieldSpec, type ModelOptions, type Preset, type StudyKind } from '../../../../shared/api';

export interface StudyForm {
  kind: StudyKind;
  dataset: string;
  name: string;
  preset: Preset;
  seeds: number;
  baseSeed: number;
  /** Epoch budget of every cell; '' (or NaN from an emptied number input) = the schedule's own. */
  epochs: number | '';
  /** sweep: the model whose hyperparameter is varied. */
  model: string;
  param: string;
  /** sweep: comma-separated values. */
  values: string;
  /** compare / coldstart: the models. */
  models: string[];
  parallel: number;
}

/** The form's fields in display order (the keys the API's messages name). */
export const FORM_FIELDS = ['kind', 'dataset', 'name', 'preset', 'seeds', 'baseSeed', 'epochs', 'model', 'param', 'values', 'models', 'parallel'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** Fields the kind shows (and sends). */
export function fieldsOf(kind: StudyKind): FormField[] {
  const common: FormField[] = ['kind', 'dataset', 'name', 'preset', 'seeds', 'baseSeed', 'epochs', 'parallel'];
  if (kind === 'sweep') return [...common, 'model', 'param', 'values'];
  if (kind === 'compare' || kind === 'coldstart') return [...common, 'models'];
  return common;
}

const given = (n: number | '') => typeof n === 'number' && !Number.isNaN(n);

/** The createStudy input of the form: only what the kind uses; empty optional fields left out. */
export function studyInput(f: StudyForm): ApiInput<'createStudy'> {
  const input: ApiInput<'createStudy'> = { kind: f.kind, dataset: f.dataset, preset: f.preset, seeds: f.seeds, baseSeed: f.baseSeed };
  if (f.name.trim()) input.name = f.name.trim();
  if (given(f.epochs)) input.epochs = f.epochs as number;
  if (f.kind === 'sweep') {
    input.model = f.model;
    if (f.param) input.param = f.param;
    const values = parseStudyValues(f.values);
    if (values.length) input.values = values;
  }
  if (f.kind === 'compare' || f.kind === 'coldstart') input.models = [...f.models];
  return input;
}

/** A value a sweep can vary: scalar hyperparameters of the model, then scalar training options. */
export interface SweepParam {
  key: string;
  section: 'model' | 'train';
  field: FieldSpec;
  /** The preset's value: the sweep's reference cell. */
  reference: unknown;
}

const SCALAR = new Set<FieldSpec['type']>(['integer', 'number', 'boolean', 'enum', 'string']);

export function sweepParams(options: ModelOptions | null, model: string, preset: Preset): SweepParam[] {
  const m = options?.models.find((x) => x.model === model);
  if (!options || !m) return [];
  // planStudy reads a key that is both a training option and a hyperparameter as the training option.
  const trainKeys = new Set(options.trainFields.map((f) => f.key));
  return [
    ...m.fields.filter((f) => SCALAR.has(f.type) && !trainKeys.has(f.key)).map((f): SweepParam => ({ key: f.key, section: 'model', field: f, reference: m.defaults[preset][f.key] })),
    ...(m.trainable ? options.trainFields.filter((f) => SCALAR.has(f.type)).map((f): SweepParam => ({ key: f.key, section: 'train', field: f, reference: m.trainDefaults[preset][f.key] })) : []),
  ];
}

/**
 * The API's INVALID_INPUT message ("seeds: expected …; values.1: expected …") split onto the
 * form's fields: each `path: message` part whose first path segment is a shown field (or
 * `trainOverrides.epochs`) goes beside that field; the rest (a variant's own errors, a field the
 * kind does not show) stays a general error.
 */
export function splitErrors(message: string, shown: readonly FormField[]): { byField: Partial<Record<FormField, string>>; other: string[] } {
  const byField: Partial<Record<FormField, string>> = {};
  const other: string[] = [];
  for (const part of message.split(/;\s+(?=[\w.]+: )/)) {
    const m = /^([\w.]+): ([\s\S]*)$/.exec(part.trim());
    const path = m?.[1] ?? '';
    const head = path === 'trainOverrides.epochs' ? 'epochs' : path.split('.')[0];
    const field = (shown as readonly string[]).includes(head) ? (head as FormField) : null;
    if (m && field && !byField[field]) byField[field] = m[2];
    else if (part.trim()) other.push(part.trim());
  }
  return { byField, other };
}

/** Ablation variants of the paper's Table 5 (planStudy leaves out those the base already is). */
const ABLATION_VARIANTS = 6;

/** Variants × seeds the form would plan: exact except an ablation's (at most six variants). */
export function cellEstimate(f: StudyForm, modalities: number, reference: unknown): { variants: number; cells: number; atMost: boolean } {
  const values = parseStudyValues(f.values);
  const variants =
    f.kind === 'ablation'
      ? ABLATION_VARIANTS
      : f.kind === 'modalities'
        ? modalities + 1
        : f.kind === 'sweep'
          ? values.length + (values.some((v) => v === reference) ? 0 : 1)
          : f.models.length;
  const seeds = Number.isInteger(f.seeds) && f.seeds > 0 ? f.seeds : 0;
  return { variants, cells: variants * seeds, atMost: f.kind === 'ablation' };
}
