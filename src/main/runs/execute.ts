// Runs one training job against the run store: creates (or resumes) the run record, trains,
// writes each epoch's losses + metrics + checkpoint in one transaction, then final evaluations
// and the per-item artifacts (neighbours, attention, embeddings). Used in-process by the CLI and
// inside the worker thread by the app.
import os from 'node:os';
import { DEFAULT_CHECKPOINT_RETENTION, StoreError, type RunStore, type DatasetRecord, type EvaluationInput, type RunRecord } from '../store';
import type { Dataset, ProgressFn } from '../engine/types';
import type { ItemGraphs } from '../engine/models/types';
import { activeBackend, onGpu } from '../engine/backend';
import { chooseKernels, describeKernels } from '../engine/kernels/contrastive';
import { resolveRun, runExperiment, type ResolvedRun, type RunOutcome, type RunSpec } from '../engine/experiment';
import { MicroModel } from '../engine/models/micro/model';
import { combinedNeighbours } from '../engine/inspect';
import { saveEmbeddingArtifacts, saveIdMaps } from './run-artifacts';
import { APP_VERSION } from '../version';
import { metricProtocol } from '../../shared/vocabulary';
import { CANCEL_REASONS } from './cancel';

export interface ExecuteOptions {
  store: RunStore;
  dataset: Dataset;
  datasetRecord: DatasetRecord;
  spec: RunSpec;
  name?: string;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Called once the run record exists (lets a host report the id before training starts). */
  onRunCreated?: (run: RunRecord) => void;
  /** Continue this run (failed, cancelled or interrupted, with a checkpoint: see RunStore.resumeCheck) in place. */
  resumeRunId?: number;
}

export interface ExecuteResult {
  run: RunRecord;
  val: Record<string, number> | null;
  test: Record<string, number> | null;
}

const HEARTBEAT_MS = 5_000;

/**
 * Metric map like {'recall@20': 0.1, 'cold-only:recall@20': 0.2, users: 300} → evaluation rows
 * (a protocol prefix stays part of the metric name: `cold-only:recall`).
 */
export function metricRows(metrics: Record<string, number>, split: 'val' | 'test', setting: 'warm' | 'cold', epoch: number | null): EvaluationInput[] {
  const rows: EvaluationInput[] = [];
  for (const [key, value] of Object.entries(metrics)) {
    const m = /^((?:[a-z-]+:)?[a-z_]+)@(\d+)$/.exec(key);
    if (m) rows.push({ split, setting, metric: m[1], k: Number(m[2]), value, epoch });
  }
  return rows;
}

function datasetMismatch(ds: Dataset, rec: DatasetRecord): string | null {
  return ds.fingerprint === rec.fingerprint
    ? null
    : `dataset "${rec.name}" changed on disk since it was imported (fingerprint ${ds.fingerprint.slice(0, 12)} ≠ ${rec.fingerprint.slice(0, 12)}); re-import it`;
}

export async function executeRun(o: ExecuteOptions): Promise<ExecuteResult> {
  const { store, dataset: ds, datasetRecord } = o;
  const mismatch = datasetMismatch(ds, datasetRecord);
  if (mismatch) throw new Error(mismatch);
  let resolved: ResolvedRun;
  let run: RunRecord;
  let resumeFrom: Uint8Array | undefined;
  if (o.resumeRunId !== undefined) {
    // A run whose process died is still `running` until recovered; the store owns the rule.
    store.recoverInterruptedRuns();
    const check = store.resumeCheck(o.resumeRunId);
    if (!check.ok) throw new StoreError('INVALID_TRANSITION', check.reason, store.path);
    const info = store.getResumeInfo(o.resumeRunId);
    if (!info?.checkpoint.payload) throw new Error(`run ${o.resumeRunId} has no checkpoint to resume from`);
    const cfg = info.run.config as { resolved?: ResolvedRun };
    if (!cfg.resolved) throw new Error(`run ${o.resumeRunId} has no stored configuration`);
    resolved = cfg.resolved;
    resumeFrom = new Uint8Array(info.checkpoint.payload);
    run = store.startRun(info.run.id, { pid: process.pid });
  } else {
    resolved = resolveRun(o.spec);
    const { name: backend, adapter } = activeBackend();
    // The adapter (webgpu) says which device trained the run: a software one is a smoke test.
    // Off the GPU, the contrastive loss runs on native or wasm kernels: same results to rounding, not the same speed.
    const backendInfo = { name: backend, ...(adapter ? { adapter } : {}), ...(onGpu() ? {} : { contrastiveKernels: describeKernels(chooseKernels()) }) };
    run = store.createRun({
      name: o.name,
      datasetId: datasetRecord.id,
      datasetFingerprint: ds.fingerprint,
      model: resolved.model,
      preset: resolved.preset,
      config: { resolved, dataset: { name: datasetRecord.name, setting: ds.setting, paths: ds.sourcePaths }, host: os.hostname(), backendInfo },
      backend,
      seed: resolved.seed,
      appVersion: APP_VERSION,
    });
    run = store.startRun(run.id, { pid: process.pid });
  }
  o.onRunCreated?.(run);
  let lastBeat = Date.now();
  // The process's resident set, sampled at every progress event (per batch): a worker thread
  // shares it with its host, so it is an upper bound on what the run itself needed.
  let peakRss = process.memoryUsage().rss;
  const onProgress: ProgressFn = (e) => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (Date.now() - lastBeat > HEARTBEAT_MS) {
      store.setHeartbeat(run.id);
      lastBeat = Date.now();
    }
    o.onProgress?.(e);
  };
  try {
    const out = await runExperiment(ds, resolved, {
      signal: o.signal,
      onProgress,
      resumeFrom,
      onEpoch: async (e, checkpoint) => {
        const payload = await checkpoint(); // read first: the epoch's transaction stays synchronous
        store.recordEpochWithCheckpoint(
          run.id,
          { epoch: e.epoch, losses: e.losses, metrics: e.val ?? null, seconds: e.seconds },
          { payload },
          {
            evaluations: e.val ? metricRows(e.val, 'val', ds.setting, e.epoch) : undefined,
            bestEpoch: e.improved ? e.epoch : undefined,
            retainCheckpoints: DEFAULT_CHECKPOINT_RETENTION,
          },
        );
      },
    });
    try {
      const bestEpoch = out.train.bestEpoch > 0 ? out.train.bestEpoch : null;
      const rows = [
        ...(out.val ? metricRows(out.val, 'val', ds.setting, bestEpoch) : []),
        ...(out.test ? metricRows(out.test, 'test', ds.setting, bestEpoch) : []),
      ];
      store.recordEvaluations(run.id, rows);
      savePerUserMetrics(store, run.id, out.perUser, ds.setting);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      store.putArtifact(run.id, { kind: 'resources', name: 'memory', format: 'f64', payload: new Float64Array([peakRss / 2 ** 20]), shape: [1], meta: { peakRssMb: peakRss / 2 ** 20, sampled: 'process RSS at every progress event' } });
      if (out.model instanceof MicroModel) await saveMicroArtifacts(store, run.id, out.model);
      else if (out.model.itemGraphs) saveGraphArtifacts(store, run.id, await out.model.itemGraphs());
      await saveEmbeddingArtifacts(store, run.id, out.model);
      saveIdMaps(store, run.id, ds);
      const status = out.train.status === 'cancelled' ? 'cancelled' : 'completed';
      const reason = typeof o.signal?.reason === 'string' ? o.signal.reason : CANCEL_REASONS.user.error;
      run = store.finishRun(run.id, status, { bestEpoch, error: status === 'cancelled' ? reason : null });
      return { run, val: out.val, test: out.test };
    } finally {
      out.model.dispose();
    }
  } catch (e) {
    const msg = (e as Error).message || String(e);
    try {
      run = store.finishRun(run.id, 'failed', { error: msg });
    } catch {
      // The store itself failed (full disk, I/O error): the original error is the one to report;
      // the run stays `running` until recovery marks it interrupted (its checkpoint stays valid).
    }
    throw e;
  }
}

/** The metric columns of a per-user artifact: Recall, Precision, Hit and NDCG at every K evaluated. */
export const PER_USER_METRICS = ['recall', 'precision', 'hit', 'ndcg'] as const;

/**
 * Per-user values of the final evaluations, one pair of artifacts per split (kind `per-user`,
 * name = split): `<split>` an f32 users × columns matrix (meta.columns: 'recall@20', …) and
 * `<split>/users` the evaluated user ids (i32), row for row. Study statistics (paired tests
 * against a reference cell) are recomputed from them.
 */
export function savePerUserMetrics(store: RunStore, runId: number, perUser: RunOutcome['perUser'], setting: 'warm' | 'cold'): void {
  for (const split of ['val', 'test'] as const) {
    const pu = perUser[split];
    if (!pu) continue;
    const columns = Object.keys(pu.metrics).filter((k) => (PER_USER_METRICS as readonly string[]).includes(metricProtocol(k).key.split('@')[0]));
    const n = pu.users.length;
    const matrix = new Float32Array(n * columns.length);
    columns.forEach((c, j) => {
      const v = pu.metrics[c];
      for (let u = 0; u < n; u++) matrix[u * columns.length + j] = v[u];
    });
    store.putArtifact(runId, { kind: 'per-user', name: split, format: 'f32', payload: matrix, shape: [n, columns.length], meta: { split, setting, columns, users: `${split}/users` } });
    store.putArtifact(runId, { kind: 'per-user', name: `${split}/users`, format: 'i32', payload: pu.users, shape: [n], meta: { split, setting } });
  }
}

/** Neighbour lists per modality and stage: initial, learned and their λ-combination (eq. 5). */
export function saveGraphArtifacts(store: RunStore, runId: number, graphs: ItemGraphs): void {
  for (const m of graphs.modalities) {
    const n = m.initial.indices.length / m.k;
    const combined = combinedNeighbours(m, graphs.lambda, n);
    const put = (stage: 'initial' | 'learned' | 'combined', idx: Int32Array, w: Float32Array, k: number) => {
      store.putNeighbours(runId, { modality: m.name, stage, payload: idx, shape: [n, k], format: 'i32', meta: { k } });
      store.putArtifact(runId, { kind: 'neighbour-weights', name: `${m.name}/${stage}`, format: 'f32', payload: w, shape: [n, k], meta: { modality: m.name, stage } });
    };
    put('initial', m.initial.indices, m.initial.weights, m.k);
    put('learned', m.learned.indices, m.learned.weights, m.k);
    put('combined', combined.indices, combined.weights, combined.k);
  }
}

/** MICRO's neighbour lists and attention weights, from one inspection (embeddings: run-artifacts.ts). */
export async function saveMicroArtifacts(store: RunStore, runId: number, model: MicroModel): Promise<void> {
  const ins = await model.inspect();
  const n = model.nItems;
  saveGraphArtifacts(store, runId, ins);
  const names = ins.modalities.map((m) => m.name);
  if (ins.alpha) store.putArtifact(runId, { kind: 'attention', name: 'modality', format: 'f32', payload: ins.alpha, shape: [n, names.length], meta: { columns: names } });
  if (ins.alphaSharedSpecific)
    store.putArtifact(runId, {
      kind: 'attention',
      name: 'shared-specific',
      format: 'f32',
      payload: ins.alphaSharedSpecific,
      shape: [n, names.length + 1],
      meta: { columns: ['shared', ...names.map((x) => `specific:${x}`)] },
    });
}
