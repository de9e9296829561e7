// The run page, tags / notes, and the comparison table. The diff of a run's configuration against
// its preset is computed here from the engine's own resolver (never guessed by the renderer), so
// "Clone into the Train form" reproduces exactly the stored resolved configuration.
import type { RunRecord } from '../store';
import type { CompareCell, CompareColumn, CompareTable, CompareTableRow, ParamEntry, RunHistoryEvent, RunLink, Setting } from '../../shared/api';
import type { HandlerGroup } from './handlers';
import { epochInfo, evalOrder, finalEvaluations, metricKey } from './records';
import { runSummaries, type RunContext } from './runs';

interface StoredResolved {
  model: string;
  preset: 'paper' | 'reference';
  seed: number;
  modelConfig: Record<string, unknown>;
  train: Record<string, unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function storedResolved(run: RunRecord): StoredResolved | null {
  const r = (run.config as { resolved?: StoredResolved }).resolved;
  return r && typeof r === 'object' && r.modelConfig && r.train ? r : null;
}

function runSetting(run: RunRecord, datasetSetting: Setting | null): Setting | null {
  return datasetSetting ?? ((run.config.dataset as { setting?: Setting } | undefined)?.setting ?? null);
}

/** Every resolved hyperparameter against the preset's value (the engine's resolver, same version). */
export async function paramsAgainstPreset(r: StoredResolved): Promise<{ params: ParamEntry[]; fixed: string[] }> {
  const [exp, registry] = await Promise.all([import('../engine/experiment'), import('../engine/registry')]);
  const entry = registry.findModel(r.model);
  let preset: { modelConfig: Record<string, unknown>; train: Record<string, unknown> } = { modelConfig: {}, train: {} };
  if (entry) {
    const p = exp.resolveRun({ model: r.model, preset: r.preset });
    preset = { modelConfig: p.modelConfig, train: p.train as Record<string, unknown> };
  }
  const entries = (section: 'model' | 'train', values: Record<string, unknown>, defs: Record<string, unknown>): ParamEntry[] =>
    Object.entries(values).map(([key, value]) => ({ section, key, value, preset: defs[key], changed: !same(value, defs[key]) }));
  return { params: [...entries('model', r.modelConfig, preset.modelConfig), ...entries('train', r.train, preset.train)], fixed: [...(entry?.fixed ?? [])] };
}

export function runPageHandlers(c: RunContext): HandlerGroup<'runPage' | 'setRunTags' | 'setRunNotes' | 'compareTable'> {
  const s = runSummaries(c);
  const link = (r: RunRecord): RunLink => ({ id: r.id, name: r.name, status: r.status });

  return {
    runPage: async (i) => {
      const run = c.runRecord(i.runId);
      const resolved = storedResolved(run);
      const { params, fixed } = resolved ? await paramsAgainstPreset(resolved) : { params: [], fixed: [] };
      // Overrides exclude keys the preset fixes (startRun refuses them; they equal the preset anyway).
      const pick = (section: 'model' | 'train') => Object.fromEntries(params.filter((p) => p.section === section && p.changed && !fixed.includes(p.key)).map((p) => [p.key, p.value]));
      const ds = run.datasetId !== null ? c.store.getDataset(run.datasetId) : null;
      const cfgDs = run.config.dataset as { name?: string; setting?: Setting; paths?: string[] } | undefined;
      const epochs = c.store.getEpochs(run.id).map(epochInfo);
      const timed = epochs.map((e) => e.seconds).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      const history: RunHistoryEvent[] = [{ at: run.createdAt, event: 'created' }];
      if (run.startedAt) history.push({ at: run.startedAt, event: 'started', ...(run.host ? { detail: `on ${run.host}` } : {}) });
      if (epochs.length) history.push({ at: epochs[0].at, event: 'first epoch', detail: `epoch ${epochs[0].epoch}` });
      if (epochs.length > 1) history.push({ at: epochs[epochs.length - 1].at, event: 'last epoch', detail: `epoch ${epochs[epochs.length - 1].epoch}` });
      if (run.endedAt) history.push({ at: run.endedAt, event: 'ended', detail: run.error ? `${run.status}: ${run.error}` : run.status });
      const parent = run.parentRunId !== null ? c.store.getRun(run.parentRunId) : null;
      const info = run.config.backendInfo as { adapter?: Record<string, unknown>; contrastiveKernels?: string } | undefined;
      const adapter = info?.adapter ?? null;
      return {
        run: s.one(run.id),
        tags: run.tags,
        notes: run.notes,
        resolved: resolved ? { model: resolved.model, preset: resolved.preset, seed: resolved.seed } : null,
        params,
        overrides: { modelOverrides: pick('model'), trainOverrides: pick('train') },
        backend: { name: run.backend, adapter, contrastiveKernels: info?.contrastiveKernels ?? null },
        dataset:
          ds || cfgDs
            ? {
                id: run.datasetId,
                name: ds?.name ?? cfgDs?.name ?? null,
                setting: ds?.setting ?? cfgDs?.setting ?? null,
                fingerprint: run.datasetFingerprint,
                registeredFingerprint: ds?.fingerprint ?? null,
                paths: cfgDs?.paths ?? ds?.sourcePaths ?? [],
              }
            : null,
        appVersion: run.appVersion,
        host: run.host,
        history,
        parent: parent ? link(parent) : null,
        children: c.store.listRuns({ parentRunId: run.id, sortBy: 'id', order: 'asc' }).map(link),
        epochs,
        secondsPerEpoch: timed.length ? timed.reduce((a, b) => a + b, 0) / timed.length : null,
        peakRssMb: (c.store.findArtifact(run.id, 'resources', 'memory')?.meta?.peakRssMb as number | undefined) ?? null,
        final: finalEvaluations(run, c.store.getEvaluations(run.id)),
        artifacts: c.store.listArtifacts(run.id).map((a) => ({ id: a.id, kind: a.kind, name: a.name, format: a.format, shape: a.shape, bytes: a.bytes, epoch: a.epoch })),
      };
    },

    setRunTags: (i) => {
      c.runRecord(i.runId);
      c.store.setRunTags(i.runId, i.tags);
      c.emit({ type: 'runs-changed' });
      return s.one(i.runId);
    },

    setRunNotes: (i) => {
      c.runRecord(i.runId);
      c.store.setRunNotes(i.runId, i.notes.trim() ? i.notes : null);
      c.emit({ type: 'runs-changed' });
      return s.one(i.runId);
    },

    compareTable: (i) => compareTable(c, [...new Set(i.runIds)]),
  };
}

/** The flat configuration of a run, for the parameter-difference table. */
function flatConfig(run: RunRecord, datasetName: string | null): Map<string, string> {
  const m = new Map<string, string>([
    ['model', run.model],
    ['preset', run.preset ?? ''],
    ['seed', String(run.seed ?? '')],
    ['dataset', datasetName ?? ''],
    ['backend', run.backend ?? ''],
  ]);
  const r = storedResolved(run);
  if (r) {
    for (const [k, v] of Object.entries(r.modelConfig)) m.set(`model.${k}`, text(v));
    for (const [k, v] of Object.entries(r.train)) m.set(`train.${k}`, text(v));
  }
  return m;
}

function compareTable(c: RunContext, ids: number[]): CompareTable {
  const records = ids.map((id) => c.runRecord(id));
  const datasets = new Map(c.store.listDatasets().map((d) => [d.id, d]));
  const info = records.map((run) => {
    const ds = run.datasetId !== null ? datasets.get(run.datasetId) : undefined;
    const name = ds?.name ?? ((run.config.dataset as { name?: string } | undefined)?.name ?? null);
    return { run, dataset: name ?? `run ${run.id}'s dataset`, setting: runSetting(run, ds?.setting ?? null), finals: finalEvaluations(run, c.store.getEvaluations(run.id)) };
  });

  // Datasets, and whether two runs of one setting use different ones (their columns would mix).
  const byDataset = new Map<string, { name: string; setting: Setting | null; runIds: number[] }>();
  for (const x of info) {
    const d = byDataset.get(x.dataset) ?? { name: x.dataset, setting: x.setting, runIds: [] };
    d.runIds.push(x.run.id);
    byDataset.set(x.dataset, d);
  }
  const perSetting = new Map<string, Set<string>>();
  for (const x of info) perSetting.set(x.setting ?? '?', (perSetting.get(x.setting ?? '?') ?? new Set()).add(x.dataset));
  const crossDataset = [...perSetting.values()].some((set) => set.size > 1);

  // Columns: warm before cold, then val before test and the usual metric order.
  const colMap = new Map<string, CompareColumn>();
  for (const x of info) for (const e of x.finals) colMap.set(metricKey(e), { key: metricKey(e), setting: e.setting, split: e.split, metric: e.metric, k: e.k });
  const columns = [...colMap.values()].sort((a, b) => (a.setting === b.setting ? 0 : a.setting === 'warm' ? -1 : 1) || evalOrder({ ...a, value: 0, epoch: null }, { ...b, value: 0, epoch: null }));

  // Rows: runs with the same resolved configuration share a row, one run per setting.
  const rows: { key: string; members: typeof info; row: CompareTableRow }[] = [];
  for (const x of info) {
    const key = JSON.stringify([x.run.model, x.run.preset, x.run.seed, storedResolved(x.run)]);
    let r = rows.find((y) => y.key === key && !y.members.some((m) => m.setting === x.setting));
    if (!r) {
      r = { key, members: [], row: { model: x.run.model, preset: x.run.preset, runIds: [], cells: [] } };
      rows.push(r);
    }
    r.members.push(x);
    r.row.runIds.push(x.run.id);
  }
  for (const r of rows) {
    r.row.cells = columns.map((col): CompareCell | null => {
      for (const m of r.members) {
        const e = m.finals.find((f) => metricKey(f) === col.key);
        if (e) return { value: e.value, runId: m.run.id, best: false };
      }
      return null;
    });
  }
  // Best per column among runs on the same dataset only (every metric here: higher is better).
  const datasetOf = new Map(info.map((x) => [x.run.id, x.dataset]));
  columns.forEach((_, j) => {
    const byDs = new Map<string, CompareCell[]>();
    for (const r of rows) {
      const cell = r.row.cells[j];
      if (cell) byDs.set(datasetOf.get(cell.runId)!, [...(byDs.get(datasetOf.get(cell.runId)!) ?? []), cell]);
    }
    for (const cells of byDs.values()) {
      if (cells.length < 2) continue;
      const max = Math.max(...cells.map((x) => x.value));
      for (const cell of cells) cell.best = cell.value === max;
    }
  });

  const groups = new Map<string, CompareTableRow[]>();
  for (const r of rows) {
    const label = [...new Set(r.members.map((m) => m.dataset))].join(' + ');
    groups.set(label, [...(groups.get(label) ?? []), r.row]);
  }

  const flats = info.map((x) => flatConfig(x.run, x.dataset));
  const keys = [...new Set(flats.flatMap((f) => [...f.keys()]))];
  const params = keys.map((key) => {
    const values = flats.map((f) => f.get(key) ?? null);
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });

  return { runIds: ids, datasets: [...byDataset.values()], crossDataset, columns, groups: [...groups.entries()].map(([label, rs]) => ({ label, rows: rs })), params };
}
