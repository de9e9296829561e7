// Plain record shapes that the run store, the runners and the API contract share (defined once
// here; no zod, no Node).
import type { BackendName, ContrastiveKernelKind, ModelCapabilities, RunStatus, Setting } from './vocabulary';

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

/** The WebGPU adapter a webgpu run used (GPUAdapterInfo's fields, as Dawn reports them). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (llvmpipe/lavapipe, SwiftShader, WARP): a smoke test, not speed. */
  software: boolean;
}

/** One TF.js backend as `doctor` found it on this machine. */
export interface BackendReport {
  name: BackendName;
  available: boolean;
  /** Why it is not available (one line). */
  reason?: string;
  /** float32 matMul throughput, GFLOP/s, measured for about `seconds`. */
  matmulGflops?: number;
  matmulSize?: number;
}

/** Which backends work here, the WebGPU adapter, and a matMul throughput per working backend. */
export interface DoctorReport {
  backends: BackendReport[];
  adapter: AdapterInfo | null;
  adapterError?: string;
  /** The CPU kernels of the contrastive loss, and an exact InfoNCE call's throughput on them. */
  contrastiveKernels: { kind: ContrastiveKernelKind; detail: string; reason?: string; gmacs?: number; n?: number; error?: string };
}

/** Final (or best-epoch) metric values keyed "split/metric@k", e.g. "val/recall@20". */
export type MetricMap = Record<string, number>;

export interface RunSummary extends RunCore {
  datasetName: string | null;
  tags: string[];
  notes: string | null;
  setting: Setting | null;
  epochsRecorded: number;
  metrics: MetricMap;
  /** What this run's model stores (neighbour graphs, attention, embeddings): the registry's answer. */
  capabilities: ModelCapabilities;
  /** Has a checkpoint and stopped early (failed, cancelled, interrupted): can be resumed. */
  resumable: boolean;
  /** Training in this app right now (can be cancelled here). */
  active: boolean;
}

export interface EvaluationInfo {
  split: 'val' | 'test';
  setting: Setting;
  metric: string;
  k: number;
  value: number;
  epoch: number | null;
}

export interface ArtifactInfo {
  id: number;
  kind: string;
  name: string;
  format: string;
  shape: number[] | null;
  bytes: number | null;
  epoch: number | null;
}
