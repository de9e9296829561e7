// The run page (resolved configuration against its preset, provenance, history), tags and notes
// (round trip and search) and the comparison table (warm and cold in one row, best per dataset
// only, parameter differences), through the in-process service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { ApiError, type MicroApi } from '../../../src/shared/api';
import { DEMO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';
import { finished } from '../../helpers/service';

const dir = fileTempDir('micro-api-run-page-');
let service: WorkbenchService;
let api: MicroApi;
const ids = { mf: 0, popWarm: 0, popCold: 0, popOther: 0 };

async function train(input: Parameters<MicroApi['startRun']>[0]): Promise<number> {
  const done = finished(service);
  const { runId } = await api.startRun(input);
  await done;
  return runId;
}

beforeAll(async () => {
  service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'browser' });
  api = service.api();
  await api.importDataset({ path: DEMO, name: 'demo', setting: 'warm' });
  await api.splitDataset({ dataset: 'demo', mode: 'cold', name: 'demo-cold', out: path.join(dir, 'demo-cold') });
  await api.splitDataset({ dataset: 'demo', mode: 'warm', name: 'demo-other', out: path.join(dir, 'demo-other') });
  ids.mf = await train({ dataset: 'demo', model: 'mf', seed: 7, modelOverrides: { embedDim: 16 }, trainOverrides: { epochs: 2, evalEvery: 2 } });
  ids.popWarm = await train({ dataset: 'demo', model: 'popularity' });
  ids.popCold = await train({ dataset: 'demo-cold', model: 'popularity' });
  ids.popOther = await train({ dataset: 'demo-other', model: 'popularity' });
}, 240_000);

afterAll(async () => {
  await service?.close();
});

describe('runPage', () => {
  it('lists every resolved hyperparameter against the preset and the overrides that reproduce the run', async () => {
    const p = await api.runPage({ runId: ids.mf });
    expect(p.resolved).toEqual({ model: 'mf', preset: 'paper', seed: 7 });
    const changed = p.params.filter((x) => x.changed).map((x) => [x.section, x.key, x.value]);
    expect(changed).toEqual([
      ['model', 'embedDim', 16],
      ['train', 'epochs', 2],
      ['train', 'evalEvery', 2],
    ]);
    const epochs = p.params.find((x) => x.key === 'epochs')!;
    expect(epochs.preset).not.toBe(2);
    // Every resolved key is listed, unchanged ones with their preset value.
    const resolved = (await api.validateRun({ dataset: 'demo', model: 'mf', seed: 7, ...p.overrides })).resolved!;
    expect(p.params.filter((x) => x.section === 'model').map((x) => x.key)).toEqual(Object.keys(resolved.modelConfig));
    expect(p.params.filter((x) => x.section === 'train').map((x) => x.key)).toEqual(Object.keys(resolved.train));
    expect(p.params.filter((x) => !x.changed).every((x) => JSON.stringify(x.value) === JSON.stringify(x.preset))).toBe(true);
    expect(p.overrides).toEqual({ modelOverrides: { embedDim: 16 }, trainOverrides: { epochs: 2, evalEvery: 2 } });
  });

  it('carries provenance, history, timing, metrics and artifacts', async () => {
    const p = await api.runPage({ runId: ids.mf });
    const info = await api.datasetInfo({ dataset: 'demo' });
    expect(p.dataset).toMatchObject({ name: 'demo', setting: 'warm', fingerprint: info.fingerprint, registeredFingerprint: info.fingerprint });
    expect(p.backend.name).toBe(p.run.backend);
    expect(p.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.history.map((h) => h.event)).toEqual(['created', 'started', 'first epoch', 'last epoch', 'ended']);
    expect(p.history.at(-1)!.detail).toBe('completed');
    expect(p.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(p.secondsPerEpoch).toBeGreaterThan(0);
    // The process's RSS peak during the run, at least what it is using now after it (same process).
    expect(p.peakRssMb).toBeGreaterThan(50);
    expect(p.peakRssMb).toBeLessThan(process.memoryUsage().rss / 2 ** 20 + 1024);
    expect(p.final.some((e) => e.split === 'test' && e.setting === 'warm' && e.metric === 'recall')).toBe(true);
    expect(p.artifacts.some((a) => a.kind === 'embeddings')).toBe(true);
    expect(p.parent).toBeNull();
  });

  it('answers NOT_FOUND for an unknown run', async () => {
    await expect(api.runPage({ runId: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'run 9999 not found' });
  });
});

describe('tags and notes', () => {
  it('round-trip and are searchable in the runs list', async () => {
    const tagged = await api.setRunTags({ runId: ids.popWarm, tags: ['Baseline', ' ablation-A ', 'Baseline'] });
    expect(tagged.tags).toEqual(['Baseline', 'ablation-A']);
    const noted = await api.setRunNotes({ runId: ids.popCold, notes: 'Cold start sanity check' });
    expect(noted.notes).toBe('Cold start sanity check');
    expect((await api.runPage({ runId: ids.popWarm })).tags).toEqual(['Baseline', 'ablation-A']);
    const found = (q: string) => api.listRuns({ search: q }).then((rs) => rs.map((r) => r.id));
    expect(await found('ablation')).toEqual([ids.popWarm]);
    expect(await found('SANITY')).toEqual([ids.popCold]);
    expect((await api.listRuns()).find((r) => r.id === ids.popWarm)?.tags).toEqual(['Baseline', 'ablation-A']);
    // Empty notes clear them; an empty tag list clears the tags.
    expect((await api.setRunNotes({ runId: ids.popCold, notes: '  ' })).notes).toBeNull();
    expect((await api.setRunTags({ runId: ids.popWarm, tags: [] })).tags).toEqual([]);
    expect(await found('ablation')).toEqual([]);
  });

  it('refuses bad tags with one line naming the field', async () => {
    const e = await api.setRunTags({ runId: ids.popWarm, tags: ['ok', 'x'.repeat(41)] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toBe('tags.1: expected tags of 1-40 characters (letters, digits, space, . _ : / + -)');
  });
});

describe('compareTable', () => {
  it('puts warm and cold runs of one configuration in one row, best marked per dataset only', async () => {
    const t = await api.compareTable({ runIds: [ids.popWarm, ids.popCold, ids.mf] });
    expect(t.crossDataset).toBe(false);
    expect(t.datasets.map((d) => [d.name, d.setting])).toEqual([
      ['demo', 'warm'],
      ['demo-cold', 'cold'],
    ]);
    const rows = t.groups.flatMap((g) => g.rows);
    expect(rows.map((r) => r.runIds)).toEqual([[ids.popWarm, ids.popCold], [ids.mf]]);
    expect(t.groups.map((g) => g.label)).toEqual(['demo + demo-cold', 'demo']);
    const warm = t.columns.findIndex((c) => c.key === 'test/warm/recall@20');
    const cold = t.columns.findIndex((c) => c.key === 'test/cold/recall@20');
    expect(warm).toBeLessThan(cold);
    const pop = rows[0];
    expect(pop.cells[warm]?.runId).toBe(ids.popWarm);
    expect(pop.cells[cold]?.runId).toBe(ids.popCold);
    expect(rows[1].cells[cold]).toBeNull();
    // Two warm runs on "demo": exactly the higher one is best; the lone cold value is not crowned.
    const pair = [pop.cells[warm]!, rows[1].cells[warm]!];
    const max = Math.max(...pair.map((c) => c.value));
    expect(pair.map((c) => c.best)).toEqual(pair.map((c) => c.value === max));
    expect(pop.cells[cold]!.best).toBe(false);
  });

  it('warns across datasets of one setting and crowns no best across them', async () => {
    const t = await api.compareTable({ runIds: [ids.popWarm, ids.popOther] });
    expect(t.crossDataset).toBe(true);
    expect(t.groups.map((g) => g.label)).toEqual(['demo', 'demo-other']);
    expect(t.groups.flatMap((g) => g.rows).flatMap((r) => r.cells).some((c) => c?.best)).toBe(false);
  });

  it('lists the parameters that differ across runs', async () => {
    const t = await api.compareTable({ runIds: [ids.popWarm, ids.mf] });
    const diff = Object.fromEntries(t.params.filter((p) => p.differs).map((p) => [p.key, p.values]));
    expect(diff.model).toEqual(['popularity', 'mf']);
    expect(diff.seed).toEqual(['123', '7']);
    expect(diff['model.embedDim']).toEqual([null, '16']);
    expect(t.params.find((p) => p.key === 'dataset')).toEqual({ key: 'dataset', values: ['demo', 'demo'], differs: false });
  });
});
