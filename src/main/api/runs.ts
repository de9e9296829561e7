// Run methods of the API: listing and reading runs (summaries with their final metrics), starting,
// resuming, cancelling, renaming, deleting and comparing them. Training itself runs in workers
// (supervisor.ts); this file only decides and records.
import fs from 'node:fs';
import type { DatasetRecord, RunRecord, RunStore } from '../store';
import { ApiError, type ActiveRun, type ApiEvent, type EvaluationInfo, type MetricMap, type ModelCapabilities, type RunSummary } from '../../shared/api';
import type { ArtifactReader } from './artifacts';
import type { RunSupervisor } from './supervisor';
import { datasetRecord } from './datasets';
import type { HandlerGroup } from './handlers';
import { validateRunSpec } from './options';
import { epochInfo, evalInfo, evalOrder, finalEvaluations, metricKey } from './records';

/** What the run handlers need from the service. */
export interface RunContext {
  store: RunStore;
  artifacts: ArtifactReader;
  runs: RunSupervisor;
  storePath: string;
  emit(e: ApiEvent): void;
  runRecord(id: number): RunRecord;
  /** What a model's runs store (the registry's capabilities; nothing for an unknown model). */
  capabilities(model: string): ModelCapabilities;
  /** Throws INVALID_INPUT unless the registry knows the model. */
  checkModel(model: string): void;
}

type SummaryContext = { datasets: Map<number, DatasetRecord>; resumable: Set<number> };

/** Summaries of runs, with what they share looked up once per call. */
export function runSummaries(c: RunContext) {
  const context = (): SummaryContext => ({
    datasets: new Map(c.store.listDatasets().map((d) => [d.id, d])),
    resumable: new Set(c.store.resumableRuns({ includeResumed: true }).map((r) => r.id)),
  });
  const summary = (run: RunRecord, ctx: SummaryContext): RunSummary => {
    const metrics: MetricMap = {};
    for (const e of finalEvaluations(run, c.store.getEvaluations(run.id))) metrics[`${e.split}/${e.metric}@${e.k}`] = e.value;
    const ds = run.datasetId !== null ? ctx.datasets.get(run.datasetId) : undefined;
    return {
      id: run.id,
      name: run.name,
      datasetId: run.datasetId,
      datasetName: ds?.name ?? ((run.config.dataset as { name?: string } | undefined)?.name ?? null),
      setting: ds?.setting ?? null,
      model: run.model,
      preset: run.preset,
      seed: run.seed,
      backend: run.backend,
      status: run.status,
      error: run.error,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      wallSeconds: run.wallSeconds,
      bestEpoch: run.bestEpoch,
      epochsRecorded: c.store.lastEpoch(run.id) ?? 0,
      parentRunId: run.parentRunId,
      tags: run.tags,
      notes: run.notes,
      metrics,
      capabilities: c.capabilities(run.model),
      resumable: ctx.resumable.has(run.id),
      active: c.runs.has(run.id),
    };
  };
  return { context, summary, one: (id: number) => summary(c.runRecord(id), context()) };
}

export function runHandlers(
  c: RunContext,
): HandlerGroup<'listRuns' | 'getRun' | 'startRun' | 'cancelRun' | 'resumeRun' | 'deleteRun' | 'renameRun' | 'activeRuns' | 'compareRuns'> {
  const s = runSummaries(c);
  return {
    listRuns: (i) => {
      const ctx = s.context();
      const runs = c.store.listRuns({
        status: i?.status,
        model: i?.model,
        datasetId: i?.datasetId,
        search: i?.search || undefined,
        sortBy: i?.sortBy ?? 'id',
        order: i?.order ?? 'desc',
      });
      return runs.map((r) => s.summary(r, ctx));
    },

    getRun: (i) => {
      const run = c.runRecord(i.runId);
      const evs = c.store.getEvaluations(run.id);
      const artifacts = c.store.listArtifacts(run.id);
      const ds = run.datasetId !== null ? c.store.getDataset(run.datasetId) : null;
      return {
        run: s.summary(run, s.context()),
        config: run.config,
        epochs: c.store.getEpochs(run.id).map(epochInfo),
        evaluations: evs.map(evalInfo),
        final: finalEvaluations(run, evs),
        artifacts: artifacts.map((a) => ({ id: a.id, kind: a.kind, name: a.name, format: a.format, shape: a.shape, bytes: a.bytes, epoch: a.epoch })),
        graphModalities: [...new Set(artifacts.filter((a) => a.kind === 'neighbours').map((a) => a.name.split('/')[0]))],
        embeddings: artifacts.filter((a) => a.kind === 'embeddings').map((a) => a.name),
        hasAttention: artifacts.some((a) => a.kind === 'attention'),
        nItems: ds?.stats.items ?? null,
        nUsers: ds?.stats.users ?? null,
      };
    },

    startRun: async (i) => {
      c.checkModel(i.model);
      const rec = datasetRecord(c.store, i.dataset);
      if (!rec.sourcePaths.every((p) => fs.existsSync(p))) throw new ApiError('CONFLICT', `dataset "${rec.name}": its files (${rec.sourcePaths.join(', ')}) no longer exist; re-import it`);
      const v = await validateRunSpec(i);
      if (!v.ok) throw new ApiError('INVALID_INPUT', v.errors.join('; '));
      const runId = await c.runs.launch({
        storePath: c.storePath,
        dataset: rec.name,
        spec: { model: i.model, preset: i.preset, seed: i.seed, model_overrides: i.modelOverrides, train_overrides: i.trainOverrides },
        name: i.name,
        backend: i.backend,
      });
      c.emit({ type: 'runs-changed' });
      return { runId };
    },

    cancelRun: (i) => {
      const run = c.runRecord(i.runId);
      if (c.runs.cancel(run.id)) return { cancelled: true };
      if (run.status === 'running') {
        throw new ApiError('CONFLICT', `run ${run.id} is running in another process (pid ${run.pid ?? '?'} on ${run.host ?? '?'}); stop it there`);
      }
      throw new ApiError('CONFLICT', `run ${run.id} is ${run.status}; only a running run can be cancelled`);
    },

    resumeRun: async (i) => {
      const run = c.runRecord(i.runId);
      if (c.runs.has(run.id)) throw new ApiError('CONFLICT', `run ${run.id} is already training`);
      const check = c.store.resumeCheck(run.id);
      if (!check.ok) throw new ApiError('CONFLICT', check.reason);
      const rec = run.datasetId !== null ? c.store.getDataset(run.datasetId) : null;
      if (!rec) throw new ApiError('CONFLICT', `run ${run.id}: its dataset is no longer registered`);
      const runId = await c.runs.launch({ storePath: c.storePath, dataset: rec.name, spec: { model: run.model }, resumeRunId: run.id });
      c.emit({ type: 'runs-changed' });
      return { runId };
    },

    deleteRun: (i) => {
      const run = c.runRecord(i.runId);
      if (c.runs.has(run.id)) throw new ApiError('CONFLICT', `run ${run.id} (${run.name}) is training; cancel it first`);
      // `force`: a run another process left `running` (its process may be gone or still training).
      const deleted = c.store.deleteRun(run.id, { force: i.force });
      c.artifacts.forget(run.id);
      c.emit({ type: 'runs-changed' });
      return { deleted };
    },

    renameRun: (i) => {
      c.runRecord(i.runId);
      c.store.renameRun(i.runId, i.name);
      c.emit({ type: 'runs-changed' });
      return s.one(i.runId);
    },

    activeRuns: () =>
      c.runs.entries().map(([runId, progress]): ActiveRun => {
        const r = c.store.getRun(runId);
        return { runId, name: r?.name ?? `run ${runId}`, model: r?.model ?? '', startedAt: r?.startedAt ?? null, progress };
      }),

    compareRuns: (i) => {
      const ids = [...new Set(i.runIds)];
      const ctx = s.context();
      const records = ids.map((id) => c.runRecord(id));
      const finals = records.map((r) => finalEvaluations(r, c.store.getEvaluations(r.id)));
      const keys = new Map<string, EvaluationInfo>();
      for (const f of finals) for (const e of f) keys.set(metricKey(e), e);
      const rows = [...keys.entries()]
        .sort((a, b) => evalOrder(a[1], b[1]))
        .map(([key, e]) => ({
          split: e.split,
          setting: e.setting,
          metric: e.metric,
          k: e.k,
          values: finals.map((f) => f.find((x) => metricKey(x) === key)?.value ?? null),
        }));
      return {
        runs: records.map((r) => s.summary(r, ctx)),
        rows,
        curves: records.map((r) => ({ runId: r.id, epochs: c.store.getEpochs(r.id).map(epochInfo) })),
      };
    },
  };
}
