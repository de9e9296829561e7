// The run store: one SQLite file (WAL) shared by the CLI, the Electron main process and the
// browser-mode server. Free of electron and engine imports. This class is the public façade;
// the work is done per table group: open.ts (opening a file safely), datasets.ts, runs.ts,
// lifecycle.ts (status machine, recovery, resume rule), epochs.ts (epochs + checkpoints),
// evaluations.ts, artifacts.ts; rows.ts maps rows to records.
import type Database from 'better-sqlite3';
import * as artifacts from './artifacts';
import { StoreContext } from './context';
import * as datasets from './datasets';
import * as epochs from './epochs';
import * as evaluations from './evaluations';
import * as items from './items';
import * as lifecycle from './lifecycle';
import { openDatabase, storeErrorFrom } from './open';
import * as runs from './runs';
import * as studies from './studies';
import { readUserVersion } from './schema';
import type {
  ArtifactInput,
  ArtifactRecord,
  CheckpointInput,
  DatasetInput,
  DatasetRecord,
  EpochInput,
  EpochRecord,
  EvaluationInput,
  EvaluationRecord,
  FinishStatus,
  ItemRecord,
  ListRunsOptions,
  OpenOptions,
  PilotInput,
  PilotRecord,
  RecordEpochOptions,
  RecordEpochResult,
  RecoveredRun,
  RecoverOptions,
  ResumeCheck,
  ResumeInfo,
  RunInput,
  RunRecord,
  RunStatus,
} from './types';

export { DEFAULT_BUSY_TIMEOUT_MS } from './open';
export { DEFAULT_STALE_HEARTBEAT_MS } from './lifecycle';

export class RunStore {
  /** Runs marked `interrupted` by the recovery pass during open(). */
  recovered: RecoveredRun[] = [];
  private readonly ctx: StoreContext;

  private constructor(
    private readonly db: Database.Database,
    /** Absolute path of the store file (or ':memory:'). */
    readonly path: string,
    readonly readonly: boolean,
    appVersion: string | null,
  ) {
    this.ctx = new StoreContext(db, path, readonly, appVersion);
  }

  /**
   * Open (creating if needed, unless readonly) the store at `file`; with no path:
   * `$MICRO_STORE`, else the platform default (see defaultStorePath()).
   * Refuses — without touching the file — non-SQLite / damaged files (read-write: the whole
   * file is checked with PRAGMA quick_check), foreign SQLite files and newer schemas.
   * `readonly: 'auto'` opens read-only when the file or its folder is not writable.
   */
  static open(file?: string | null, opts: OpenOptions = {}): RunStore {
    const { db, path, readonly } = openDatabase(file, opts);
    const store = new RunStore(db, path, readonly, opts.appVersion ?? null);
    if (!readonly && opts.recover !== false) {
      try {
        store.recovered = store.recoverInterruptedRuns(typeof opts.recover === 'object' ? opts.recover : {});
        store.recoverStudies();
      } catch (e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  get schemaVersion(): number {
    return readUserVersion(this.db);
  }

  close(): void {
    if (!this.db.open) return;
    this.ctx.clearStatements();
    if (!this.readonly) {
      try {
        this.db.pragma('optimize');
      } catch {
        /* best effort */
      }
    }
    this.db.close();
  }

  /** The underlying connection, for diagnostics and tests. Do not write through it. */
  rawDatabase(): Database.Database {
    return this.db;
  }

  /** Test hook (fault injection): from now on the file cannot grow, so writes fail like on a full disk. */
  freezeFileSize(): void {
    // max_page_count cannot go below the current size.
    this.db.pragma(`max_page_count = ${this.db.pragma('page_count', { simple: true }) as number}`);
  }

  // ------------------------------------------------------------ datasets

  /** Insert by name, or update the row of that name (new fingerprint / stats / paths). */
  registerDataset(input: DatasetInput): DatasetRecord {
    return datasets.registerDataset(this.ctx, input);
  }

  getDataset(idOrName: number | string): DatasetRecord | null {
    return datasets.getDataset(this.ctx, idOrName);
  }

  listDatasets(): DatasetRecord[] {
    return datasets.listDatasets(this.ctx);
  }

  /** Refuses (IN_USE) while runs refer to the dataset. */
  deleteDataset(id: number): boolean {
    return datasets.deleteDataset(this.ctx, id);
  }

  /** Number of runs per dataset id (datasets without runs are absent). */
  runCountsByDataset(): Map<number, number> {
    return datasets.runCountsByDataset(this.ctx);
  }

  /** Store a dataset's pilot-study result (replacing the previous one) with the fingerprint it was computed on. */
  setDatasetPilot(datasetId: number, input: PilotInput): PilotRecord {
    return datasets.setDatasetPilot(this.ctx, datasetId, input);
  }

  /** The dataset's stored pilot-study result (compare its fingerprint with the dataset's), or null. */
  getDatasetPilot(datasetId: number): PilotRecord | null {
    return datasets.getDatasetPilot(this.ctx, datasetId);
  }

  // ------------------------------------------------------------ item metadata

  /** Replace a dataset's item metadata, its items root and its warnings in one transaction. */
  replaceItems(datasetId: number, input: items.ReplaceItemsInput): number {
    return items.replaceItems(this.ctx, datasetId, input);
  }

  /** Copy item metadata to a split of the dataset (same dense item ids). */
  copyItems(fromDatasetId: number, toDatasetId: number): number {
    return items.copyItems(this.ctx, fromDatasetId, toDatasetId);
  }

  /** FTS5 search over titles and categories (prefix per word); no query: items by id. */
  searchItems(datasetId: number, search: items.ItemSearch = {}): ItemRecord[] {
    return items.searchItems(this.ctx, datasetId, search);
  }

  getItems(datasetId: number, ids: readonly number[]): Map<number, ItemRecord> {
    return items.getItems(this.ctx, datasetId, ids);
  }

  countItems(datasetId: number): number {
    return items.countItems(this.ctx, datasetId);
  }

  /** The dataset's item categories, most frequent first (ties by name), at most `limit`. */
  itemCategories(datasetId: number, limit = 50): { category: string; count: number }[] {
    return items.itemCategories(this.ctx, datasetId, limit);
  }

  // ------------------------------------------------------------ runs

  createRun(input: RunInput): RunRecord {
    return runs.createRun(this.ctx, input);
  }

  getRun(id: number): RunRecord | null {
    return runs.getRun(this.ctx, id);
  }

  listRuns(opts: ListRunsOptions = {}): RunRecord[] {
    return runs.listRuns(this.ctx, opts);
  }

  renameRun(id: number, name: string): RunRecord {
    return runs.renameRun(this.ctx, id, name);
  }

  setRunTags(id: number, tags: readonly string[]): RunRecord {
    return runs.setRunTags(this.ctx, id, tags);
  }

  setRunNotes(id: number, notes: string | null): RunRecord {
    return runs.setRunNotes(this.ctx, id, notes);
  }

  /**
   * Delete one run with its epochs, evaluations and artifacts. Runs resumed from it keep
   * existing (their parent link is cleared). A `running` run is refused unless force.
   */
  deleteRun(id: number, opts: { force?: boolean } = {}): boolean {
    return runs.deleteRun(this.ctx, id, opts);
  }

  // ------------------------------------------------------------ status machine

  /** queued|interrupted -> running; records the owning process (default: this one) and a first heartbeat. */
  startRun(id: number, owner: { pid?: number; host?: string; at?: number } = {}): RunRecord {
    return lifecycle.startRun(this.ctx, id, owner);
  }

  finishRun(
    id: number,
    status: FinishStatus,
    opts: { error?: string | null; bestEpoch?: number | null; at?: number } = {},
  ): RunRecord {
    return lifecycle.finishRun(this.ctx, id, status, opts);
  }

  /** Liveness signal of the owning process; false when the run is not running (e.g. cancelled meanwhile). */
  setHeartbeat(id: number, at: number = Date.now()): boolean {
    return lifecycle.setHeartbeat(this.ctx, id, at);
  }

  // ------------------------------------------------------------ epochs & checkpoints

  recordEpoch(runId: number, input: EpochInput): EpochRecord {
    return epochs.recordEpoch(this.ctx, runId, input);
  }

  /**
   * Losses + validation metrics + (optional) checkpoint + (optional) evaluations, best epoch and
   * checkpoint pruning of one epoch, in ONE transaction: all of it is stored, or none.
   */
  recordEpochWithCheckpoint(
    runId: number,
    input: EpochInput,
    checkpoint?: CheckpointInput | null,
    opts: RecordEpochOptions = {},
  ): RecordEpochResult {
    return epochs.recordEpochWithCheckpoint(this.ctx, runId, input, checkpoint, opts);
  }

  getEpochs(runId: number, range: { from?: number; to?: number } = {}): EpochRecord[] {
    return epochs.getEpochs(this.ctx, runId, range);
  }

  lastEpoch(runId: number): number | null {
    return epochs.lastEpoch(this.ctx, runId);
  }

  /** The checkpoint with the highest epoch (newest on ties). */
  latestCheckpoint(runId: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    return epochs.latestCheckpoint(this.ctx, runId, opts);
  }

  // ------------------------------------------------------------ evaluations

  recordEvaluation(runId: number, row: EvaluationInput): EvaluationRecord {
    return evaluations.recordEvaluations(this.ctx, runId, [row])[0]!;
  }

  /** Upsert evaluation values; one value per (split, setting, k, metric, epoch). */
  recordEvaluations(runId: number, rows: readonly EvaluationInput[]): EvaluationRecord[] {
    return evaluations.recordEvaluations(this.ctx, runId, rows);
  }

  /** epoch: a number = that epoch only; null = final evaluations only; omitted = all. */
  getEvaluations(runId: number, filter: evaluations.EvaluationFilter = {}): EvaluationRecord[] {
    return evaluations.getEvaluations(this.ctx, runId, filter);
  }

  // ------------------------------------------------------------ artifacts

  /** Insert, or replace the artifact with the same (run, kind, name). */
  putArtifact(runId: number, input: ArtifactInput): ArtifactRecord {
    return artifacts.putArtifact(this.ctx, runId, input);
  }

  getArtifact(id: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    return artifacts.getArtifact(this.ctx, id, opts);
  }

  getArtifactPayload(id: number): Buffer | null {
    return artifacts.getArtifactPayload(this.ctx, id);
  }

  findArtifact(runId: number, kind: string, name: string, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    return artifacts.findArtifact(this.ctx, runId, kind, name, opts);
  }

  /** Metadata only (no payloads). */
  listArtifacts(runId: number, filter: { kind?: string } = {}): ArtifactRecord[] {
    return artifacts.listArtifacts(this.ctx, runId, filter);
  }

  /** A per-modality item-item neighbour list (name `<modality>/<stage>`). */
  putNeighbours(runId: number, n: artifacts.NeighboursInput): ArtifactRecord {
    return artifacts.putNeighbours(this.ctx, runId, n);
  }

  // ------------------------------------------------------------ studies

  /** A study's definition and its cells (queue order), all pending. */
  createStudy(input: studies.StudyInput): studies.StudyRecord {
    return studies.createStudy(this.ctx, input);
  }

  getStudy(id: number): studies.StudyRecord | null {
    return studies.getStudy(this.ctx, id);
  }

  /** Newest first. */
  listStudies(): studies.StudyRecord[] {
    return studies.listStudies(this.ctx);
  }

  /** Cells in queue order with their runs' status ('pending' without a run), wall time and error. */
  getStudyCells(studyId: number): studies.StudyCellRecord[] {
    return studies.getStudyCells(this.ctx, studyId);
  }

  setStudyCellRun(studyId: number, position: number, runId: number | null): studies.StudyCellRecord {
    return studies.setCellRun(this.ctx, studyId, position, runId);
  }

  setStudyStatus(id: number, status: studies.StudyRecord['status'], opts: { error?: string | null; pid?: number } = {}): studies.StudyRecord {
    return studies.setStudyStatus(this.ctx, id, status, opts);
  }

  /** `running` studies whose process (on this host) is gone become `interrupted`; run on open. */
  recoverStudies(): number[] {
    return studies.recoverStudies(this.ctx);
  }

  /** The study and its cells; the cells' runs stay. */
  deleteStudy(id: number): boolean {
    return studies.deleteStudy(this.ctx, id);
  }

  // ------------------------------------------------------------ crash recovery & resume

  /**
   * Mark as `interrupted` every `running` run whose owning process is gone (same host, and
   * process.kill(pid, 0) reports ESRCH) or whose heartbeat is older than staleHeartbeatMs.
   */
  recoverInterruptedRuns(opts: RecoverOptions = {}): RecoveredRun[] {
    return lifecycle.recoverInterruptedRuns(this.ctx, opts);
  }

  /** THE resume rule: a run with a checkpoint is resumable whatever stopped it; see lifecycle.ts. */
  resumeCheck(runId: number): ResumeCheck {
    return lifecycle.resumeCheck(this.ctx, runId);
  }

  /** Runs that resumeCheck() accepts, newest first (without those already resumed unless includeResumed). */
  resumableRuns(opts: { statuses?: readonly RunStatus[]; includeResumed?: boolean } = {}): RunRecord[] {
    return lifecycle.resumableRuns(this.ctx, opts);
  }

  /** The newest checkpoint (with payload) and where to continue; null unless resumeCheck() accepts the run. */
  getResumeInfo(runId: number): ResumeInfo | null {
    return lifecycle.getResumeInfo(this.ctx, runId);
  }
}

// SQLite errors that escape a store method (damage, I/O, full disk, ...) name the store file:
// wrap every method and getter once, here, instead of a try/catch in each.
for (const name of Object.getOwnPropertyNames(RunStore.prototype)) {
  const d = Object.getOwnPropertyDescriptor(RunStore.prototype, name)!;
  if (name === 'constructor') continue;
  const wrap = <F extends (...a: never[]) => unknown>(f: F) =>
    function (this: RunStore, ...args: Parameters<F>) {
      try {
        return f.apply(this, args);
      } catch (e) {
        throw storeErrorFrom(e, this.path);
      }
    };
  if (typeof d.value === 'function') Object.defineProperty(RunStore.prototype, name, { ...d, value: wrap(d.value) });
  else if (d.get) Object.defineProperty(RunStore.prototype, name, { ...d, get: wrap(d.get) });
}
