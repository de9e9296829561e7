// The paper's pilot studies (section 2.2, Tables 1-2) for every modality of a dataset.
import { DataError, type Dataset } from '../engine/types';
import { pilotStudies } from '../engine/graph/pilot';
import type { ModalityDiagnosis } from '../../shared/records';

export type { ModalityDiagnosis };

export const DEFAULT_KS: readonly number[] = [5, 10, 15, 20];
export const MAX_KS_VALUES = 16;
/** The top-k search costs ~ N^2 k: k = 20 takes ~4 s a modality on TikTok, k = 1000 ~100 s. */
export const MAX_K = 256;
/** The similar-pair study builds an items x k kNN table (index + score, 8 bytes an entry): ~270 MB. */
export const MAX_KNN_ENTRIES = 2 ** 25;

/** Largest k the dataset allows: N - 1 other items, MAX_K, and the kNN table's memory bound. */
export function maxK(nItems: number): number {
  return Math.max(0, Math.min(nItems - 1, MAX_K, Math.floor(MAX_KNN_ENTRIES / Math.max(nItems, 1))));
}

/**
 * Validate the ks of a diagnosis. The default list is trimmed to what a small dataset allows;
 * an explicit list is checked strictly, errors naming `ks` and the limit.
 */
export function checkKs(ds: Dataset, ks: readonly number[] | undefined): number[] {
  const limit = maxK(ds.nItems);
  const isDefault = !ks || (ks.length === DEFAULT_KS.length && ks.every((k, i) => k === DEFAULT_KS[i]));
  if (isDefault) {
    const kept = DEFAULT_KS.filter((k) => k <= limit);
    return kept.length ? kept : limit > 0 ? [limit] : [];
  }
  if (ks.length === 0 || ks.length > MAX_KS_VALUES) {
    throw new DataError('ks', `expected 1 to ${MAX_KS_VALUES} values, got ${ks.length}`);
  }
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new DataError('ks', `values must be positive integers, got ${String(k).slice(0, 40)}`);
    if (k > limit) {
      const why =
        limit === ds.nItems - 1
          ? `N - 1 with N = ${ds.nItems} items`
          : limit === MAX_K
            ? `at most ${MAX_K}: the neighbour search slows with k`
            : `at most ${MAX_KNN_ENTRIES} kNN entries (items x k) for ${ds.nItems} items`;
      throw new DataError('ks', `k = ${k} is over the limit of ${limit} for dataset "${ds.name}" (${why})`);
    }
  }
  return [...ks];
}

export function diagnoseDataset(ds: Dataset, ks?: readonly number[]): ModalityDiagnosis[] {
  if (!ds.modalities.length) throw new Error(`dataset ${ds.name} has no feature modalities to diagnose`);
  const checked = checkKs(ds, ks);
  return ds.modalities.map((m) => ({ modality: m.name, dim: m.dim, ...pilotStudies(m.features, ds.nItems, m.dim, ds.train, checked) }));
}
