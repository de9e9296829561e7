// Studies through the in-process service: the ablation study on the demo's cold split (3 seeds, the
// demo experiment's budget of lr 1e-3 and 60 epochs, cold items scored with their neighbours' CF
// part) with its statistics recomputed from the stored per-user metrics, the planning
// rules of each kind, and cancel + resume of a queue (the stopped cell continues its own run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { ApiError, type ApiEvent, type MicroApi, type StudyTable } from '../../../src/shared/api';
import { formatStudyTable } from '../../../src/shared/study-format';
import { holm, wilcoxonSignedRank } from '../../../src/main/engine/stats';
import { DEMO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-api-studies-');
let service: WorkbenchService;
let api: MicroApi;

/** Resolves when the study's queue stops (a study-updated event with another status than running). */
function studyEnd(studyId: number): Promise<void> {
  return new Promise((resolve) => {
    const off = service.onEvent((e) => {
      if (e.type === 'study-updated' && e.studyId === studyId && e.status !== 'running') {
        off();
        resolve();
      }
    });
  });
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

/** One metric column of a run's per-user artifact, with the user ids. */
function perUser(runId: number, split: string, metric: string): Map<number, number> {
  const m = service.store.findArtifact(runId, 'per-user', split, { payload: true })!;
  const u = service.store.findArtifact(runId, 'per-user', `${split}/users`, { payload: true })!;
  const [n, w] = m.shape!;
  const j = (m.meta!.columns as string[]).indexOf(metric);
  const vals = new Float32Array(new Uint8Array(m.payload!).buffer);
  const users = new Int32Array(new Uint8Array(u.payload!).buffer);
  return new Map(Array.from({ length: n }, (_, q) => [users[q], vals[q * w + j]]));
}

beforeAll(async () => {
  service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'cli' });
  api = service.api();
  await api.importDataset({ path: DEMO, name: 'demo-cold', setting: 'cold' });
  await api.importDataset({ path: DEMO, name: 'demo', setting: 'warm' });
}, 120_000);

afterAll(async () => {
  await service?.close();
});

describe('an ablation study on the demo (cold start, 3 seeds)', () => {
  let table: StudyTable;
  let studyId: number;

  it('runs every cell once and keeps per-user metrics of each final evaluation', { timeout: 600_000 }, async () => {
    // coldItemCf = neighbours: with eq. 17's own CF part every cell stops at its first epoch on
    // this split (docs/model.md, 'Cold-start protocols and cold items'), where no variant has learnt much.
    const d = await api.createStudy({ kind: 'ablation', dataset: 'demo-cold', seeds: 3, epochs: 60, trainOverrides: { lr: 1e-3 }, modelOverrides: { coldItemCf: 'neighbours' } });
    studyId = d.study.id;
    expect(d.definition.variants.map((v) => v.key)).toEqual(['full', 'no-fusion', 'no-specific', 'no-preference', 'feats', 'cf-feats']);
    expect(d.definition.variants.filter((v) => v.reference).map((v) => v.key)).toEqual(['full']);
    expect(d.cells.map((c) => `${c.variant}/${c.seed}`).slice(0, 3)).toEqual(['full/123', 'full/124', 'full/125']);
    expect(d.study.status).toBe('pending');
    const updates: ApiEvent[] = [];
    const off = service.onEvent((e) => e.type === 'study-updated' && updates.push(e));
    const end = studyEnd(studyId);
    await api.startStudy({ studyId });
    await end;
    off();
    const done = await api.getStudy({ studyId });
    expect(done.study.status).toBe('completed');
    expect(done.cells.every((c) => c.status === 'completed')).toBe(true);
    expect(new Set(done.cells.map((c) => c.runId)).size).toBe(18);
    expect(done.progress).toMatchObject({ total: 18, completed: 18, running: 0, pending: 0 });
    // One training at a time by default, and an ETA from the finished cells once one finished.
    expect(Math.max(...updates.map((e) => (e.type === 'study-updated' ? e.progress.running : 0)))).toBe(1);
    const mid = updates.find((e) => e.type === 'study-updated' && e.progress.completed === 9);
    expect(mid && mid.type === 'study-updated' && mid.progress.etaSeconds).toBeGreaterThan(0);
    // Each cell is an ordinary run with its variant's flags resolved.
    const noFusion = done.cells.find((c) => c.variant === 'no-fusion')!;
    const run = await api.getRun({ runId: noFusion.runId! });
    expect((run.config.resolved as { modelConfig: Record<string, unknown> }).modelConfig).toMatchObject({ fusion: false, specific: true });
    expect(run.run.seed).toBe(noFusion.seed);
    // The per-user artifact averages to the stored metric, for every users × metric column.
    const m = service.store.findArtifact(noFusion.runId!, 'per-user', 'test')!;
    expect(m.meta!.columns).toEqual(expect.arrayContaining(['recall@10', 'ndcg@20', 'precision@50', 'hit@20']));
    const col = perUser(noFusion.runId!, 'test', 'recall@20');
    const mean = [...col.values()].reduce((a, b) => a + b, 0) / col.size;
    expect(mean).toBeCloseTo(run.run.metrics['test/recall@20'], 5);
    expect(col.size).toBe(m.shape![0]);
  });

  it('has a table row per variant with mean ± std over seeds and Holm-adjusted p-values in [0, 1]', async () => {
    table = await api.studyTable({ studyId });
    expect(table.rows.map((r) => r.variant)).toEqual(['full', 'no-fusion', 'no-specific', 'no-preference', 'feats', 'cf-feats']);
    expect(table.setting).toBe('cold');
    for (const r of table.rows) {
      expect(r.seeds).toBe(3);
      for (const k of ['recall@20', 'ndcg@20', 'precision@20', 'hit@20']) {
        expect(r.metrics[k].mean).not.toBeNull();
        expect(r.metrics[k].std).not.toBeNull();
        expect(r.metrics[k].ci![0]).toBeLessThanOrEqual(r.metrics[k].mean!);
      }
      if (r.reference) {
        expect(r.perUser).toBeNull();
        continue;
      }
      for (const t of [r.perUser!, r.acrossSeeds!]) {
        expect(t.p).toBeGreaterThanOrEqual(0);
        expect(t.p).toBeLessThanOrEqual(1);
        expect(t.pHolm).toBeGreaterThanOrEqual(t.p!);
        expect(t.pHolm).toBeLessThanOrEqual(1);
      }
      expect(r.perUser!.n).toBeGreaterThan(50);
      expect(r.acrossSeeds!.n).toBe(3);
    }
    process.stdout.write(`\n${formatStudyTable(table, 'table')}\n`);
    // The cold candidates protocol: the same cells, each run's stored `cold-only:` values.
    const cold = await api.studyTable({ studyId, protocol: 'cold-only' });
    expect(cold.protocol).toBe('cold-only');
    const d = await api.getStudy({ studyId });
    const runs = await Promise.all(d.cells.filter((c) => c.variant === 'full').map((c) => api.getRun({ runId: c.runId! })));
    const expected = runs.map((r) => r.run.metrics['test/cold-only:recall@20']);
    expect(expected.every((x) => x > 0)).toBe(true);
    expect(cold.rows[0].metrics['recall@20'].mean).toBeCloseTo((expected[0] + expected[1] + expected[2]) / 3, 10);
    expect(cold.rows[0].metrics['recall@20'].mean).not.toBeCloseTo(table.rows[0].metrics['recall@20'].mean!, 3);
    expect(cold.rows[1].perUser!.n).toBe(table.rows[1].perUser!.n);
    const full = table.rows[0].metrics['recall@20'].mean!;
    const noFusion = table.rows[1].metrics['recall@20'].mean!;
    process.stdout.write(`cold-start test recall@20: full ${full.toFixed(4)} vs w/o fusion ${noFusion.toFixed(4)} (${full > noFusion ? 'full ahead' : 'w/o fusion ahead'})\n`);
    expect(full).toBeGreaterThan(noFusion);
    // …and every cell trained past its first epoch (the erosion would otherwise stop them there).
    const bests = await Promise.all(d.cells.map(async (c) => (await api.getRun({ runId: c.runId! })).run.bestEpoch ?? 0));
    expect(Math.max(...bests)).toBeGreaterThan(1);
  });

  it("recomputes the per-user test from the stored per-user metrics and Holm over the variants", async () => {
    const d = await api.getStudy({ studyId });
    const runOf = (variant: string, seed: number) => d.cells.find((c) => c.variant === variant && c.seed === seed)!.runId!;
    const row = table.rows.find((r) => r.variant === 'no-fusion')!;
    const diff = new Map<number, number>();
    for (const seed of [123, 124, 125]) {
      const v = perUser(runOf('no-fusion', seed), 'test', 'recall@20');
      const ref = perUser(runOf('full', seed), 'test', 'recall@20');
      for (const [u, x] of v) diff.set(u, (diff.get(u) ?? 0) + (x - ref.get(u)!) / 3);
    }
    const w = wilcoxonSignedRank([...diff.values()]);
    expect(row.perUser!.p).toBeCloseTo(w.p, 12);
    expect(row.perUser!.n).toBe(diff.size);
    const others = table.rows.filter((r) => !r.reference);
    const adj = holm(others.map((r) => r.perUser!.p ?? NaN));
    others.forEach((r, q) => expect(r.perUser!.pHolm ?? NaN).toBeCloseTo(adj[q], 12));
  });

  it('formats the table as CSV, Markdown and LaTeX', () => {
    const csv = formatStudyTable(table, 'csv').split('\n');
    expect(csv).toHaveLength(7);
    expect(csv[0].split(',')).toEqual(expect.arrayContaining(['recall@20_mean', 'recall@20_std', 'p_users', 'p_users_holm', 'p_seeds']));
    expect(csv[2].startsWith('no-fusion,w/o fusion,0,3,')).toBe(true);
    const md = formatStudyTable(table, 'markdown').split('\n');
    expect(md).toHaveLength(8);
    expect(md[2]).toMatch(/^\| MICRO \(full\) \(ref\.\) \| 3 \| /);
    const tex = formatStudyTable(table, 'latex');
    expect(tex).toMatch(/\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
    expect(tex).toContain('w/o fusion & 3 & ');
    expect(tex).toContain('$\\pm$');
  });
});

describe('planning a study', () => {
  it('names the field of each mistake', async () => {
    expect((await rejects(api.createStudy({ kind: 'coldstart', dataset: 'demo' }))).message).toMatch(/^dataset: a coldstart study needs a cold-start split; "demo" is warm/);
    expect((await rejects(api.createStudy({ kind: 'sweep', dataset: 'demo' }))).message).toMatch(/^param: /);
    expect((await rejects(api.createStudy({ kind: 'sweep', dataset: 'demo', param: 'nope', values: [1] }))).message).toMatch(/^param: micro has no hyperparameter "nope"/);
    expect((await rejects(api.createStudy({ kind: 'sweep', dataset: 'demo', param: 'lambda', values: [2] }))).message).toMatch(/^lambda=2: .*lambda/);
    expect((await rejects(api.createStudy({ kind: 'compare', dataset: 'demo', models: ['micro', 'bert4rec'] }))).message).toMatch(/^models: unknown model "bert4rec"/);
    expect((await rejects(api.createStudy({ kind: 'ablation', dataset: 'demo', model: 'mf' }))).message).toMatch(/^model: an? ablation study needs a model with fusion/);
    expect((await rejects(api.createStudy({ kind: 'ablation', dataset: 'demo', modelOverrides: { nope: 1 } }))).message).toMatch(/^modelOverrides\.nope: /);
    expect((await rejects(api.createStudy({ kind: 'ablation', dataset: 'demo', seeds: 0 }))).message).toMatch(/^seeds: /);
  });

  it('sweeps add the default value as the reference; k = 0 is the no-graph point', async () => {
    const d = await api.createStudy({ kind: 'sweep', dataset: 'demo', param: 'topK', values: [0, 5], seeds: 1 });
    expect(d.definition.variants.map((v) => [v.key, v.label, v.reference, v.modelOverrides.topK])).toEqual([
      ['topK=0', 'k=0 (no item graph)', false, 0],
      ['topK=5', 'topK=5', false, 5],
      ['topK=10', 'topK=10', true, 10],
    ]);
    expect(d.definition.notes.join(' ')).toMatch(/topK=10 added/);
    const lr = await api.createStudy({ kind: 'sweep', dataset: 'demo', param: 'lr', values: [1e-3, 5e-4], seeds: 1 });
    expect(lr.definition.variants.map((v) => [v.trainOverrides.lr, v.reference])).toEqual([
      [1e-3, false],
      [5e-4, true],
    ]);
  });

  it('modalities: all vs each alone; the reference preset leaves out ablations it already has', async () => {
    const m = await api.createStudy({ kind: 'modalities', dataset: 'demo', seeds: 1 });
    expect(m.definition.variants.map((v) => [v.key, v.modelOverrides.modalities])).toEqual([
      ['all', []],
      ['only:visual', ['visual']],
      ['only:textual', ['textual']],
    ]);
    const r = await api.createStudy({ kind: 'ablation', dataset: 'demo', preset: 'reference', seeds: 1 });
    expect(r.definition.variants.map((v) => v.key)).toEqual(['full', 'no-fusion', 'feats', 'cf-feats']);
    const c = await api.createStudy({ kind: 'compare', dataset: 'demo', models: ['popularity', 'micro'], modelOverrides: { embedDim: 16 }, seeds: 2 });
    expect(c.definition.variants.map((v) => [v.key, v.reference, v.modelOverrides])).toEqual([
      ['popularity', false, {}],
      ['micro', true, { embedDim: 16 }],
    ]);
    expect(c.cells).toHaveLength(4);
    expect((await api.listStudies()).map((s) => s.kind).slice(0, 2)).toEqual(['compare', 'ablation']);
  });
});

describe('cancel and resume', () => {
  it('a cancelled study stops its running cell; starting it again resumes that run in place', { timeout: 300_000 }, async () => {
    const d = await api.createStudy({ kind: 'compare', dataset: 'demo', models: ['popularity', 'mf'], seeds: 1, epochs: 6, modelOverrides: { embedDim: 8 }, trainOverrides: { evalEvery: 1 } });
    const id = d.study.id;
    const end = studyEnd(id);
    // Cancel once the MF cell has committed its first epoch (it then has a checkpoint).
    const cancelled = new Promise<void>((resolve) => {
      const off = service.onEvent((e) => {
        if (e.type === 'progress' && e.progress.phase === 'epoch' && e.progress.epoch === 1) {
          off();
          void api.cancelStudy({ studyId: id }).then(() => resolve());
        }
      });
    });
    await api.startStudy({ studyId: id });
    await expect(api.startStudy({ studyId: id })).rejects.toThrow(/already running/);
    await cancelled;
    await end;
    const stopped = await api.getStudy({ studyId: id });
    expect(stopped.study.status).toBe('cancelled');
    expect(stopped.cells.map((c) => c.status)).toEqual(['completed', 'cancelled']);
    await expect(api.cancelStudy({ studyId: id })).rejects.toThrow(/is cancelled; only a running study/);
    const [pop, mf] = stopped.cells.map((c) => c.runId);
    const end2 = studyEnd(id);
    await api.startStudy({ studyId: id });
    await end2;
    const again = await api.getStudy({ studyId: id });
    expect(again.study.status).toBe('completed');
    expect(again.cells.map((c) => c.runId)).toEqual([pop, mf]); // nothing re-run, the stopped run continued
    const epochs = (await api.getRun({ runId: mf! })).epochs.map((e) => e.epoch);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(api.startStudy({ studyId: id })).rejects.toThrow(/is completed/);
  });
});
