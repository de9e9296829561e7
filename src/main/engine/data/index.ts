// Dataset loading entry point: layout auto-detection, loaders, LATTICE export, and re-exports.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, type Dataset, type SplitSetting, type UserItems } from '../types';
import { itemsOf } from './csr';
import { checkInputFile } from './inputs';
import { isLatticeFolder, loadLattice } from './lattice';
import { readManifest } from './manifest';
import { listInterFiles, loadMmrec } from './mmrec';
import { writeNpy, type NpyWriteDtype } from './npy';
import { listRawFiles, loadRawList, RAW_EXTENSIONS, type RawLoadOptions } from './rawlist';

export type LayoutChoice = 'auto' | 'lattice' | 'mmrec' | 'raw';

export interface LoadDatasetOptions {
  /** Dataset name (default: manifest name, else folder / file name). */
  name?: string;
  layout?: LayoutChoice;
  /** LATTICE: choose the warm (5-core) or cold (0-core) split; others: check the detected setting. */
  setting?: SplitSetting;
  /** Raw lists only. */
  raw?: RawLoadOptions;
}

/**
 * Decide the layout of a folder (or file): a manifest 'layout' wins; then train.json (root,
 * 5-core/ or 0-core/) -> lattice; *.inter -> mmrec; .csv/.tsv -> raw.
 */
export function detectLayout(target: string): Exclude<LayoutChoice, 'auto'> {
  const p = path.resolve(target);
  if (!fs.existsSync(p)) throw new DataError(p, 'dataset folder or file not found');
  const st = fs.statSync(p);
  if (!st.isFile() && !st.isDirectory()) checkInputFile(p, 'dataset folder or file'); // FIFO, device, socket: refused
  if (st.isFile()) {
    const lower = p.toLowerCase();
    if (lower.endsWith('.inter')) return 'mmrec';
    if (RAW_EXTENSIONS.some((e) => lower.endsWith(e)) || lower.endsWith('.txt')) return 'raw';
    throw new DataError(p, 'unrecognised dataset file (expected a folder, an MMRec .inter file, or a .csv/.tsv interaction list)');
  }
  const man = readManifest(p);
  if (man?.manifest.layout) return man.manifest.layout;
  if (isLatticeFolder(p)) return 'lattice';
  if (listInterFiles(p).length > 0) return 'mmrec';
  if (listRawFiles(p).length > 0 || man?.manifest.interactionsFile) return 'raw';
  throw new DataError(
    p,
    'no dataset found: looked for train.json/val.json (in the folder, 5-core/ or 0-core/; LATTICE layout), ' +
      'a <name>.inter file (MMRec layout), or a .csv/.tsv interaction list (raw layout)',
  );
}

/** Load a dataset from a folder (or an .inter / .csv / .tsv file), detecting the layout. */
export function loadDataset(folder: string, opts: LoadDatasetOptions = {}): Dataset {
  const layout = !opts.layout || opts.layout === 'auto' ? detectLayout(folder) : opts.layout;
  switch (layout) {
    case 'lattice':
      return loadLattice(folder, { name: opts.name, setting: opts.setting });
    case 'mmrec':
      return loadMmrec(folder, { name: opts.name, setting: opts.setting });
    case 'raw': {
      const ds = loadRawList(folder, { ...opts.raw, name: opts.name ?? opts.raw?.name });
      return ds;
    }
  }
}

export interface SaveLatticeOptions {
  /** Sub-folder for the split JSONs ('5-core', '0-core', or '.'); default '.'. */
  splitDir?: string;
  /** Write the feature files (default true). */
  writeFeatures?: boolean;
  featureDtype?: Extract<NpyWriteDtype, 'float32' | 'float16'>;
  /** Write micro.json naming the dataset and its modalities (default true). */
  manifest?: boolean;
}

/**
 * Serialize one split in the LATTICE format: {"uid":[iid,...]}, one user per line, users with
 * an empty list left out (as the reference does).
 */
export function splitToLatticeJson(ui: UserItems): string {
  const parts: string[] = [];
  for (let u = 0; u < ui.nUsers; u++) {
    const items = itemsOf(ui, u);
    if (items.length === 0) continue;
    parts.push(`"${u}":[${items.join(',')}]`);
  }
  return parts.length ? `{\n${parts.join(',\n')}\n}\n` : '{}\n';
}

/**
 * Write a dataset in LATTICE layout: <folder>/<splitDir>/{train,val,test}.json and
 * <folder>/<modality>_feat.npy (+ micro.json). Returns the written paths. Trailing users/items
 * without any interaction are only preserved through the feature row count.
 */
export function saveLatticeDataset(ds: Dataset, folder: string, opts: SaveLatticeOptions = {}): string[] {
  const root = path.resolve(folder);
  const splitDir = path.resolve(root, opts.splitDir ?? '.');
  fs.mkdirSync(splitDir, { recursive: true });
  const written: string[] = [];
  for (const [name, ui] of [
    ['train', ds.train],
    ['val', ds.val],
    ['test', ds.test],
  ] as const) {
    const f = path.join(splitDir, `${name}.json`);
    fs.writeFileSync(f, splitToLatticeJson(ui));
    written.push(f);
  }
  const files: { name: string; file: string }[] = [];
  for (const m of ds.modalities) {
    const file = `${m.name}_feat.npy`;
    files.push({ name: m.name, file });
    if (opts.writeFeatures ?? true) {
      const f = path.join(root, file);
      writeNpy(f, m.features, [m.features.length / m.dim, m.dim], opts.featureDtype ?? 'float32');
      written.push(f);
    }
  }
  // Original ids of a raw list travel with its splits: one per line, in dense-id order.
  const idFiles: Record<string, string> = {};
  for (const [key, ids, file] of [
    ['userIds', ds.userIds, 'user_ids.txt'],
    ['itemIds', ds.itemIds, 'item_ids.txt'],
  ] as const) {
    if (!ids) continue;
    const f = path.join(root, file);
    fs.writeFileSync(f, `${ids.join('\n')}\n`);
    idFiles[key] = file;
    written.push(f);
  }
  if (opts.manifest ?? true) {
    const f = path.join(root, 'micro.json');
    const base = path.basename(splitDir);
    const manifest: Record<string, unknown> = { name: ds.name, layout: 'lattice' };
    if (base !== '5-core' && base !== '0-core') manifest.setting = ds.setting;
    if (files.length) manifest.modalities = files;
    Object.assign(manifest, idFiles);
    fs.writeFileSync(f, `${JSON.stringify(manifest, null, 2)}\n`);
    written.push(f);
  }
  return written;
}

export { DataError } from '../types';
export * from './csr';
export { detectSetting, makeDataset, withSplits, type DatasetParts } from './dataset';
export { fingerprintDataset } from './fingerprint';
export { isLatticeFolder, loadLattice, type LatticeLoadOptions } from './lattice';
export { DatasetManifestSchema, readManifest, type DatasetManifest, type ModalitySpec } from './manifest';
export { loadMmrec, parseInter, type MmrecLoadOptions } from './mmrec';
export * from './npy';
export { createRng, type Rng } from './random';
export { loadRawList, parseRawList, readIdList, readItemOrder, type RawLoadOptions } from './rawlist';
export * from './items';
export * from './splits';
export { computeStats } from './stats';
export { parseJsonText, readJsonFile } from './validate';
