// Core data types shared by every engine module. Pure TypeScript: no tfjs, no I/O.
import type { ProgressEvent } from '../../shared/vocabulary';

/** A readable input error: which file, which line/field, what was expected. */
export class DataError extends Error {
  constructor(
    public readonly file: string,
    public readonly problem: string,
    public readonly where?: string,
  ) {
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`);
    this.name = 'DataError';
  }
}

/** One invalid setting: the field it concerns and what is wrong with it. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Invalid run settings (model, preset, hyperparameters); the issues stay structured for the UI. */
export class ConfigError extends Error {
  constructor(
    readonly what: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`invalid ${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** zod issues as field issues (`path.to.field: message`). */
export function fieldIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], fallback: string): FieldIssue[] {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || fallback, message: i.message }));
}

/**
 * User -> items lists in CSR form: the items of user u are
 * indices[indptr[u] .. indptr[u+1]). Items within a user are sorted ascending and unique.
 */
export interface UserItems {
  readonly nUsers: number;
  readonly indptr: Int32Array; // length nUsers + 1
  readonly indices: Int32Array; // item ids
}

/** One item-side content modality (visual, textual, acoustic, ...). */
export interface Modality {
  readonly name: string;
  readonly dim: number;
  /** Row-major nItems x dim, float32 (float16/float64 inputs are cast on load). */
  readonly features: Float32Array;
  /** File the features came from (for error messages and the run record). */
  readonly sourceFile?: string;
}

export type DatasetLayout = 'lattice' | 'mmrec' | 'raw' | 'demo';
export type SplitSetting = 'warm' | 'cold';

export interface Dataset {
  readonly name: string;
  readonly layout: DatasetLayout;
  /** 'cold' when validation/test items are disjoint from train items (cold-start protocol). */
  readonly setting: SplitSetting;
  readonly sourcePaths: readonly string[];
  readonly nUsers: number;
  readonly nItems: number;
  readonly train: UserItems;
  readonly val: UserItems;
  /** May have no interactions (e.g. withheld test split). */
  readonly test: UserItems;
  readonly modalities: readonly Modality[];
  /** Optional original ids (raw lists): dense id -> original id string. */
  readonly userIds?: readonly string[];
  readonly itemIds?: readonly string[];
  /** Content hash of interactions + features (hex). */
  readonly fingerprint: string;
  /**
   * Non-fatal findings of the loader (e.g. some val/test users without train interactions,
   * collapsed duplicate interactions). Absent or empty when there are none.
   */
  readonly warnings?: readonly string[];
}

export interface DatasetStats {
  nUsers: number;
  nItems: number;
  nTrain: number;
  nVal: number;
  nTest: number;
  density: number;
  usersWithoutTrain: number;
  /** Items that never appear in train (natural or protocol cold items). */
  coldItems: number;
  modalities: { name: string; dim: number }[];
}

/** Progress callback payload shared by long-running engine work. */
export type { ProgressEvent };
export type ProgressFn = (e: ProgressEvent) => void;

/** Sparse matrix pattern in COO form, rows ascending. Edge values travel as a tensor. */
export interface SparsePattern {
  readonly nRows: number;
  readonly nCols: number;
  readonly rows: Int32Array;
  readonly cols: Int32Array;
}
