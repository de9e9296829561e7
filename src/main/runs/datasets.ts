// Dataset registry operations shared by the CLI, the worker and the app API: import a folder
// (detect + validate + register), load a registered dataset back, build and register splits.
import fs from 'node:fs';
import path from 'node:path';
import type { RunStore, DatasetRecord } from '../store';
import { DataError, type Dataset, type SplitSetting } from '../engine/types';
import {
  carveTestFromTrain,
  coldSplit,
  computeStats,
  loadDataset,
  loadItemMetadata,
  readManifest,
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

/** The folder of a dataset path (a raw list or .inter file: its folder). */
export function datasetRoot(target: string): string {
  const p = path.resolve(target);
  return fs.statSync(p).isDirectory() ? p : path.dirname(p);
}

/**
 * Load, validate and register a dataset folder/file with its item metadata (items.csv/.tsv/
 * .jsonl or the manifest's `items`); the import's warnings (loader + metadata) are stored with
 * the record and returned in `dataset.warnings`. Re-importing replaces the metadata.
 */
export function importDataset(store: RunStore, folder: string, opts: ImportOptions = {}): { record: DatasetRecord; dataset: Dataset } {
  const loaded = loadDataset(folder, { name: opts.name, layout: opts.layout, setting: opts.setting });
  const root = datasetRoot(folder);
  const meta = loadItemMetadata(root, { nItems: loaded.nItems, itemIds: loaded.itemIds }, readManifest(root)?.manifest.items);
  const dataset: Dataset = meta ? { ...loaded, warnings: [...(loaded.warnings ?? []), ...meta.warnings] } : loaded;
  const rec = registerLoaded(store, dataset, folder);
  store.replaceItems(rec.id, { rows: meta?.rows ?? [], root: meta ? root : null, warnings: dataset.warnings ?? [] });
  return { record: store.getDataset(rec.id)!, dataset };
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

// statfs magic numbers of kernel pseudo-filesystems (a "folder" there is no place for data, and
// fs.mkdirSync(..., { recursive: true }) spins forever under /proc).
const PSEUDO_FS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x73636673 /* securityfs */, 0xcafe4a11 /* bpf */]);
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * Check a split's output folder and return its absolute path: the parent must be an existing
 * ordinary folder; the folder itself new or empty; and neither the source's folders nor inside
 * or above them (a split written there would overwrite or change the source dataset).
 */
export function checkSplitOut(out: string, sourcePaths: readonly string[]): string {
  const abs = path.resolve(out);
  const parent = path.dirname(abs);
  let realParent: string;
  try {
    realParent = fs.realpathSync(parent);
  } catch {
    throw new DataError(out, `the parent folder ${parent} does not exist`);
  }
  if (!fs.statSync(realParent).isDirectory()) throw new DataError(out, `${parent} is not a folder`);
  const pseudo = PSEUDO_ROOTS.some((r) => within(realParent, r)) || (fs.statfsSync && PSEUDO_FS.has(Number(fs.statfsSync(realParent).type)));
  if (pseudo) throw new DataError(out, `${parent} is on a system pseudo-filesystem, not a place for dataset files`);
  let real = path.join(realParent, path.basename(abs));
  const st = fs.lstatSync(real, { throwIfNoEntry: false });
  if (st) {
    if (st.isSymbolicLink()) real = fs.realpathSync(real);
    if (!fs.statSync(real).isDirectory()) throw new DataError(out, `exists and is not a folder`);
  }
  const srcDirs = new Set<string>();
  for (const f of sourcePaths) {
    try {
      const r = fs.realpathSync(f);
      srcDirs.add(fs.statSync(r).isDirectory() ? r : path.dirname(r));
    } catch {
      // a source that vanished cannot be overwritten
    }
  }
  for (const d of srcDirs) {
    if (within(real, d) || within(d, real)) {
      throw new DataError(out, `${within(real, d) ? 'is or is inside' : 'contains'} the source dataset folder ${d}; choose a folder outside it`);
    }
  }
  if (st) {
    const entries = fs.readdirSync(real);
    if (entries.length) {
      const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '');
      throw new DataError(out, `the folder already holds files (${shown}); choose a new or empty folder`);
    }
  }
  return real;
}

/**
 * Build a split of a dataset, write it as a LATTICE folder, and register it. The files are
 * written into a temporary sibling folder renamed to `out` at the end, so a crash leaves no
 * half-written split; on any error the temporary (or new) folder is removed.
 */
export function splitDataset(
  store: RunStore,
  source: Dataset,
  mode: SplitMode,
  out: string,
  opts: { seed?: number; name?: string } = {},
): { record: DatasetRecord; dataset: Dataset } {
  const dest = checkSplitOut(out, source.sourcePaths);
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
  const tmp = fs.mkdtempSync(path.join(path.dirname(dest), `.${path.basename(dest)}.tmp-`));
  let renamed = false;
  try {
    saveLatticeDataset({ ...ds, name }, tmp);
    if (fs.existsSync(dest)) fs.rmdirSync(dest); // checked empty above; rmdir refuses a non-empty one
    fs.renameSync(tmp, dest);
    renamed = true;
    const loaded = loadDataset(dest, { name, layout: 'lattice' });
    const rec = registerLoaded(store, loaded, dest);
    store.replaceItems(rec.id, { rows: [], root: null, warnings: loaded.warnings ?? [] });
    // The split has the source's dense item ids: its item metadata (and images) carry over.
    const src = store.getDataset(source.name);
    if (src && src.fingerprint === source.fingerprint) store.copyItems(src.id, rec.id);
    return { record: store.getDataset(rec.id)!, dataset: loaded };
  } catch (e) {
    fs.rmSync(renamed ? dest : tmp, { recursive: true, force: true });
    throw e;
  }
}
