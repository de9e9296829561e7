// The one implementation of the workbench API, over the run store, the run host (training in
// worker threads) and the task runner (dataset work in worker threads). Electron IPC and the
// browser-mode HTTP server both call `call(method, input)`; every input is validated with the
// shared zod schemas first. Only light work happens here: reads, small vector math, bookkeeping.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { RunStore, isStoreError, type DatasetRecord, type RunRecord } from '../store';
import { RunHost, type HostOptions, type RunHandle } from '../runs/host';
import { APP_VERSION } from '../version';
import {
  ApiError,
  isApiMethod,
  parseInput,
  progressFraction,
  type ActiveRun,
  type ApiEvent,
  type ApiResult,
  type DatasetInfo,
  type DatasetSummary,
  type EvaluationInfo,
  type MetricMap,
  type MicroApi,
  type ModelCapabilities,
  type ProgressInfo,
  type RunStatus,
  type RunSummary,
} from '../../shared/api';
import { TaskRunner, TaskStopped, type TaskRunnerOptions } from './tasks';
import type { DatasetIndex, Task, TaskResult } from './task-worker';
import { modelOptions, validateRunSpec } from './options';
import { ArtifactReader } from './artifacts';
import { exploreHandlers } from './explore';
import { itemHandlers } from './items';
import { datasetHandlers, datasetRecord } from './datasets';
import type { Handlers } from './handlers';
import { epochInfo, evalInfo, evalOrder, finalEvaluations, metricKey } from './records';

export interface ServiceOptions {
  storePath: string;
  mode: 'electron' | 'browser';
  /** Training worker entry and exec args (Electron passes its bundled worker). */
  host?: HostOptions;
  /** Dataset task worker entry and exec args. */
  tasks?: TaskRunnerOptions;
  /** Default parent folder of new splits (default: `<store folder>/datasets`). */
  dataDir?: string;
  /** Test hooks passed to every training worker. */
  testHooks?: { crashAfterBatches?: number };
}

interface ActiveEntry {
  handle: RunHandle;
  progress: ProgressInfo | null;
}

/** Map any thrown value to an ApiError users can read. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as Error & { code?: string };
  const message = err?.message || String(e);
  if (isStoreError(e)) {
    if (e.code === 'NOT_FOUND') return new ApiError('NOT_FOUND', message);
    if (e.code === 'INVALID_INPUT') return new ApiError('INVALID_INPUT', message);
    if (e.code === 'RUN_ACTIVE' || e.code === 'IN_USE' || e.code === 'INVALID_TRANSITION') return new ApiError('CONFLICT', message);
    return new ApiError('FAILED', message);
  }
  if (err?.name === 'DataError' || err?.code === 'DATA') return new ApiError('INVALID_INPUT', message);
  if (e instanceof TaskStopped) return new ApiError(e.code === 'CANCELLED' ? 'CANCELLED' : e.code === 'CRASHED' ? 'FAILED' : 'LIMIT', message);
  return new ApiError('FAILED', message);
}

export class WorkbenchService {
  readonly events = new EventEmitter();
  readonly store: RunStore;
  readonly artifacts: ArtifactReader;
  private readonly host: RunHost;
  private readonly tasks: TaskRunner;
  private readonly active = new Map<number, ActiveEntry>();
  private readonly indexCache = new Map<number, { fingerprint: string; index: Promise<DatasetIndex> }>();
  private closed = false;
  /** The model registry, loaded on the first call (it pulls in TF.js: not at start-up). */
  private registry: typeof import('../engine/models/registry') | null = null;
  private readonly handlers: Handlers;

  constructor(private readonly opts: ServiceOptions) {
    if (opts.storePath === ':memory:') throw new Error('the workbench needs a store file (workers open it too), not :memory:');
    this.store = RunStore.open(opts.storePath, { appVersion: APP_VERSION });
    this.artifacts = new ArtifactReader(this.store);
    this.host = new RunHost(opts.host);
    this.tasks = new TaskRunner(opts.tasks);
    this.events.setMaxListeners(100);
    this.handlers = this.buildHandlers();
  }

  /** Validate and run one method; never throws (transports send the result as-is). */
  async call(method: string, input: unknown): Promise<ApiResult<unknown>> {
    try {
      if (!isApiMethod(method)) throw new ApiError('NOT_FOUND', `unknown API method "${method}"`);
      if (this.closed) throw new ApiError('UNAVAILABLE', 'the workbench is shutting down');
      const parsed = parseInput(method, input);
      this.registry ??= await import('../engine/models/registry');
      const handler = this.handlers[method] as (i: unknown) => unknown;
      return { ok: true, value: await handler(parsed) };
    } catch (e) {
      const err = toApiError(e);
      return { ok: false, error: { code: err.code, message: err.message } };
    }
  }

  /** The typed API in-process (tests, Electron main): validates like the transports. */
  api(): MicroApi {
    const out: Record<string, (input?: unknown) => Promise<unknown>> = {};
    for (const m of Object.keys(this.handlers)) {
      out[m] = async (input?: unknown) => {
        const r = await this.call(m, input);
        if (!r.ok) throw new ApiError(r.error.code, r.error.message);
        return r.value;
      };
    }
    return out as unknown as MicroApi;
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Cancel running trainings, wait for them to stop, close the store. */
  async close(opts: { waitMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.active.values()].map((a) => {
      a.handle.cancel();
      return a.handle.done;
    });
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, opts.waitMs ?? 15_000).unref())]);
    await this.tasks.terminateAll();
    this.store.close();
  }

  /** Never throws: a failing listener (a closed socket, a destroyed window) must not stop the caller. */
  private emit(e: ApiEvent): void {
    try {
      this.events.emit('event', e);
    } catch (err) {
      process.stderr.write(`workbench: an event listener failed: ${(err as Error)?.message ?? String(err)}\n`);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A dataset task in a bounded worker; listeners hear when the task list changes. */
  private async task<T extends Task>(task: T): Promise<TaskResult<T>> {
    try {
      return await this.tasks.run(task, () => this.emit({ type: 'tasks-changed' }));
    } finally {
      this.emit({ type: 'tasks-changed' });
    }
  }

  /** @internal (explore handlers) */
  get storePath(): string {
    return this.opts.storePath;
  }

  /** @internal (explore handlers: recommendations export) */
  runTask<T extends Task>(task: T): Promise<TaskResult<T>> {
    return this.task(task);
  }

  /** @internal (explore handlers) */
  runRecord(id: number): RunRecord {
    const r = this.store.getRun(id);
    if (!r) throw new ApiError('NOT_FOUND', `run ${id} not found`);
    return r;
  }

  private summary(run: RunRecord, ctx: { datasets: Map<number, DatasetRecord>; resumable: Set<number> }): RunSummary {
    const evs = this.store.getEvaluations(run.id);
    const metrics: MetricMap = {};
    for (const e of finalEvaluations(run, evs)) metrics[`${e.split}/${e.metric}@${e.k}`] = e.value;
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
      epochsRecorded: this.store.lastEpoch(run.id) ?? 0,
      parentRunId: run.parentRunId,
      metrics,
      capabilities: this.capabilities(run.model),
      resumable: ctx.resumable.has(run.id),
      active: this.active.has(run.id),
    };
  }

  private summaryContext() {
    return {
      datasets: new Map(this.store.listDatasets().map((d) => [d.id, d])),
      resumable: new Set(this.store.resumableRuns({ includeResumed: true }).map((r) => r.id)),
    };
  }

  private runSummary(id: number): RunSummary {
    return this.summary(this.runRecord(id), this.summaryContext());
  }

  /** Interactions of a run's dataset (loaded in a task worker, cached per fingerprint). */
  /** @internal (explore handlers) */
  async datasetIndex(run: RunRecord): Promise<DatasetIndex> {
    if (run.datasetId === null) throw new ApiError('NOT_FOUND', `run ${run.id} has no registered dataset`);
    const rec = this.store.getDataset(run.datasetId);
    if (!rec) throw new ApiError('NOT_FOUND', `run ${run.id}: its dataset is no longer registered`);
    const hit = this.indexCache.get(rec.id);
    if (hit && hit.fingerprint === rec.fingerprint) return hit.index;
    const index = this.task({ op: 'index', storePath: this.opts.storePath, dataset: rec.name });
    this.indexCache.set(rec.id, { fingerprint: rec.fingerprint, index });
    index.catch(() => this.indexCache.delete(rec.id));
    return index;
  }

  /** @internal (explore handlers) */
  noArtifacts(run: RunRecord, what: string): ApiError {
    if (run.status === 'running' || run.status === 'queued') return new ApiError('CONFLICT', `run ${run.id} is still ${run.status}; ${what} are stored when it finishes`);
    if (!Object.values(this.capabilities(run.model)).some(Boolean)) return new ApiError('NOT_FOUND', `run ${run.id} (${run.model}) has no ${what}: its model stores none`);
    return new ApiError('NOT_FOUND', `run ${run.id} has no ${what} (it ended ${run.status} before storing them)`);
  }

  /** What a model's runs store; a model no longer in the registry stores nothing we can show. */
  private capabilities(model: string): ModelCapabilities {
    const c = this.registry?.findModel(model)?.capabilities;
    return c ? { ...c } : { embeddings: false, graphs: false, attention: false, explanations: false };
  }

  /** The contract takes any model name; the registry decides (before any other lookup). */
  private checkModel(model: string): void {
    if (!this.registry?.findModel(model)) throw new ApiError('INVALID_INPUT', `model: expected one of ${(this.registry?.MODEL_KINDS ?? []).join(', ')}`);
  }

  private attachRun(handle: RunHandle, runId: number): void {
    const entry: ActiveEntry = { handle, progress: null };
    this.active.set(runId, entry);
    handle.events.on('progress', (id: number, ev: ProgressInfo) => {
      const p: ProgressInfo = { ...ev };
      const f = progressFraction(p);
      if (f !== undefined) p.fraction = f;
      // Keep the latest train-phase counters when validating (the bar should not jump back).
      entry.progress = { ...(entry.progress ?? {}), ...p };
      this.emit({ type: 'progress', runId: id, progress: p });
    });
    // No rejection may escape: a store error here used to take the whole server down.
    void handle.done
      .then((r) => this.runEnded(runId, r), (e: unknown) => this.runEnded(runId, { status: 'failed', error: `training worker failed: ${(e as Error)?.message ?? String(e)}` }))
      .catch((e: unknown) => process.stderr.write(`workbench: run ${runId} ended, but its status could not be reported: ${(e as Error)?.message ?? String(e)}\n`));
    this.emit({ type: 'run-updated', runId, status: 'running', error: null });
  }

  /**
   * A run's worker finished. The worker records its own status; when it could not (it died, or
   * the store refused its last write), the run is marked failed here with the worker's error.
   */
  private runEnded(runId: number, r: { status: string; error?: string }): void {
    this.active.delete(runId);
    let status = r.status as RunStatus;
    let error = r.error ?? null;
    try {
      const run = this.store.getRun(runId);
      if (run && (run.status === 'running' || run.status === 'queued')) {
        error ??= `the training worker stopped (${r.status}) without recording the run's end`;
        this.store.finishRun(runId, 'failed', { error });
        status = 'failed';
      } else if (run) {
        status = run.status;
        error = run.error ?? error;
      }
    } catch (e) {
      status = 'failed';
      error = `${error ? `${error}; ` : ''}the run store could not record the end of run ${runId}: ${(e as Error)?.message ?? String(e)}`;
    }
    this.emit({ type: 'run-updated', runId, status, error });
    this.emit({ type: 'runs-changed' });
  }

  private async launch(req: Parameters<RunHost['start']>[0]): Promise<number> {
    const handle = this.host.start({ ...req, ...(this.opts.testHooks ?? {}) });
    let runId: number;
    try {
      runId = await handle.runId;
    } catch (e) {
      const r = await handle.done;
      throw new ApiError('FAILED', r.error ?? (e as Error).message);
    }
    this.attachRun(handle, runId);
    return runId;
  }

  // ---------------------------------------------------------------- handlers

  private buildHandlers(): Handlers {
    return {
      appInfo: () => ({ version: APP_VERSION, mode: this.opts.mode, storePath: this.store.path, platform: process.platform, modelKinds: [...(this.registry?.MODEL_KINDS ?? [])] }),

      ...datasetHandlers({
        store: this.store,
        storePath: this.opts.storePath,
        dataDir: this.opts.dataDir ?? path.join(path.dirname(this.store.path), 'datasets'),
        tasks: this.tasks,
        task: (t) => this.task(t),
        emit: (e) => this.emit(e),
        forget: (id) => this.indexCache.delete(id),
      }),

      modelOptions: () => modelOptions(),

      validateRun: (i) => {
        this.checkModel(i.model);
        return validateRunSpec(i);
      },

      listRuns: (i) => {
        const ctx = this.summaryContext();
        const runs = this.store.listRuns({
          status: i?.status,
          model: i?.model,
          datasetId: i?.datasetId,
          search: i?.search || undefined,
          sortBy: i?.sortBy ?? 'id',
          order: i?.order ?? 'desc',
        });
        return runs.map((r) => this.summary(r, ctx));
      },

      getRun: (i) => {
        const run = this.runRecord(i.runId);
        const evs = this.store.getEvaluations(run.id);
        const artifacts = this.store.listArtifacts(run.id);
        const ds = run.datasetId !== null ? this.store.getDataset(run.datasetId) : null;
        return {
          run: this.summary(run, this.summaryContext()),
          config: run.config,
          epochs: this.store.getEpochs(run.id).map(epochInfo),
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
        this.checkModel(i.model);
        const rec = datasetRecord(this.store, i.dataset);
        if (!rec.sourcePaths.every((p) => fs.existsSync(p))) throw new ApiError('CONFLICT', `dataset "${rec.name}": its files (${rec.sourcePaths.join(', ')}) no longer exist; re-import it`);
        const v = await validateRunSpec(i);
        if (!v.ok) throw new ApiError('INVALID_INPUT', v.errors.join('; '));
        const runId = await this.launch({
          storePath: this.opts.storePath,
          dataset: rec.name,
          spec: { model: i.model, preset: i.preset, seed: i.seed, model_overrides: i.modelOverrides, train_overrides: i.trainOverrides },
          name: i.name,
        });
        this.emit({ type: 'runs-changed' });
        return { runId };
      },

      cancelRun: (i) => {
        const run = this.runRecord(i.runId);
        if (this.host.cancel(run.id)) return { cancelled: true };
        if (run.status === 'running') {
          throw new ApiError('CONFLICT', `run ${run.id} is running in another process (pid ${run.pid ?? '?'} on ${run.host ?? '?'}); stop it there`);
        }
        throw new ApiError('CONFLICT', `run ${run.id} is ${run.status}; only a running run can be cancelled`);
      },

      resumeRun: async (i) => {
        const run = this.runRecord(i.runId);
        if (this.active.has(run.id)) throw new ApiError('CONFLICT', `run ${run.id} is already training`);
        const check = this.store.resumeCheck(run.id);
        if (!check.ok) throw new ApiError('CONFLICT', check.reason);
        const rec = run.datasetId !== null ? this.store.getDataset(run.datasetId) : null;
        if (!rec) throw new ApiError('CONFLICT', `run ${run.id}: its dataset is no longer registered`);
        const runId = await this.launch({ storePath: this.opts.storePath, dataset: rec.name, spec: { model: run.model }, resumeRunId: run.id });
        this.emit({ type: 'runs-changed' });
        return { runId };
      },

      deleteRun: (i) => {
        const run = this.runRecord(i.runId);
        if (this.active.has(run.id)) throw new ApiError('CONFLICT', `run ${run.id} (${run.name}) is training; cancel it first`);
        const deleted = this.store.deleteRun(run.id);
        this.artifacts.forget(run.id);
        this.emit({ type: 'runs-changed' });
        return { deleted };
      },

      renameRun: (i) => {
        this.runRecord(i.runId);
        this.store.renameRun(i.runId, i.name);
        this.emit({ type: 'runs-changed' });
        return this.runSummary(i.runId);
      },

      activeRuns: () =>
        [...this.active.entries()].map(([runId, a]): ActiveRun => {
          const r = this.store.getRun(runId);
          return { runId, name: r?.name ?? `run ${runId}`, model: r?.model ?? '', startedAt: r?.startedAt ?? null, progress: a.progress };
        }),

      compareRuns: (i) => {
        const ids = [...new Set(i.runIds)];
        const ctx = this.summaryContext();
        const records = ids.map((id) => this.runRecord(id));
        const finals = records.map((r) => finalEvaluations(r, this.store.getEvaluations(r.id)));
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
          runs: records.map((r) => this.summary(r, ctx)),
          rows,
          curves: records.map((r) => ({ runId: r.id, epochs: this.store.getEpochs(r.id).map(epochInfo) })),
        };
      },

      ...exploreHandlers(this),

      ...itemHandlers(this),
    };
  }
}
