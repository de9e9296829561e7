// What the explore handlers (explore.ts, explore-graphs.ts) need from the service, and the item-id check they share.
import type { RunRecord, RunStore } from '../store';
import { ApiError } from '../../shared/api';
import type { ArtifactReader } from './artifacts';
import type { DatasetIndex, Task, TaskResult } from './task-worker';

/** What the explore handlers need from the service. */
export interface ExploreContext {
  store: RunStore;
  artifacts: ArtifactReader;
  runRecord(id: number): RunRecord;
  datasetIndex(run: RunRecord): Promise<DatasetIndex>;
  /** The error for a run that lacks `what` (still running, a model that stores none, ended early). */
  noArtifacts(run: RunRecord, what: string): ApiError;
  /** Heavy work (recommendations for every user) in a bounded dataset task worker. */
  runTask<T extends Task>(task: T): Promise<TaskResult<T>>;
  readonly storePath: string;
}

export function checkItem(item: number, nItems: number): void {
  if (item >= nItems) throw new ApiError('INVALID_INPUT', `item: expected an item id between 0 and ${nItems - 1} (got ${item})`);
}
