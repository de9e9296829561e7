// Summary statistics of a Dataset.

import type { Dataset, DatasetStats } from '../types';
import { countInteractions } from './csr';

/**
 * nTrain/nVal/nTest count interactions; density = all interactions / (nUsers * nItems);
 * usersWithoutTrain counts user ids in [0, nUsers) with an empty train list; coldItems counts
 * item ids in [0, nItems) that never appear in train.
 */
export function computeStats(ds: Dataset): DatasetStats {
  const nTrain = countInteractions(ds.train);
  const nVal = countInteractions(ds.val);
  const nTest = countInteractions(ds.test);
  let usersWithoutTrain = 0;
  for (let u = 0; u < ds.nUsers; u++) if (u >= ds.train.nUsers || ds.train.indptr[u + 1] === ds.train.indptr[u]) usersWithoutTrain++;
  const inTrain = new Uint8Array(ds.nItems);
  for (let k = 0; k < ds.train.indices.length; k++) inTrain[ds.train.indices[k]] = 1;
  let coldItems = 0;
  for (let i = 0; i < ds.nItems; i++) if (!inTrain[i]) coldItems++;
  const cells = ds.nUsers * ds.nItems;
  return {
    nUsers: ds.nUsers,
    nItems: ds.nItems,
    nTrain,
    nVal,
    nTest,
    density: cells > 0 ? (nTrain + nVal + nTest) / cells : 0,
    usersWithoutTrain,
    coldItems,
    modalities: ds.modalities.map((m) => ({ name: m.name, dim: m.dim })),
  };
}
