// The paper's pilot studies (section 2.2, Tables 1-2) for every modality of a dataset.
import type { Dataset } from '../engine/types';
import { pilotStudies } from '../engine/graph/pilot';

export interface ModalityDiagnosis {
  modality: string;
  dim: number;
  meanAllPairs: number;
  meanCoInteracted: number;
  shareWithSimilarPair: { k: number; share: number }[];
}

export function diagnoseDataset(ds: Dataset, ks: number[] = [5, 10, 15, 20]): ModalityDiagnosis[] {
  if (!ds.modalities.length) throw new Error(`dataset ${ds.name} has no feature modalities to diagnose`);
  return ds.modalities.map((m) => ({ modality: m.name, dim: m.dim, ...pilotStudies(m.features, ds.nItems, m.dim, ds.train, ks) }));
}
