// The one implementation of the workbench API, over the run store, the run host (training in
// worker threads) and the task runner (dataset work in worker threads). Electron IPC and the
// browser-mode HTTP server both call `call(method, input)`; every input is validated with the
// shared zod schemas first. Only light work happens here: reads, small vector math, bookkeeping.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { RunStore, type RunRecord } from '../store';
import type { HostOptions } from '../runs/host';
import { APP_VERSION } from '../version';
import { ApiError, isApiMethod, parseInput, type ApiEvent, type ApiResult, type AppMode, type MicroApi, type ModelCapabilities } from '../../shared/api';
import { TaskRunner, type TaskRunnerOptions } from './tasks';
import type { DatasetIndex, Task, TaskResult } from './task-worker';
import { modelOptions, validateRunSpec } from './options';
import { ArtifactReader } from './artifacts';
import { exploreHandlers } from './explore';
import { embeddingMapHandlers } from './embedding-map';
import { itemHandlers } from './items';
import { runPageHandlers } from './run-page';
import { datasetHandlers } from './datasets';
import { runHandlers } from './runs';
import { studyHandlers } from './studies';
import { RunSupervisor } from './supervisor';
import { StoreUnavailable, toApiError } from './errors';
import type { Handlers } from './handlers';

export { toApiError } from './errors';

export interface ServiceOptions {
  storePath: string;
  mode: AppMode;
  /** Training worker entry and exec args (Electron passes its bundled worker). */
  host?: HostOptions;
  /** Dataset task worker entry and exec args. */
  tasks?: TaskRunnerOptions;
  /** Default parent folder of new splits (default: `<store folder>/datasets`). */
  dataDir?: string;
  /** Test hooks passed to every training worker. */
  testHooks?: { crashAfterBatches?: number };
}

export class WorkbenchService {
  readonly events = new EventEmitter();
  readonly store: RunStore;
  readonly artifacts: ArtifactReader;
  readonly runs: RunSupervisor;
  private readonly tasks: TaskRunner;
  private readonly indexCache = new Map<number, { fingerprint: string; index: Promise<DatasetIndex> }>();
  private closed = false;
  /** The model registry, loaded on the first call (it pulls in TF.js: not at start-up). */
  private registry: typeof import('../engine/registry') | null = null;
  private readonly handlers: Handlers;

  /** Throws StoreUnavailable (code UNAVAILABLE) when the store refuses to open, naming why. */
  constructor(private readonly opts: ServiceOptions) {
    if (opts.storePath === ':memory:') throw new Error('the workbench needs a store file (workers open it too), not :memory:');
    try {
      this.store = RunStore.open(opts.storePath, { appVersion: APP_VERSION });
    } catch (e) {
      throw new StoreUnavailable((e as Error)?.message ?? String(e));
    }
    this.artifacts = new ArtifactReader(this.store);
    this.runs = new RunSupervisor(this.store, (e) => this.emit(e), opts.host, opts.testHooks);
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
      this.registry ??= await import('../engine/registry');
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
    await this.runs.stopAll(opts.waitMs ?? 15_000);
    await this.tasks.terminateAll();
    this.store.close();
  }

  /** Never throws: a failing listener (a closed socket, a destroyed window) must not stop the caller. */
  /** @internal (handler groups) */
  emit(e: ApiEvent): void {
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
  capabilities(model: string): ModelCapabilities {
    const c = this.registry?.findModel(model)?.capabilities;
    return c ? { ...c } : { embeddings: false, graphs: false, attention: false, explanations: false };
  }

  /** The contract takes any model name; the registry decides (before any other lookup). */
  checkModel(model: string): void {
    if (!this.registry?.findModel(model)) throw new ApiError('INVALID_INPUT', `model: expected one of ${(this.registry?.MODEL_KINDS ?? []).join(', ')}`);
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

      doctor: (i) => this.task({ op: 'doctor', storePath: this.opts.storePath, seconds: i?.seconds ?? 1 }),

      modelOptions: () => modelOptions(),

      validateRun: (i) => {
        this.checkModel(i.model);
        return validateRunSpec(i);
      },

      ...runHandlers(this),

      ...exploreHandlers(this),

      ...embeddingMapHandlers(this),

      ...itemHandlers(this),

      ...runPageHandlers(this),

      ...studyHandlers(this),
    };
  }
}
