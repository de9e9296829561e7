// Describes every model's hyperparameters for the training form, from the model registry: fields
// generated from each entry's zod schema (types, bounds, choices, and the help text and group
// the schema itself carries), and the resolved defaults of each preset. The engine is imported
// lazily so the main process only loads it when the form asks.
import { z } from 'zod';
import { PRESETS, type FieldSpec, type ModelOption, type ModelOptions, type ValidateResult } from '../../shared/api';

interface JsonProp {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  items?: JsonProp;
  description?: string;
  group?: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Form fields of a zod object schema (via its JSON Schema, which carries `.describe()` and `.meta()`). */
export function fieldsOf(schema: z.ZodType, skip: readonly string[] = []): FieldSpec[] {
  const js = z.toJSONSchema(schema) as { properties?: Record<string, JsonProp> };
  return Object.entries(js.properties ?? {})
    .filter(([key]) => !skip.includes(key))
    .map(([key, p]) => {
      const f: FieldSpec = { key, type: 'string' };
      if (p.enum) {
        f.type = 'enum';
        f.options = p.enum;
      } else if (p.type === 'integer' || p.type === 'number') f.type = p.type;
      else if (p.type === 'boolean') f.type = 'boolean';
      else if (p.type === 'array') f.type = p.items?.type === 'integer' || p.items?.type === 'number' ? 'integer[]' : 'string[]';
      if (p.minimum !== undefined && Math.abs(p.minimum) < MAX_SAFE) f.min = p.minimum;
      if (p.maximum !== undefined && Math.abs(p.maximum) < MAX_SAFE) f.max = p.maximum;
      if (p.exclusiveMinimum !== undefined) f.exclusiveMin = p.exclusiveMinimum;
      if (p.exclusiveMaximum !== undefined) f.exclusiveMax = p.exclusiveMaximum;
      if (p.pattern) f.pattern = p.pattern;
      if (p.description) f.help = p.description;
      if (p.group) f.group = p.group;
      return f;
    });
}

let cached: ModelOptions | null = null;

export async function modelOptions(): Promise<ModelOptions> {
  if (cached) return cached;
  const [exp, registry] = await Promise.all([import('../engine/experiment'), import('../engine/registry')]);
  const models: ModelOption[] = registry.MODELS.map((entry) => {
    const fields = fieldsOf(entry.schema, entry.fixed ?? []);
    const keys = new Set(fields.map((f) => f.key));
    const defaults = {} as ModelOption['defaults'];
    const trainDefaults = {} as ModelOption['trainDefaults'];
    for (const preset of PRESETS) {
      const r = exp.resolveRun({ model: entry.kind, preset });
      defaults[preset] = Object.fromEntries(Object.entries(r.modelConfig).filter(([k]) => keys.has(k)));
      trainDefaults[preset] = { ...r.train };
    }
    return {
      model: entry.kind,
      label: entry.label,
      description: entry.description,
      trainable: entry.trainable,
      capabilities: { ...entry.capabilities },
      fields,
      defaults,
      trainDefaults,
    };
  });
  cached = { models, trainFields: fieldsOf(exp.trainSchema) };
  return cached;
}

/** Resolve a run spec exactly as the worker will; the issues name the fields. */
export async function validateRunSpec(spec: {
  model: string;
  preset: 'paper' | 'reference';
  seed: number;
  modelOverrides: Record<string, unknown>;
  trainOverrides: Record<string, unknown>;
}): Promise<ValidateResult> {
  const [exp, { ConfigError }] = await Promise.all([import('../engine/experiment'), import('../engine/types')]);
  try {
    const r = exp.resolveRun({ model: spec.model, preset: spec.preset, seed: spec.seed, model_overrides: spec.modelOverrides, train_overrides: spec.trainOverrides });
    return { ok: true, errors: [], issues: [], resolved: { model: r.model, preset: r.preset, seed: r.seed, modelConfig: r.modelConfig, train: r.train as Record<string, unknown> } };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const issues = e.issues.map((i) => ({ field: i.field, message: i.message }));
    return { ok: false, errors: issues.map((i) => `${i.field}: ${i.message}`), issues };
  }
}
