// Dataset registry operations shared by the CLI, the worker and the app API: import a folder
// (detect + validate + register), load a registered dataset back, build and register splits.
import fs from 'node:fs';
import path from 'node:path';
import type { RunStore, DatasetRecord } from '../store';
import type { Dataset, SplitSetting } from '../engine/types';
import {
  carveTestFromTrain,
  coldSplit,
  computeStats,
  loadDataset,
  mergeUserItems,
  saveLatticeDataset,
  warmSplit,
  withSplits,
  type LayoutChoice,
} from '../engine/data';

export function statsForStore(ds: Dataset) {
  const s = computeStats(ds);
  return {
    users: s.nUsers,
    items: s.nItems,
    interactions: { train: s.nTrain, val: s.nVal, test: s.nTest },
    density: s.density,
    coldItems: s.coldItems,
    usersWithoutTrain: s.usersWithoutTrain,
  };
}

export function registerLoaded(store: RunStore, ds: Dataset, sourcePath: string): DatasetRecord {
  return store.registerDataset({
    name: ds.name,
    sourcePaths: [path.resolve(sourcePath)],
    layout: ds.layout,
    setting: ds.setting,
    modalities: ds.modalities.map((m) => ({ name: m.name, dim: m.dim })),
    stats: statsForStore(ds),
    fingerprint: ds.fingerprint,
  });
}

export interface ImportOptions {
  name?: string;
  layout?: LayoutChoice;
  setting?: SplitSetting;
}

/** Load, validate and register a dataset folder/file; returns the record and the loaded data. */
export function importDataset(store: RunStore, folder: string, opts: ImportOptions = {}): { record: DatasetRecord; dataset: Dataset } {
  const dataset = loadDataset(folder, { name: opts.name, layout: opts.layout, setting: opts.setting });
  return { record: registerLoaded(store, dataset, folder), dataset };
}

/** Load a registered dataset from its source; the caller checks the fingerprint. */
export function loadRegistered(rec: DatasetRecord): Dataset {
  const src = rec.sourcePaths[0];
  if (!src || !fs.existsSync(src)) throw new Error(`dataset "${rec.name}": source ${src ?? '(none)'} no longer exists; re-import it`);
  return loadDataset(src, { name: rec.name, layout: rec.layout as LayoutChoice, setting: rec.setting });
}

/**
 * A dataset by registered name, or by folder (imported on the fly under its detected name).
 */
export function resolveDataset(store: RunStore, nameOrPath: string, opts: ImportOptions = {}): { record: DatasetRecord; dataset: Dataset } {
  const rec = store.getDataset(nameOrPath);
  if (rec) return { record: rec, dataset: loadRegistered(rec) };
  if (fs.existsSync(nameOrPath)) return importDataset(store, nameOrPath, opts);
  const known = store.listDatasets().map((d) => d.name);
  throw new Error(`no dataset named "${nameOrPath}" and no such folder${known.length ? ` (registered: ${known.join(', ')})` : ''}`);
}

export type SplitMode = 'warm' | 'cold' | 'carve-test';

/** Build a split of a dataset, write it as a LATTICE folder, and register it. */
export function splitDataset(
  store: RunStore,
  source: Dataset,
  mode: SplitMode,
  out: string,
  opts: { seed?: number; name?: string } = {},
): { record: DatasetRecord; dataset: Dataset } {
  const seed = opts.seed ?? 123;
  const all = mergeUserItems(source.train, source.val, source.test);
  let ds: Dataset;
  if (mode === 'warm') ds = withSplits(source, warmSplit(all, seed), 'warm', opts.name);
  else if (mode === 'cold') ds = withSplits(source, coldSplit(all, source.nItems, seed), 'cold', opts.name);
  else {
    const carved = carveTestFromTrain(source.train, seed);
    ds = withSplits(source, { train: carved.train, val: source.val, test: carved.test }, source.setting, opts.name);
  }
  const name = opts.name ?? `${source.name}-${mode}`;
  fs.mkdirSync(out, { recursive: true });
  saveLatticeDataset({ ...ds, name }, out);
  const loaded = loadDataset(out, { name, layout: 'lattice' });
  return { record: registerLoaded(store, loaded, out), dataset: loaded };
}
