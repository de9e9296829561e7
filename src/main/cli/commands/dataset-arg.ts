// A dataset named on the command line: a registered name, or a folder/file imported on the fly.
// Anything missing is bad input (exit 3), naming what is registered.
import fs from 'node:fs';
import type { RunStore, DatasetRecord } from '../../store';
import type { Dataset } from '../../engine/types';
import { importDataset, loadRegistered } from '../../runs/datasets';
import { CliError } from '../errors';

function missing(store: RunStore, nameOrPath: string): CliError {
  const known = store.listDatasets().map((d) => d.name);
  return new CliError('DATA', `no dataset named "${nameOrPath}" and no such folder${known.length ? ` (registered: ${known.join(', ')})` : ' (no datasets imported yet)'}`);
}

/** The registered record (importing a folder first); the data itself is not loaded. */
export function datasetArg(store: RunStore, nameOrPath: string): DatasetRecord {
  const rec = store.getDataset(nameOrPath);
  if (rec) return rec;
  if (!fs.existsSync(nameOrPath)) throw missing(store, nameOrPath);
  return importDataset(store, nameOrPath).record;
}

/** The record and its loaded data (a registered dataset whose files are gone is bad input too). */
export function loadDatasetArg(store: RunStore, nameOrPath: string): { record: DatasetRecord; dataset: Dataset } {
  const rec = store.getDataset(nameOrPath);
  if (!rec) {
    if (!fs.existsSync(nameOrPath)) throw missing(store, nameOrPath);
    return importDataset(store, nameOrPath);
  }
  const src = rec.sourcePaths[0];
  if (!src || !fs.existsSync(src)) throw new CliError('DATA', `dataset "${rec.name}": source ${src ?? '(none)'} no longer exists; re-import it`);
  return { record: rec, dataset: loadRegistered(rec) };
}
