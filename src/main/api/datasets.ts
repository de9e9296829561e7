// Dataset methods of the API: the registry, import, split and pilot studies (the heavy work runs
// in bounded task workers; a study's result is stored with its dataset), and the task list with cancel.
import fs from 'node:fs';
import path from 'node:path';
import { isStoreError, type DatasetRecord, type RunStore } from '../store';
import { ApiError, type ApiEvent } from '../../shared/api';
import type { TaskRunner } from './tasks';
import type { Task, TaskResult } from './task-worker';
import type { HandlerGroup } from './handlers';
import { datasetInfo, datasetSummary } from './records';

export interface DatasetContext {
  store: RunStore;
  storePath: string;
  /** Default parent folder of new splits. */
  dataDir: string;
  tasks: TaskRunner;
  task<T extends Task>(task: T): Promise<TaskResult<T>>;
  emit(e: ApiEvent): void;
  /** A dataset was deleted: drop what is cached about it. */
  forget(datasetId: number): void;
}

/** A registered dataset by name or id; NOT_FOUND lists the registered names. */
export function datasetRecord(store: RunStore, ref: number | string): DatasetRecord {
  const rec = store.getDataset(ref);
  if (rec) return rec;
  const known = store.listDatasets().map((d) => d.name);
  throw new ApiError('NOT_FOUND', `dataset ${typeof ref === 'number' ? ref : `"${ref}"`} not found${known.length ? ` (registered: ${known.join(', ')})` : ' (no datasets imported yet)'}`);
}

export function datasetHandlers(c: DatasetContext): HandlerGroup<'listDatasets' | 'importDataset' | 'datasetInfo' | 'splitDataset' | 'diagnoseDataset' | 'deleteDataset' | 'listTasks' | 'cancelTask'> {
  // The stored warnings are the import's (the worker stored them with the record).
  const info = (d: DatasetRecord) => {
    const rec = c.store.getDataset(d.id) ?? d;
    return datasetInfo(rec, c.store.runCountsByDataset(), rec.warnings, c.store.countItems(rec.id), c.store.getDatasetPilot(rec.id));
  };
  return {
    listDatasets: () => {
      const counts = c.store.runCountsByDataset();
      return c.store.listDatasets().map((d) => datasetSummary(d, counts));
    },

    importDataset: async (i) => {
      const target = path.resolve(i.path);
      if (!fs.existsSync(target)) throw new ApiError('INVALID_INPUT', `path: ${target} does not exist`);
      const { record } = await c.task({ op: 'import', storePath: c.storePath, path: target, name: i.name, layout: i.layout, setting: i.setting });
      c.emit({ type: 'datasets-changed' });
      return info(record);
    },

    datasetInfo: (i) => info(datasetRecord(c.store, i.dataset)),

    splitDataset: async (i) => {
      const src = datasetRecord(c.store, i.dataset);
      const name = i.name ?? `${src.name}-${i.mode}`;
      if (c.store.getDataset(name)) throw new ApiError('CONFLICT', `name: a dataset named "${name}" already exists; choose another name`);
      // A folder name of the dataset's own: never `.`, `..` or hidden.
      const out = path.resolve(i.out ?? path.join(c.dataDir, name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_')));
      // The default parent is ours to create; a folder the caller names must already exist.
      if (!i.out) fs.mkdirSync(path.dirname(out), { recursive: true });
      const { record } = await c.task({ op: 'split', storePath: c.storePath, dataset: src.name, mode: i.mode, out, name, seed: i.seed });
      c.emit({ type: 'datasets-changed' });
      return info(record);
    },

    diagnoseDataset: async (i) => {
      const rec = datasetRecord(c.store, i.dataset);
      if (!rec.modalities.length) throw new ApiError('INVALID_INPUT', `dataset "${rec.name}" has no feature modalities to diagnose`);
      const r = await c.task({ op: 'diagnose', storePath: c.storePath, dataset: rec.name, ks: i.ks });
      // The ks as computed: a small dataset trims the default list.
      const pilot = { fingerprint: rec.fingerprint, ks: r.modalities[0]?.shareWithSimilarPair.map((s) => s.k) ?? [], modalities: r.modalities, seconds: r.seconds };
      // Kept with the dataset (datasetInfo shows it after a reload); a read-only store or a dataset
      // deleted meanwhile still gets its answer.
      let at = new Date().toISOString();
      if (!c.store.readonly) {
        try {
          at = c.store.setDatasetPilot(rec.id, pilot).at;
        } catch (e) {
          if (!isStoreError(e, 'NOT_FOUND')) throw e;
        }
      }
      return { dataset: rec.name, ks: pilot.ks, modalities: r.modalities, seconds: r.seconds, at };
    },

    deleteDataset: (i) => {
      const rec = datasetRecord(c.store, i.dataset);
      const deleted = c.store.deleteDataset(rec.id);
      c.forget(rec.id);
      c.emit({ type: 'datasets-changed' });
      return { deleted };
    },

    listTasks: () => c.tasks.list(),

    cancelTask: (i) => ({ cancelled: c.tasks.cancel(i.taskId) }),
  };
}
