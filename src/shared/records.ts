// Plain record shapes that the run store, the runners and the API contract share (defined once
// here; no zod, no Node).
import type { RunStatus } from './vocabulary';

/** One recorded epoch of a run. */
export interface EpochInfo {
  epoch: number;
  losses: Record<string, number>;
  metrics: Record<string, number> | null;
  seconds: number | null;
  at: string;
}

/** The paper's pilot studies (section 2.2) for one modality. */
export interface ModalityDiagnosis {
  modality: string;
  dim: number;
  /** Mean cosine similarity over all item pairs. */
  meanAllPairs: number;
  /** Mean cosine similarity over co-interacted item pairs. */
  meanCoInteracted: number;
  /** Share of users with a pair of interacted items among each other's k nearest neighbours. */
  shareWithSimilarPair: { k: number; share: number }[];
}

/** The fields a run's record and its API summary share. */
export interface RunCore {
  id: number;
  name: string;
  datasetId: number | null;
  model: string;
  preset: string | null;
  seed: number | null;
  backend: string | null;
  status: RunStatus;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  wallSeconds: number | null;
  bestEpoch: number | null;
  parentRunId: number | null;
}
