// Argument parsing that commander leaves to us: whole numbers, run ids, and `--set key=value`
// overrides, validated through the same schema code as the app's training form (errors name the
// field, exit 2 before anything is opened or trained).
import { InvalidArgumentError } from 'commander';
import type { MicroApi, Preset, StartRunInput } from '../../shared/api';
import { CliError } from './errors';

/** A run id: a positive whole number. */
export function parseRunId(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a run id (a positive whole number), got "${v}"`);
  return Number(v);
}

/** A whole number ≥ 0 (epochs, seeds). */
export function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${v}"`);
  return Number(v);
}

/** A number > 0 (learning rates). */
export function parsePositive(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${v}"`);
  return x;
}

/** `--set key=value` overrides: numbers, booleans and comma lists parsed; validated by validateSpec. */
export function parseSets(sets: string[] = []): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new CliError('USAGE', `--set expects key=value, got "${s}"`, 'see: micro train --help');
    const key = s.slice(0, eq);
    const raw = s.slice(eq + 1);
    const one = (v: string): unknown => (v === 'true' ? true : v === 'false' ? false : v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);
    o[key] = key === 'modalities' || key === 'ks' ? (raw ? raw.split(',').map(one) : []) : one(raw);
  }
  return o;
}

export interface SpecArgs {
  model: string;
  preset: Preset;
  seed: number;
  epochs?: number;
  set?: string[];
  contrastive?: 'exact' | 'sampled';
}

/** The run of `micro train` (model, preset, seed, overrides), checked by the API as the worker will resolve it. */
export async function validatedSpec(api: MicroApi, o: SpecArgs): Promise<Omit<StartRunInput, 'dataset'>> {
  const opts = await api.modelOptions();
  const model = opts.models.find((m) => m.model === o.model);
  if (!model) throw new CliError('USAGE', `--model: expected one of ${opts.models.map((m) => m.model).join(', ')} (got "${o.model}"; see: micro models)`, 'see: micro train --help');
  // Which keys are training options and which the model's comes from the registry's schemas.
  const trainKeys = new Set(opts.trainFields.map((f) => f.key));
  const modelOverrides: Record<string, unknown> = {};
  const trainOverrides: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parseSets(o.set))) (trainKeys.has(k) ? trainOverrides : modelOverrides)[k] = v;
  if (o.epochs !== undefined) trainOverrides.epochs = o.epochs;
  if (o.contrastive) {
    if (!model.fields.some((f) => f.key === 'contrastiveMode')) throw new CliError('USAGE', `--contrastive: ${o.model} has no contrastive loss`, 'see: micro train --help');
    modelOverrides.contrastiveMode = o.contrastive;
  }
  // Unknown keys first, with the list of known ones (the schema's own message names no choices).
  const known = [...model.fields, ...opts.trainFields].map((f) => f.key);
  for (const k of Object.keys({ ...modelOverrides, ...trainOverrides })) {
    if (!known.includes(k)) throw new CliError('USAGE', `--set ${k}: unknown option for ${o.model} (known: ${known.join(', ')})`, 'see: micro train --help');
  }
  const run = { model: o.model, preset: o.preset, seed: o.seed, modelOverrides, trainOverrides };
  // validateRun checks the configuration only (the dataset is resolved when the run starts).
  const v = await api.validateRun({ ...run, dataset: 'unused' });
  if (!v.ok) throw new CliError('USAGE', `--set: ${v.errors.join('; ')}`, 'see: micro train --help');
  return run;
}
