// Assemble a validated, fingerprinted Dataset from loaded parts.

import type { Dataset, DatasetLayout, Modality, SplitSetting, UserItems } from '../types';
import { resizeUsers } from './csr';
import { fingerprintDataset } from './fingerprint';
import { checkModalities, checkSplits } from './validate';

export interface DatasetParts {
  name: string;
  layout: DatasetLayout;
  /** Explicit setting; detected from the splits when omitted. */
  setting?: SplitSetting;
  sourcePaths: readonly string[];
  nUsers: number;
  nItems: number;
  train: UserItems;
  val: UserItems;
  test: UserItems;
  modalities: readonly Modality[];
  userIds?: readonly string[];
  itemIds?: readonly string[];
  /** Files to name in split errors. */
  files?: { train: string; val: string; test: string };
  /** Require a non-empty validation split (false for raw lists that still need splitting). */
  requireVal?: boolean;
  /** Warnings gathered by the loader (duplicates etc.). */
  warnings?: string[];
}

/**
 * 'cold' when there are held-out interactions and none of their items appears in train;
 * otherwise 'warm'. (Natural cold items, e.g. TikTok's 465, do not make a dataset 'cold'.)
 */
export function detectSetting(train: UserItems, val: UserItems, test: UserItems, nItems: number): SplitSetting {
  if (val.indices.length + test.indices.length === 0) return 'warm';
  const inTrain = new Uint8Array(nItems);
  for (let k = 0; k < train.indices.length; k++) inTrain[train.indices[k]] = 1;
  for (const ui of [val, test]) for (let k = 0; k < ui.indices.length; k++) if (inTrain[ui.indices[k]]) return 'warm';
  return 'cold';
}

export function makeDataset(p: DatasetParts): Dataset {
  const train = resizeUsers(p.train, p.nUsers);
  const val = resizeUsers(p.val, p.nUsers);
  const test = resizeUsers(p.test, p.nUsers);
  const setting = p.setting ?? detectSetting(train, val, test, p.nItems);
  checkModalities(p.modalities, p.nItems);
  const files = p.files ?? { train: p.sourcePaths[0] ?? p.name, val: p.sourcePaths[0] ?? p.name, test: p.sourcePaths[0] ?? p.name };
  const warnings = [...(p.warnings ?? []), ...checkSplits({ train, val, test, files, requireVal: p.requireVal ?? true, setting })];
  const fingerprint = fingerprintDataset({ nUsers: p.nUsers, nItems: p.nItems, train, val, test, modalities: p.modalities });
  const ds: Dataset = {
    name: p.name,
    layout: p.layout,
    setting,
    sourcePaths: p.sourcePaths,
    nUsers: p.nUsers,
    nItems: p.nItems,
    train,
    val,
    test,
    modalities: p.modalities,
    fingerprint,
    warnings,
    ...(p.userIds ? { userIds: p.userIds } : {}),
    ...(p.itemIds ? { itemIds: p.itemIds } : {}),
  };
  return ds;
}

/**
 * A copy of `ds` with new splits (e.g. after a split command), re-validated and re-fingerprinted.
 * The split arrays must cover ds.nUsers users and item ids < ds.nItems.
 */
export function withSplits(
  ds: Dataset,
  splits: { train: UserItems; val: UserItems; test: UserItems },
  setting?: SplitSetting,
  name?: string,
): Dataset {
  return makeDataset({
    name: name ?? ds.name,
    layout: ds.layout,
    setting,
    sourcePaths: ds.sourcePaths,
    nUsers: ds.nUsers,
    nItems: ds.nItems,
    ...splits,
    modalities: ds.modalities,
    userIds: ds.userIds,
    itemIds: ds.itemIds,
    requireVal: true,
  });
}
