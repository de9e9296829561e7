// Plans a study: its variants (what each cell trains) and cells (variant × seed) from the kind,
// the dataset and the registry's models, every variant checked as the worker will resolve it.
// ablation = the paper's Table 5 flags; modalities = each modality alone vs all; sweep = one
// hyperparameter over values (the default value is the reference; topK = 0 is the no-graph
// point); coldstart / compare = a list of models on one protocol (MICRO the reference).
import type { DatasetRecord } from '../store';
import { ApiError, MAX_STUDY_CELLS, type ApiParsed, type ModelOptions, type StudyDefinition, type StudyVariant } from '../../shared/api';
import { validateRunSpec } from './options';

type Input = ApiParsed<'createStudy'>;

/** The paper's Table 5 rows as MICRO flags (the reference row first). */
const ABLATIONS: { key: string; label: string; set: Record<string, unknown> }[] = [
  { key: 'full', label: 'MICRO (full)', set: {} },
  { key: 'no-fusion', label: 'w/o fusion', set: { fusion: false } },
  { key: 'no-specific', label: 'w/o specific', set: { specific: false } },
  { key: 'no-preference', label: 'w/o preference', set: { preference: false } },
  { key: 'feats', label: 'MICRO/feats', set: { propagate: 'features' } },
  { key: 'cf-feats', label: 'CF+feats', set: { cfPlusFeats: true } },
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function planStudy(i: Input, options: ModelOptions, ds: DatasetRecord): Promise<{ definition: StudyDefinition; cells: { variant: string; seed: number }[] }> {
  const notes: string[] = [];
  const known = options.models.map((m) => m.model);
  const optionOf = (model: string, field = 'model') => {
    const o = options.models.find((m) => m.model === model);
    if (!o) throw new ApiError('INVALID_INPUT', `${field}: unknown model "${model}" (expected one of ${known.join(', ')})`);
    return o;
  };
  const trainKeys = new Set(options.trainFields.map((f) => f.key));
  const trainBase = { ...i.trainOverrides, ...(i.epochs !== undefined ? { epochs: i.epochs } : {}) };
  for (const k of Object.keys(trainBase)) if (!trainKeys.has(k)) throw new ApiError('INVALID_INPUT', `trainOverrides.${k}: not a training option (known: ${[...trainKeys].join(', ')})`);
  /** The base model overrides a model has (others are left out, with a note). */
  const baseFor = (model: string): Record<string, unknown> => {
    const fields = new Set(optionOf(model).fields.map((f) => f.key));
    return Object.fromEntries(Object.entries(i.modelOverrides).filter(([k]) => fields.has(k)));
  };
  const variant = (key: string, label: string, model: string, set: Record<string, unknown>, reference: boolean): StudyVariant => {
    const trainSet = Object.fromEntries(Object.entries(set).filter(([k]) => trainKeys.has(k)));
    const modelSet = Object.fromEntries(Object.entries(set).filter(([k]) => !trainKeys.has(k)));
    return { key, label, model, modelOverrides: { ...baseFor(model), ...modelSet }, trainOverrides: { ...trainBase, ...trainSet }, reference };
  };
  const singleModel = (field: string[]): string => {
    const model = i.model ?? 'micro';
    const o = optionOf(model);
    const missing = field.filter((f) => !o.fields.some((x) => x.key === f));
    if (missing.length) throw new ApiError('INVALID_INPUT', `model: a ${i.kind} study needs a model with ${missing.join(', ')} (${model} has none; use micro)`);
    return model;
  };
  let variants: StudyVariant[];
  switch (i.kind) {
    case 'ablation': {
      const model = singleModel(ABLATIONS.flatMap((a) => Object.keys(a.set)));
      const base = { ...optionOf(model).defaults[i.preset], ...baseFor(model) };
      variants = [];
      for (const a of ABLATIONS) {
        if (a.key !== 'full' && Object.entries(a.set).every(([k, v]) => same(base[k], v))) {
          notes.push(`${a.label} left out: the base configuration already has ${Object.entries(a.set).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
          continue;
        }
        variants.push(variant(a.key, a.label, model, a.set, a.key === 'full'));
      }
      break;
    }
    case 'modalities': {
      const model = singleModel(['modalities']);
      const names = ds.modalities.map((m) => m.name);
      if (names.length < 2) throw new ApiError('INVALID_INPUT', `dataset: a modalities study needs at least two modalities (dataset "${ds.name}" has ${names.join(', ') || 'none'})`);
      variants = [variant('all', `all (${names.join(' + ')})`, model, { modalities: [] }, true), ...names.map((m) => variant(`only:${m}`, `${m} only`, model, { modalities: [m] }, false))];
      break;
    }
    case 'sweep': {
      if (!i.param) throw new ApiError('INVALID_INPUT', 'param: a sweep needs the hyperparameter to vary (e.g. topK)');
      if (!i.values) throw new ApiError('INVALID_INPUT', 'values: a sweep needs the values to try (e.g. [0, 5, 10, 20])');
      const model = i.model ?? 'micro';
      const o = optionOf(model);
      const isTrain = trainKeys.has(i.param);
      if (!isTrain && !o.fields.some((f) => f.key === i.param)) {
        throw new ApiError('INVALID_INPUT', `param: ${model} has no hyperparameter "${i.param}" (known: ${[...o.fields.map((f) => f.key), ...trainKeys].join(', ')})`);
      }
      const param = i.param;
      const base: Record<string, unknown> = isTrain ? { ...o.trainDefaults[i.preset], ...trainBase } : { ...o.defaults[i.preset], ...baseFor(model) };
      const def = base[param];
      const values = [...i.values];
      if (!values.some((v) => same(v, def))) {
        values.push(def as number | string | boolean);
        notes.push(`${param}=${String(def)} added: the reference cell is the default value`);
      }
      const label = (v: unknown) => (param === 'topK' && v === 0 ? 'k=0 (no item graph)' : `${param}=${String(v)}`);
      variants = values.map((v) => variant(`${param}=${String(v)}`, label(v), model, { [param]: v }, same(v, def)));
      break;
    }
    case 'coldstart':
    case 'compare': {
      if (i.kind === 'coldstart' && ds.setting !== 'cold') {
        throw new ApiError('INVALID_INPUT', `dataset: a coldstart study needs a cold-start split; "${ds.name}" is ${ds.setting} (import it with setting cold, or split it with mode cold)`);
      }
      const models = [...new Set(i.models ?? known)];
      models.forEach((m) => optionOf(m, 'models'));
      const ref = models.includes('micro') ? 'micro' : models[0];
      variants = models.map((m) => variant(m, optionOf(m).label, m, {}, m === ref));
      const unused = Object.keys(i.modelOverrides).filter((k) => !models.some((m) => optionOf(m).fields.some((f) => f.key === k)));
      if (unused.length) throw new ApiError('INVALID_INPUT', `modelOverrides.${unused[0]}: none of ${models.join(', ')} has it`);
      break;
    }
  }
  if (i.kind !== 'coldstart' && i.kind !== 'compare') {
    const model = variants[0].model;
    const fields = new Set(optionOf(model).fields.map((f) => f.key));
    const unused = Object.keys(i.modelOverrides).filter((k) => !fields.has(k));
    if (unused.length) throw new ApiError('INVALID_INPUT', `modelOverrides.${unused[0]}: ${model} has no such hyperparameter`);
  }
  const seeds = Array.from({ length: i.seeds }, (_, q) => i.baseSeed + q);
  const cells = variants.flatMap((v) => seeds.map((seed) => ({ variant: v.key, seed })));
  if (cells.length > MAX_STUDY_CELLS) throw new ApiError('INVALID_INPUT', `seeds: ${variants.length} variants × ${seeds.length} seeds = ${cells.length} cells (at most ${MAX_STUDY_CELLS})`);
  for (const v of variants) {
    const r = await validateRunSpec({ model: v.model, preset: i.preset, seed: seeds[0], modelOverrides: v.modelOverrides, trainOverrides: v.trainOverrides });
    if (!r.ok) throw new ApiError('INVALID_INPUT', `${v.label}: ${r.errors.join('; ')}`);
  }
  return {
    definition: {
      kind: i.kind,
      dataset: ds.name,
      preset: i.preset,
      seeds,
      epochs: i.epochs ?? null,
      modelOverrides: i.modelOverrides,
      trainOverrides: i.trainOverrides,
      param: i.param ?? null,
      values: i.values ?? null,
      models: i.models ?? null,
      variants,
      notes,
    },
    cells,
  };
}
