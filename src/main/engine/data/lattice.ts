// LATTICE/MICRO layout loader.
//
//   <folder>/[5-core|0-core/]train.json, val.json, test.json   {"uid": [iid, ...], ...}
//   <folder>/<modality>_feat.npy                                 (image_feat.npy -> "image")
//   <folder>/micro.json | dataset.json                           optional manifest
//
// test.json may be missing (TikTok withholds it): the test split is then empty.
// n_users = max uid + 1, n_items = max iid + 1 over all splits, raised to the feature row count
// when the features have more rows; fewer feature rows than max iid + 1 is an error.
// 0-core means the cold-start split (val/test items disjoint from train).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, type Dataset, type SplitSetting } from '../types';
import { emptyUserItems } from './csr';
import { makeDataset } from './dataset';
import { discoverModalities, loadFeatureFiles, readManifest, resolveItemCount, type DatasetManifest } from './manifest';
import { readSplitFile, splitToUserItems, type ParsedSplit } from './splitjson';
import { readIdList } from './rawlist';
import { checkIdSpace } from './validate';

export interface LatticeLoadOptions {
  name?: string;
  /** Pick the warm (5-core) or cold (0-core) split when the folder has several. */
  setting?: SplitSetting;
  /** Folder with the split JSONs, relative to the dataset folder (overrides the manifest). */
  splitDir?: string;
}

export const LATTICE_SPLIT_DIRS = ['.', '5-core', '0-core'] as const;

function hasTrain(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'train.json'));
}

/** Does `folder` look like a LATTICE dataset (train.json at the root, in 5-core/ or in 0-core/)? */
export function isLatticeFolder(folder: string): boolean {
  return LATTICE_SPLIT_DIRS.some((d) => hasTrain(path.join(folder, d)));
}

function resolveSplitDir(
  folder: string,
  manifest: DatasetManifest | undefined,
  opts: LatticeLoadOptions,
): { dir: string; implied?: SplitSetting } {
  const implied = (d: string): SplitSetting | undefined =>
    path.basename(d) === '0-core' ? 'cold' : path.basename(d) === '5-core' ? 'warm' : undefined;
  const explicit = opts.splitDir ?? (opts.setting ? undefined : manifest?.splitDir);
  if (explicit) {
    const dir = path.resolve(folder, explicit);
    if (!hasTrain(dir)) throw new DataError(path.join(dir, 'train.json'), 'train split not found');
    return { dir, implied: implied(dir) };
  }
  const order =
    opts.setting === 'cold' ? ['0-core', '.'] : opts.setting === 'warm' ? ['5-core', '.'] : (['.', '5-core', '0-core'] as const);
  for (const d of order) {
    const dir = path.resolve(folder, d);
    if (hasTrain(dir)) return { dir, implied: implied(dir) };
  }
  const looked = order.map((d) => path.join(folder, d, 'train.json')).join(', ');
  throw new DataError(
    folder,
    `no ${opts.setting ? `${opts.setting} ` : ''}LATTICE split found (looked for ${looked})`,
  );
}

export function loadLattice(folder: string, opts: LatticeLoadOptions = {}): Dataset {
  const root = path.resolve(folder);
  const man = readManifest(root);
  const manifest = man?.manifest;
  const { dir, implied } = resolveSplitDir(root, manifest, opts);

  const trainFile = path.join(dir, 'train.json');
  const valFile = path.join(dir, 'val.json');
  const testFile = path.join(dir, 'test.json');
  const train = readSplitFile(trainFile);
  const val = readSplitFile(valFile);
  const hasTest = fs.existsSync(testFile);
  const test: ParsedSplit | null = hasTest ? readSplitFile(testFile) : null;
  const parts = [
    { s: train, file: trainFile },
    { s: val, file: valFile },
    ...(test ? [{ s: test, file: testFile }] : []),
  ];

  const userBound = Math.max(...parts.map((p) => p.s.userBound));
  const itemBound = Math.max(...parts.map((p) => p.s.itemBound));
  // the file (and user key, line) holding the largest id, for the errors below
  const userAt = parts.find((p) => p.s.userBound === userBound)!;
  const itemAt = [...parts].reverse().find((p) => p.s.itemBound === itemBound)!;
  checkIdSpace('user', userBound, parts.map((p) => p.s.keyUsers), { file: userAt.file, where: userAt.s.maxUser?.where });

  const specs = discoverModalities(root, manifest);
  const feats = loadFeatureFiles(root, specs);
  // with features the item count is the feature table's; without, refuse an absurd id space
  if (feats.modalities.length === 0) {
    checkIdSpace('item', itemBound, parts.map((p) => p.s.items), { file: itemAt.file, where: itemAt.s.maxItem?.where });
  }
  const boundWhere = itemAt.s.maxItem ? `${itemAt.file} (${itemAt.s.maxItem.where})` : itemAt.file;
  // A split of a raw list keeps its original ids (written beside it, named by the manifest).
  const idMap = (rel: string | undefined, kind: 'user' | 'item', bound: number) => {
    if (!rel) return undefined;
    const file = path.resolve(root, rel);
    const ids = readIdList(file, `${kind} id map`);
    if (ids.length < bound) throw new DataError(file, `lists ${ids.length} ${kind} ids, but the splits use ${kind} ids up to ${bound - 1}`);
    return { ids, file };
  };
  const userMap = idMap(manifest?.userIds, 'user', userBound);
  const itemMap = idMap(manifest?.itemIds, 'item', itemBound);
  let nItems = resolveItemCount(itemBound, feats, boundWhere);
  if (itemMap && feats.modalities.length > 0 && itemMap.ids.length !== nItems) {
    throw new DataError(itemMap.file, `lists ${itemMap.ids.length} item ids, but the features have ${nItems} rows`);
  }
  nItems = Math.max(nItems, itemMap?.ids.length ?? 0);
  const nUsers = Math.max(userBound, userMap?.ids.length ?? 0);

  const warnings: string[] = [];
  const build = (s: ParsedSplit, file: string) => {
    const r = splitToUserItems(s, nUsers);
    if (r.duplicates > 0) warnings.push(`${file}: ${r.duplicates} duplicate interactions collapsed`);
    return r.ui;
  };
  const trainUI = build(train, trainFile);
  const valUI = build(val, valFile);
  const testUI = test ? build(test, testFile) : emptyUserItems(nUsers);
  if (!hasTest) warnings.push(`${testFile}: not present, the test split is empty`);

  const setting = implied ?? manifest?.setting;
  if (opts.setting && setting && opts.setting !== setting) {
    throw new DataError(dir, `asked for the ${opts.setting} split, but this split is ${setting}`);
  }

  const sourcePaths = [
    trainFile,
    valFile,
    ...(hasTest ? [testFile] : []),
    ...feats.modalities.map((m) => m.sourceFile!),
    ...(man ? [man.file] : []),
    ...[userMap, itemMap].flatMap((m) => (m ? [m.file] : [])),
  ];
  const ds = makeDataset({
    name: opts.name ?? manifest?.name ?? path.basename(root),
    layout: 'lattice',
    setting,
    sourcePaths,
    nUsers,
    nItems,
    train: trainUI,
    val: valUI,
    test: testUI,
    modalities: feats.modalities,
    files: { train: trainFile, val: valFile, test: testFile },
    ...(userMap ? { userIds: userMap.ids } : {}),
    ...(itemMap ? { itemIds: itemMap.ids } : {}),
    requireVal: true,
    warnings,
  });
  if (opts.setting && ds.setting !== opts.setting) {
    throw new DataError(dir, `asked for the ${opts.setting} split, but the split in this folder is ${ds.setting}`);
  }
  return ds;
}
