// Worker-thread entry for dataset tasks (see tasks.ts). Each task opens its own connection to
// the run store, does one job and answers with one message.
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { RunStore, type DatasetRecord } from '../store';
import { DataError } from '../engine/types';
import { importDataset, loadRegistered, splitDataset, type SplitMode } from '../runs/datasets';
import { APP_VERSION } from '../version';
import type { TaskOp } from '../../shared/vocabulary';
import type { UmapTaskInput } from './embedding-map-task';

export type Task =
  | { op: 'import'; storePath: string; path: string; name?: string; layout: 'auto' | 'lattice' | 'mmrec' | 'raw'; setting?: 'warm' | 'cold' }
  | { op: 'split'; storePath: string; dataset: string; mode: SplitMode; out: string; name?: string; seed: number }
  | { op: 'diagnose'; storePath: string; dataset: string; ks: number[] }
  | { op: 'index'; storePath: string; dataset: string }
  | { op: 'recommend'; storePath: string; runId: number; k: number; split: 'test' | 'all'; format: 'csv' | 'jsonl' }
  | { op: 'doctor'; storePath: string; seconds: number }
  /** UMAP layout of the stored table's rows `rows` (all when omitted); answers [x0, y0, …]. */
  | ({ op: 'umap' } & UmapTaskInput);

// Every op of the vocabulary has a task shape, and no other.
type _SameOps = [Task['op']] extends [TaskOp] ? ([TaskOp] extends [Task['op']] ? true : never) : never;
const _sameOps: _SameOps = true;
void _sameOps;

export interface CsrArrays {
  nUsers: number;
  indptr: Int32Array;
  indices: Int32Array;
}

/** The interactions of a dataset without its features: what the explorer and user view need. */
export interface DatasetIndex {
  datasetId: number;
  fingerprint: string;
  nUsers: number;
  nItems: number;
  train: CsrArrays;
  val: CsrArrays;
  test: CsrArrays;
  userIds?: string[];
  itemIds?: string[];
  warnings: string[];
}

export interface TaskResults {
  import: { record: DatasetRecord; warnings: string[] };
  split: { record: DatasetRecord; warnings: string[] };
  diagnose: { modalities: import('../runs/diagnose').ModalityDiagnosis[]; seconds: number };
  index: DatasetIndex;
  recommend: { files: import('../../shared/api').ExportFile[] };
  doctor: import('../../shared/api').DoctorReport;
  umap: { coords: Float32Array; ms: number };
}
export type TaskResult<T extends Task> = TaskResults[T['op']];

export type TaskReply = { ok: true; value: unknown } | { ok: false; message: string; code?: string };

function requireDataset(store: RunStore, name: string): DatasetRecord {
  const rec = store.getDataset(name);
  if (!rec) throw new Error(`dataset "${name}" is not registered`);
  return rec;
}

const csr = (u: { nUsers: number; indptr: Int32Array; indices: Int32Array }): CsrArrays => ({ nUsers: u.nUsers, indptr: u.indptr, indices: u.indices });

export async function runTask(task: Task): Promise<unknown> {
  // Needs no store; trying the backends is the whole job.
  if (task.op === 'doctor') return (await import('../runs/doctor')).doctorReport(task.seconds);
  const store = RunStore.open(task.storePath, { appVersion: APP_VERSION, recover: false });
  try {
    switch (task.op) {
      case 'import': {
        const { record, dataset } = importDataset(store, path.resolve(task.path), { name: task.name, layout: task.layout, setting: task.setting });
        return { record, warnings: [...(dataset.warnings ?? [])] };
      }
      case 'split': {
        const rec = requireDataset(store, task.dataset);
        const { record, dataset } = splitDataset(store, loadRegistered(rec), task.mode, task.out, { seed: task.seed, name: task.name });
        return { record, warnings: [...(dataset.warnings ?? [])] };
      }
      case 'diagnose': {
        const t0 = Date.now();
        const rec = requireDataset(store, task.dataset);
        const { diagnoseDataset } = await import('../runs/diagnose');
        const modalities = diagnoseDataset(loadRegistered(rec), task.ks);
        return { modalities, seconds: (Date.now() - t0) / 1000 };
      }
      case 'recommend': {
        const { exportRecommendations } = await import('../runs/recommend');
        const { collectExport } = await import('./export-files');
        return { files: await collectExport((out) => exportRecommendations(store, task.runId, { k: task.k, split: task.split, format: task.format, out })) };
      }
      case 'umap':
        return (await import('./embedding-map-task')).umapTask(store, task);
      case 'index': {
        const rec = requireDataset(store, task.dataset);
        const ds = loadRegistered(rec);
        const index: DatasetIndex = {
          datasetId: rec.id,
          fingerprint: ds.fingerprint,
          nUsers: ds.nUsers,
          nItems: ds.nItems,
          train: csr(ds.train),
          val: csr(ds.val),
          test: csr(ds.test),
          userIds: ds.userIds ? [...ds.userIds] : undefined,
          itemIds: ds.itemIds ? [...ds.itemIds] : undefined,
          warnings: [...(ds.warnings ?? [])],
        };
        return index;
      }
    }
  } finally {
    store.close();
  }
}

if (parentPort) {
  runTask(workerData as Task).then(
    (value) => parentPort!.postMessage({ ok: true, value } satisfies TaskReply),
    (e: unknown) => {
      const err = e as Error & { code?: string };
      parentPort!.postMessage({ ok: false, message: err.message || String(e), code: e instanceof DataError ? 'DATA' : err.code } satisfies TaskReply);
    },
  );
}
