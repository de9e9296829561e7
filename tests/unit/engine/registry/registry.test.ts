// The model registry is the one definition of each model: its schema (with help text), preset
// defaults, training defaults, capabilities and constructor; everything else reads it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MODELS, MODEL_KINDS, modelEntry } from '../../../../src/main/engine/registry';
import { resolveRun } from '../../../../src/main/engine/experiment';
import { ConfigError } from '../../../../src/main/engine/types';
import { modelOptions, validateRunSpec } from '../../../../src/main/api/options';
import { thrown } from '../../../helpers/errors';

describe('model registry', () => {
  it('has one entry per kind, each with defaults its own schema accepts under both presets', () => {
    expect(new Set(MODEL_KINDS).size).toBe(MODELS.length);
    for (const m of MODELS) {
      for (const preset of ['paper', 'reference'] as const) {
        const r = m.schema.safeParse(m.defaults(preset));
        expect(r.success, `${m.kind}/${preset}: ${r.success ? '' : r.error.message}`).toBe(true);
      }
    }
  });

  it('carries the help text and form group of every field in the schema itself', () => {
    for (const m of MODELS) {
      const props = (z.toJSONSchema(m.schema) as { properties?: Record<string, { description?: string; group?: string }> }).properties ?? {};
      for (const [key, p] of Object.entries(props)) {
        expect(p.description, `${m.kind}.${key} help`).toMatch(/\w/);
        expect(p.group, `${m.kind}.${key} group`).toMatch(/\w/);
      }
    }
  });

  it('resolves the presets as documented (README "Model and presets")', () => {
    expect(resolveRun({ model: 'micro', preset: 'reference' }).modelConfig).toMatchObject({ lambda: 0.9, itemLayers: 1, specific: false, betaC: 0.03 });
    expect(resolveRun({ model: 'micro' }).modelConfig).toMatchObject({ lambda: 0.7, itemLayers: 2, specific: true, betaC: 0.06 });
    expect(resolveRun({ model: 'micro' }).train).toMatchObject({ lr: 5e-4, sampler: 'interaction', evalEvery: 1 });
    expect(resolveRun({ model: 'lightgcn' }).train.lr).toBe(1e-3);
    expect(resolveRun({ model: 'lightgcn', preset: 'reference' })).toMatchObject({ modelConfig: { l2: 1e-5, adjacency: 'rw-selfloop' }, train: { lr: 5e-4, sampler: 'user', evalEvery: 5 } });
    expect(resolveRun({ model: 'vbpr', preset: 'reference' }).modelConfig).toEqual({ embedDim: 64, l2: 1e-2 });
    expect(resolveRun({ model: 'itemknn', model_overrides: { shrink: 100 } }).modelConfig).toEqual({ k: 50, shrink: 100 });
    // LATTICE takes MICRO's preset values for the fields they share (reference = the LATTICE code) and MICRO's schedule.
    expect(resolveRun({ model: 'lattice', preset: 'reference' })).toMatchObject({ modelConfig: { lambda: 0.9, itemLayers: 1, topK: 10, l2: 1e-5, l2Target: 'final', cfAdjacency: 'rw-selfloop' }, train: { lr: 5e-4, sampler: 'user' } });
    expect(resolveRun({ model: 'lattice' })).toMatchObject({ modelConfig: { lambda: 0.7, itemLayers: 2, l2: 1e-4, l2Target: 'ego', cfAdjacency: 'sym' }, train: { lr: 5e-4 } });
    // FREEDOM: MMRec's FREEDOM.yaml under both presets; the baselines' lr under `paper`.
    for (const preset of ['paper', 'reference'] as const)
      expect(resolveRun({ model: 'freedom', preset }).modelConfig).toEqual({ embedDim: 64, cfLayers: 2, itemLayers: 1, topK: 10, imageWeight: 0.1, dropout: 0.8, regWeight: 1e-4, l2: 0, modalities: [] });
    expect(resolveRun({ model: 'freedom' }).train.lr).toBe(1e-3);
  });

  it('refuses unknown models, unknown or invalid settings and preset-owned fields with structured issues', () => {
    const issues = (f: () => unknown) => thrown(ConfigError, f).issues;
    expect(issues(() => modelEntry('bert4rec'))).toEqual([{ field: 'model', message: `expected one of ${MODEL_KINDS.join(', ')}` }]);
    expect(issues(() => resolveRun({ model: 'micro', model_overrides: { lambda: 2, topK: -1 } })).map((i) => i.field).sort()).toEqual(['lambda', 'topK']);
    expect(issues(() => resolveRun({ model: 'mf', model_overrides: { k: 5 } }))[0].message).toMatch(/unrecognized key/i);
    expect(issues(() => resolveRun({ model: 'micro', model_overrides: { preset: 'reference' } }))).toEqual([{ field: 'preset', message: 'is set by the preset' }]);
    expect(issues(() => resolveRun({ model: 'mf', train_overrides: { epochs: -1 } }))[0].field).toBe('epochs');
    expect(issues(() => resolveRun({ model: 'freedom', model_overrides: { dropout: 1 } }))[0].field).toBe('dropout');
    expect(issues(() => resolveRun({ model: 'lattice', model_overrides: { topK: 0 } }))[0].field).toBe('topK');
  });

  it('feeds the Train form and the validator from the same entries', async () => {
    const o = await modelOptions();
    for (const m of MODELS) {
      const opt = o.models.find((x) => x.model === m.kind)!;
      expect(opt).toMatchObject({ label: m.label, trainable: m.trainable, capabilities: m.capabilities });
      expect(opt.fields.map((f) => f.key).sort()).toEqual(Object.keys(m.schema.shape).filter((k) => !(m.fixed ?? []).includes(k)).sort());
    }
    expect(o.models.find((m) => m.model === 'micro')!.fields.find((f) => f.key === 'tau')).toMatchObject({ group: 'Contrastive fusion', help: expect.stringContaining('eq. 10') });
    const v = await validateRunSpec({ model: 'micro', preset: 'paper', seed: 1, modelOverrides: { tau: 0 }, trainOverrides: {} });
    expect(v).toMatchObject({ ok: false, issues: [{ field: 'tau' }], errors: [expect.stringMatching(/^tau: /)] });
  });
});
