// The run store: one SQLite file (WAL) shared by the CLI, the Electron main process and the
// browser-mode server. Free of electron and engine imports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors';
import { resolveStorePath } from './paths';
import { LATEST_SCHEMA_VERSION, migrate, readUserVersion } from './schema';
import {
  checkHealth,
  checkIdentity,
  connect,
  fileState,
  isReadonlyDirectory,
  probe,
  snapshotConnection,
  sqliteCode,
  storeErrorFrom,
  storeWritable,
  type Probe,
} from './open';
import {
  RESUMABLE_STATUSES,
  RUN_STATUSES,
  type ArtifactInput,
  type ArtifactRecord,
  type CheckpointInput,
  type DatasetInput,
  type DatasetRecord,
  type EpochInput,
  type EpochRecord,
  type EvalSplit,
  type EvaluationInput,
  type EvaluationRecord,
  type FinishStatus,
  type ListRunsOptions,
  type MetricSort,
  type NeighbourStage,
  type OpenOptions,
  type RecordEpochOptions,
  type RecordEpochResult,
  type RecoveredRun,
  type RecoverOptions,
  type ResumeCheck,
  type ResumeInfo,
  type RunInput,
  type RunRecord,
  type RunSortKey,
  type RunStatus,
  type SplitSetting,
} from './types';

export const DEFAULT_STALE_HEARTBEAT_MS = 10 * 60_000;
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * Allowed status changes. `-> running` from interrupted / cancelled / failed is a resume in
 * place (failed only with a checkpoint, see checkTransition) or a revived heartbeat.
 */
const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['running', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: ['running'],
  cancelled: ['running'],
};
/** A checkpoint training can continue from (inline payload). */
const HAS_CHECKPOINT = "EXISTS (SELECT 1 FROM artifacts a WHERE a.run_id = r.id AND a.kind = 'checkpoint' AND a.payload IS NOT NULL)";
const ENDED: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

// ---------------------------------------------------------------- row shapes

interface DatasetRow {
  id: number;
  name: string;
  source_paths: string;
  layout: string;
  setting: SplitSetting;
  modalities: string;
  stats: string;
  fingerprint: string;
  created_at: number;
  updated_at: number;
}

interface RunRow {
  id: number;
  name: string;
  dataset_id: number | null;
  dataset_fingerprint: string | null;
  model: string;
  preset: string | null;
  config: string;
  backend: string | null;
  seed: number | null;
  app_version: string | null;
  status: RunStatus;
  error: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  wall_seconds: number | null;
  best_epoch: number | null;
  pid: number | null;
  host: string | null;
  heartbeat_at: number | null;
  parent_run_id: number | null;
  tags: string;
  notes: string | null;
}

interface EpochRow {
  run_id: number;
  epoch: number;
  losses: string;
  metrics: string | null;
  seconds: number | null;
  at: number;
}

interface EvaluationRow {
  id: number;
  run_id: number;
  split: EvalSplit;
  setting: SplitSetting;
  k: number;
  metric: string;
  value: number | null;
  epoch: number | null;
  at: number;
}

interface ArtifactRow {
  id: number;
  run_id: number;
  kind: string;
  name: string;
  format: string;
  epoch: number | null;
  path: string | null;
  bytes: number | null;
  shape: string | null;
  meta: string | null;
  created_at: number;
  payload?: Buffer | null;
}

const ARTIFACT_COLS = 'id, run_id, kind, name, format, epoch, path, bytes, shape, meta, created_at';

const RUN_SORT_COLUMNS: Record<RunSortKey, string> = {
  id: 'r.id',
  name: 'r.name COLLATE NOCASE',
  createdAt: 'r.created_at',
  startedAt: 'r.started_at',
  endedAt: 'r.ended_at',
  status: 'r.status',
  model: 'r.model',
  wallSeconds: 'r.wall_seconds',
  bestEpoch: 'r.best_epoch',
};

// ---------------------------------------------------------------- helpers

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** JSON that keeps NaN / ±Infinity (losses of a diverged run must survive the round trip). */
function numbersToJson(o: Record<string, number>): string {
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
function numbersFromJson(s: string): Record<string, number> {
  const o = JSON.parse(s) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = typeof v === 'number' ? v : v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : Number.NaN;
  }
  return out;
}

function toBuffer(v: ArrayBufferView): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: exists but belongs to someone else. Anything but ESRCH: be conservative.
    return sqliteCode(e) !== 'ESRCH';
  }
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new StoreError('INVALID_INPUT', `${name} must be an integer >= ${min} (got ${v})`);
}

// ---------------------------------------------------------------- the store

export class RunStore {
  /** Runs marked `interrupted` by the recovery pass during open(). */
  recovered: RecoveredRun[] = [];
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly host = os.hostname();

  private constructor(
    private readonly db: Database.Database,
    /** Absolute path of the store file (or ':memory:'). */
    readonly path: string,
    readonly readonly: boolean,
    private readonly appVersion: string | null,
  ) {}

  /**
   * Open (creating if needed, unless readonly) the store at `file`; with no path:
   * `$MICRO_STORE`, else the platform default (see defaultStorePath()).
   * Refuses — without touching the file — non-SQLite / damaged files (read-write: the whole
   * file is checked with PRAGMA quick_check), foreign SQLite files and newer schemas.
   * `readonly: 'auto'` opens read-only when the file or its folder is not writable.
   */
  static open(file?: string | null, opts: OpenOptions = {}): RunStore {
    const target = resolveStorePath(file);
    const memory = target === ':memory:';
    const state = memory ? 'missing' : fileState(target);
    const writableFile = memory || storeWritable(target, state);
    const readonly = opts.readonly === 'auto' ? !writableFile : opts.readonly === true;

    if (!memory) {
      if (state === 'missing' && readonly) {
        throw new StoreError('MISSING_FILE', `no run store at ${target} (opened read-only, so it was not created)`, target);
      }
      if (!readonly && !writableFile) {
        throw new StoreError('READONLY', `run store ${target} is not writable (permission denied on the file or its folder); it can only be opened read-only`, target);
      }
      if (!readonly) fs.mkdirSync(path.dirname(target), { recursive: true });
    }

    let db = connect(target, readonly, writableFile);
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      // Reads only until the file is known to be ours and healthy.
      let p: Probe;
      try {
        p = probe(db, target);
      } catch (e) {
        if (!isReadonlyDirectory(e)) throw e;
        if (!readonly || fs.existsSync(`${target}-wal`)) {
          throw new StoreError('READONLY', `cannot read run store ${target}: its folder is not writable and SQLite needs to create ${path.basename(target)}-shm there`, target, { cause: e });
        }
        db.close();
        db = snapshotConnection(target);
        p = probe(db, target);
      }
      checkIdentity(p, target);

      if (readonly) {
        if (p.version < LATEST_SCHEMA_VERSION) {
          throw new StoreError(
            'OLDER_SCHEMA',
            `${target} has schema v${p.version}, this build needs v${LATEST_SCHEMA_VERSION}; open it once read-write to upgrade it`,
            target,
          );
        }
      } else {
        checkHealth(db, target);
        if (!memory) {
          const mode = db.pragma('journal_mode = WAL', { simple: true });
          if (mode !== 'wal') throw new StoreError('OPEN_FAILED', `cannot switch ${target} to WAL mode (got ${String(mode)})`, target);
        }
        db.pragma('synchronous = FULL');
        migrate(db);
        // Test hook: a database that cannot grow past this many pages behaves like a full disk.
        if (opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(opts.maxPageCount)}`);
      }
      db.pragma('foreign_keys = ON');
    } catch (e) {
      db.close();
      throw storeErrorFrom(e, target);
    }

    const store = new RunStore(db, target, readonly, opts.appVersion ?? null);
    if (!readonly && opts.recover !== false) {
      try {
        store.recovered = store.recoverInterruptedRuns(typeof opts.recover === 'object' ? opts.recover : {});
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

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (!this.db.open) return;
    this.stmts.clear();
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

  /** VACUUM: give back space freed by deleted runs and pruned checkpoints. */
  compact(): void {
    this.writable();
    this.db.exec('VACUUM');
  }

  // ------------------------------------------------------------ datasets

  /** Insert by name, or update the row of that name (new fingerprint / stats / paths). */
  registerDataset(input: DatasetInput): DatasetRecord {
    this.writable();
    const name = input.name.trim();
    if (!name) throw new StoreError('INVALID_INPUT', 'dataset name must not be empty');
    if (!input.fingerprint) throw new StoreError('INVALID_INPUT', `dataset ${name}: fingerprint must not be empty`);
    const now = Date.now();
    const params = {
      name,
      source_paths: JSON.stringify(input.sourcePaths),
      layout: input.layout,
      setting: input.setting,
      modalities: JSON.stringify(input.modalities.map((m) => ({ name: m.name, dim: m.dim }))),
      stats: JSON.stringify(input.stats),
      fingerprint: input.fingerprint,
      now,
    };
    return this.tx(() => {
      const row = this.stmt(
        `INSERT INTO datasets (name, source_paths, layout, setting, modalities, stats, fingerprint, created_at, updated_at)
         VALUES (@name, @source_paths, @layout, @setting, @modalities, @stats, @fingerprint, @now, @now)
         ON CONFLICT(name) DO UPDATE SET
           source_paths = excluded.source_paths, layout = excluded.layout, setting = excluded.setting,
           modalities = excluded.modalities, stats = excluded.stats, fingerprint = excluded.fingerprint,
           updated_at = CASE WHEN datasets.fingerprint = excluded.fingerprint
                              AND datasets.stats = excluded.stats AND datasets.source_paths = excluded.source_paths
                              AND datasets.modalities = excluded.modalities AND datasets.layout = excluded.layout
                              AND datasets.setting = excluded.setting
                             THEN datasets.updated_at ELSE excluded.updated_at END
         RETURNING *`,
      ).get(params) as DatasetRow;
      return mapDataset(row);
    });
  }

  getDataset(idOrName: number | string): DatasetRecord | null {
    const row = (
      typeof idOrName === 'number'
        ? this.stmt('SELECT * FROM datasets WHERE id = ?').get(idOrName)
        : this.stmt('SELECT * FROM datasets WHERE name = ?').get(idOrName)
    ) as DatasetRow | undefined;
    return row ? mapDataset(row) : null;
  }

  listDatasets(): DatasetRecord[] {
    return (this.stmt('SELECT * FROM datasets ORDER BY name COLLATE NOCASE').all() as DatasetRow[]).map(mapDataset);
  }

  /** Refuses (IN_USE) while runs refer to the dataset. */
  deleteDataset(id: number): boolean {
    this.writable();
    const used = (this.stmt('SELECT count(*) AS n FROM runs WHERE dataset_id = ?').get(id) as { n: number }).n;
    if (used > 0) throw new StoreError('IN_USE', `dataset ${id} is used by ${used} run(s); delete those runs first`, this.path);
    return this.stmt('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------ runs

  createRun(input: RunInput): RunRecord {
    this.writable();
    if (!input.model) throw new StoreError('INVALID_INPUT', 'run model must not be empty');
    if (input.seed !== undefined && input.seed !== null) checkInt('seed', input.seed, Number.MIN_SAFE_INTEGER);
    return this.tx(() => {
      let fingerprint = input.datasetFingerprint ?? null;
      if (input.datasetId !== undefined && input.datasetId !== null) {
        const ds = this.getDataset(input.datasetId);
        if (!ds) throw new StoreError('NOT_FOUND', `dataset ${input.datasetId} not found in ${this.path}`, this.path);
        fingerprint ??= ds.fingerprint;
      }
      if (input.parentRunId !== undefined && input.parentRunId !== null) this.requireRun(input.parentRunId);
      const now = Date.now();
      const id = Number(
        this.stmt(
          `INSERT INTO runs (name, dataset_id, dataset_fingerprint, model, preset, config, backend, seed, app_version,
                             status, created_at, parent_run_id, tags, notes)
           VALUES (@name, @dataset_id, @fp, @model, @preset, @config, @backend, @seed, @app_version,
                   'queued', @now, @parent, @tags, @notes)`,
        ).run({
          name: input.name?.trim() || '',
          dataset_id: input.datasetId ?? null,
          fp: fingerprint,
          model: input.model,
          preset: input.preset ?? null,
          config: JSON.stringify(input.config ?? {}),
          backend: input.backend ?? null,
          seed: input.seed ?? null,
          app_version: input.appVersion ?? this.appVersion,
          now,
          parent: input.parentRunId ?? null,
          tags: JSON.stringify(normaliseTags(input.tags ?? [])),
          notes: input.notes ?? null,
        }).lastInsertRowid,
      );
      if (!input.name?.trim()) this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(`${input.model}-${id}`, id);
      return this.requireRun(id);
    });
  }

  getRun(id: number): RunRecord | null {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? mapRun(row) : null;
  }

  listRuns(opts: ListRunsOptions = {}): RunRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, v: string | readonly string[]) => {
      const list = typeof v === 'string' ? [v] : [...v];
      if (list.length === 0) {
        where.push('0');
        return;
      }
      where.push(`${col} IN (${list.map(() => '?').join(', ')})`);
      params.push(...list);
    };
    if (opts.status !== undefined) inList('r.status', opts.status);
    if (opts.model !== undefined) inList('r.model', opts.model);
    if (opts.datasetId !== undefined) {
      where.push('r.dataset_id = ?');
      params.push(opts.datasetId);
    }
    if (opts.parentRunId !== undefined) {
      where.push('r.parent_run_id = ?');
      params.push(opts.parentRunId);
    }
    if (opts.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE json_each.value = ?)');
      params.push(opts.tag);
    }
    if (opts.search) {
      where.push("(instr(lower(r.name), lower(?)) > 0 OR instr(lower(ifnull(r.notes, '')), lower(?)) > 0)");
      params.push(opts.search, opts.search);
    }
    const dir = opts.order === 'asc' ? 'ASC' : 'DESC';
    let orderExpr: string;
    const orderParams: unknown[] = [];
    const sortBy = opts.sortBy ?? 'createdAt';
    if (typeof sortBy === 'string') {
      const col = RUN_SORT_COLUMNS[sortBy];
      if (!col) throw new StoreError('INVALID_INPUT', `unknown sort key ${String(sortBy)}`);
      orderExpr = col;
    } else {
      orderExpr = metricSortExpr();
      const m: MetricSort = sortBy;
      orderParams.push(m.split ?? 'test', m.setting ?? 'warm', m.k, m.metric);
    }
    let sql = `SELECT r.* FROM runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY ${orderExpr} ${dir} NULLS LAST, r.id ${dir}`;
    const tail: unknown[] = [];
    if (opts.limit !== undefined) {
      checkInt('limit', opts.limit, 0);
      sql += ' LIMIT ?';
      tail.push(opts.limit);
      if (opts.offset !== undefined) {
        checkInt('offset', opts.offset, 0);
        sql += ' OFFSET ?';
        tail.push(opts.offset);
      }
    } else if (opts.offset !== undefined) {
      checkInt('offset', opts.offset, 0);
      sql += ' LIMIT -1 OFFSET ?';
      tail.push(opts.offset);
    }
    const rows = this.db.prepare(sql).all(...params, ...orderParams, ...tail) as RunRow[];
    return rows.map(mapRun);
  }

  /** queued|interrupted -> running; records the owning process (default: this one) and a first heartbeat. */
  startRun(id: number, owner: { pid?: number; host?: string; at?: number } = {}): RunRecord {
    this.writable();
    const at = owner.at ?? Date.now();
    return this.tx(() => {
      const run = this.requireRun(id);
      this.checkTransition(run, 'running');
      this.stmt(
        `UPDATE runs SET status = 'running', started_at = ifnull(started_at, @at), ended_at = NULL, wall_seconds = NULL,
                         error = NULL, pid = @pid, host = @host, heartbeat_at = @at WHERE id = @id`,
      ).run({ id, at, pid: owner.pid ?? process.pid, host: owner.host ?? this.host });
      return this.requireRun(id);
    });
  }

  /** Generic, validated status change (see TRANSITIONS). Prefer startRun / finishRun. */
  updateRunStatus(id: number, status: RunStatus, opts: { error?: string | null; at?: number } = {}): RunRecord {
    if (!RUN_STATUSES.includes(status)) throw new StoreError('INVALID_INPUT', `unknown run status ${String(status)}`);
    if (status === 'running') return this.startRun(id, { at: opts.at });
    this.writable();
    const at = opts.at ?? Date.now();
    return this.tx(() => {
      const run = this.requireRun(id);
      this.checkTransition(run, status);
      const started = run.startedAt === null ? null : Date.parse(run.startedAt);
      this.stmt(
        `UPDATE runs SET status = @status, error = @error, ended_at = @ended, wall_seconds = @wall WHERE id = @id`,
      ).run({
        id,
        status,
        error: status === 'completed' ? null : (opts.error ?? null),
        ended: ENDED.has(status) ? at : null,
        wall: ENDED.has(status) && started !== null ? Math.max(0, (at - started) / 1000) : null,
      });
      return this.requireRun(id);
    });
  }

  finishRun(
    id: number,
    status: FinishStatus,
    opts: { error?: string | null; bestEpoch?: number | null; at?: number } = {},
  ): RunRecord {
    if (status !== 'completed' && status !== 'failed' && status !== 'cancelled') {
      throw new StoreError('INVALID_INPUT', `finishRun status must be completed, failed or cancelled (got ${String(status)})`);
    }
    this.writable();
    return this.tx(() => {
      if (opts.bestEpoch !== undefined) this.setBestEpoch(id, opts.bestEpoch);
      return this.updateRunStatus(id, status, opts);
    });
  }

  /**
   * Liveness signal of the owning process. Returns false when the run is not running (e.g.
   * cancelled meanwhile). A run marked interrupted because its heartbeat went stale (laptop
   * asleep) is revived if the same process on the same host is still beating.
   */
  setHeartbeat(id: number, at: number = Date.now()): boolean {
    this.writable();
    return (
      this.stmt(
        `UPDATE runs SET heartbeat_at = @at,
           status = 'running', ended_at = NULL, wall_seconds = NULL,
           error = CASE WHEN status = 'interrupted' THEN NULL ELSE error END
         WHERE id = @id AND (status = 'running' OR (status = 'interrupted' AND pid = @pid AND host = @host))`,
      ).run({ id, at, pid: process.pid, host: this.host }).changes > 0
    );
  }

  renameRun(id: number, name: string): RunRecord {
    this.writable();
    const n = name.trim();
    if (!n) throw new StoreError('INVALID_INPUT', 'run name must not be empty');
    if (this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(n, id).changes === 0) throw this.notFound('run', id);
    return this.requireRun(id);
  }

  setRunTags(id: number, tags: readonly string[]): RunRecord {
    this.writable();
    if (this.stmt('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(normaliseTags(tags)), id).changes === 0) {
      throw this.notFound('run', id);
    }
    return this.requireRun(id);
  }

  setRunNotes(id: number, notes: string | null): RunRecord {
    this.writable();
    if (this.stmt('UPDATE runs SET notes = ? WHERE id = ?').run(notes, id).changes === 0) throw this.notFound('run', id);
    return this.requireRun(id);
  }

  setBestEpoch(id: number, epoch: number | null): void {
    this.writable();
    if (epoch !== null) checkInt('bestEpoch', epoch, 0);
    if (this.stmt('UPDATE runs SET best_epoch = ? WHERE id = ?').run(epoch, id).changes === 0) throw this.notFound('run', id);
  }

  /**
   * Delete one run with its epochs, evaluations and artifacts. Runs resumed from it keep
   * existing (their parent link is cleared). A `running` run is refused unless force.
   */
  deleteRun(id: number, opts: { force?: boolean } = {}): boolean {
    this.writable();
    return this.tx(() => {
      const run = this.getRun(id);
      if (!run) return false;
      if (run.status === 'running' && !opts.force) {
        throw new StoreError('RUN_ACTIVE', `run ${id} (${run.name}) is running; cancel it first or delete with force`, this.path);
      }
      return this.stmt('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
    });
  }

  // ------------------------------------------------------------ epochs & evaluations

  recordEpoch(runId: number, input: EpochInput): EpochRecord {
    this.writable();
    return this.tx(() => {
      this.requireRunExists(runId);
      return this.writeEpoch(runId, input);
    });
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
    this.writable();
    return this.tx(() => {
      this.requireRunExists(runId);
      const epoch = this.writeEpoch(runId, input);
      let ckpt: ArtifactRecord | null = null;
      if (checkpoint) {
        ckpt = this.writeArtifact(runId, {
          kind: 'checkpoint',
          name: checkpoint.name ?? `epoch-${input.epoch}`,
          format: checkpoint.format ?? 'weights',
          payload: checkpoint.payload,
          epoch: input.epoch,
          shape: checkpoint.shape ?? null,
          meta: checkpoint.meta ?? null,
        });
      }
      if (opts.evaluations?.length) this.writeEvaluations(runId, opts.evaluations, input.epoch);
      if (opts.bestEpoch !== undefined) this.setBestEpoch(runId, opts.bestEpoch);
      let pruned = 0;
      if (opts.retainCheckpoints) pruned = this.pruneCheckpoints(runId, opts.retainCheckpoints);
      return { epoch, checkpoint: ckpt, pruned };
    });
  }

  getEpochs(runId: number, range: { from?: number; to?: number } = {}): EpochRecord[] {
    const rows = this.stmt(
      'SELECT * FROM epochs WHERE run_id = ? AND epoch >= ? AND epoch <= ? ORDER BY epoch',
    ).all(runId, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER) as EpochRow[];
    return rows.map(mapEpoch);
  }

  lastEpoch(runId: number): number | null {
    return (this.stmt('SELECT max(epoch) AS e FROM epochs WHERE run_id = ?').get(runId) as { e: number | null }).e;
  }

  recordEvaluation(runId: number, row: EvaluationInput): EvaluationRecord {
    return this.recordEvaluations(runId, [row])[0]!;
  }

  /** Upsert evaluation values; one value per (split, setting, k, metric, epoch). */
  recordEvaluations(runId: number, rows: readonly EvaluationInput[]): EvaluationRecord[] {
    this.writable();
    return this.tx(() => {
      this.requireRunExists(runId);
      return this.writeEvaluations(runId, rows, null);
    });
  }

  /** epoch: a number = that epoch only; null = final evaluations only; omitted = all. */
  getEvaluations(
    runId: number,
    filter: { split?: EvalSplit; setting?: SplitSetting; metric?: string; k?: number; epoch?: number | null } = {},
  ): EvaluationRecord[] {
    const where = ['run_id = ?'];
    const params: unknown[] = [runId];
    for (const key of ['split', 'setting', 'metric', 'k'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        params.push(filter[key]);
      }
    }
    if (filter.epoch !== undefined) {
      where.push('epoch IS ?');
      params.push(filter.epoch);
    }
    const rows = this.db
      .prepare(`SELECT * FROM evaluations WHERE ${where.join(' AND ')} ORDER BY epoch NULLS LAST, split, setting, metric, k`)
      .all(...params) as EvaluationRow[];
    return rows.map(mapEvaluation);
  }

  // ------------------------------------------------------------ artifacts

  /** Insert, or replace the artifact with the same (run, kind, name). */
  putArtifact(runId: number, input: ArtifactInput): ArtifactRecord {
    this.writable();
    return this.tx(() => {
      this.requireRunExists(runId);
      return this.writeArtifact(runId, input);
    });
  }

  getArtifact(id: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    const row = this.stmt(`SELECT ${ARTIFACT_COLS}${opts.payload ? ', payload' : ''} FROM artifacts WHERE id = ?`).get(id) as
      | ArtifactRow
      | undefined;
    return row ? mapArtifact(row) : null;
  }

  getArtifactPayload(id: number): Buffer | null {
    const row = this.stmt('SELECT payload FROM artifacts WHERE id = ?').get(id) as { payload: Buffer | null } | undefined;
    return row?.payload ?? null;
  }

  findArtifact(runId: number, kind: string, name: string, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    const row = this.stmt(
      `SELECT ${ARTIFACT_COLS}${opts.payload ? ', payload' : ''} FROM artifacts WHERE run_id = ? AND kind = ? AND name = ?`,
    ).get(runId, kind, name) as ArtifactRow | undefined;
    return row ? mapArtifact(row) : null;
  }

  /** Metadata only (no payloads). */
  listArtifacts(runId: number, filter: { kind?: string } = {}): ArtifactRecord[] {
    const rows = (
      filter.kind === undefined
        ? this.stmt(`SELECT ${ARTIFACT_COLS} FROM artifacts WHERE run_id = ? ORDER BY kind, epoch NULLS FIRST, name`).all(runId)
        : this.stmt(`SELECT ${ARTIFACT_COLS} FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY epoch NULLS FIRST, name`).all(
            runId,
            filter.kind,
          )
    ) as ArtifactRow[];
    return rows.map(mapArtifact);
  }

  deleteArtifact(id: number): boolean {
    this.writable();
    return this.stmt('DELETE FROM artifacts WHERE id = ?').run(id).changes > 0;
  }

  /** The checkpoint with the highest epoch (newest on ties). */
  latestCheckpoint(runId: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
    const row = this.stmt(
      `SELECT ${ARTIFACT_COLS}${opts.payload ? ', payload' : ''} FROM artifacts
       WHERE run_id = ? AND kind = 'checkpoint' ORDER BY epoch DESC NULLS LAST, id DESC LIMIT 1`,
    ).get(runId) as ArtifactRow | undefined;
    return row ? mapArtifact(row) : null;
  }

  /** A per-modality item-item neighbour list (name `<modality>/<stage>`). */
  putNeighbours(
    runId: number,
    n: {
      modality: string;
      stage: NeighbourStage;
      payload: ArrayBufferView;
      shape: readonly number[];
      format?: string;
      epoch?: number | null;
      meta?: Record<string, unknown>;
    },
  ): ArtifactRecord {
    return this.putArtifact(runId, {
      kind: 'neighbours',
      name: `${n.modality}/${n.stage}`,
      format: n.format ?? 'i32',
      payload: n.payload,
      shape: n.shape,
      epoch: n.epoch ?? null,
      meta: { ...n.meta, modality: n.modality, stage: n.stage },
    });
  }

  getNeighbours(runId: number, modality: string, stage: NeighbourStage): ArtifactRecord | null {
    return this.findArtifact(runId, 'neighbours', `${modality}/${stage}`, { payload: true });
  }

  // ------------------------------------------------------------ crash recovery & resume

  /**
   * Mark as `interrupted` every `running` run whose owning process is gone (same host, and
   * process.kill(pid, 0) reports ESRCH) or whose heartbeat is older than staleHeartbeatMs.
   */
  recoverInterruptedRuns(opts: RecoverOptions = {}): RecoveredRun[] {
    this.writable();
    const now = opts.now ?? Date.now();
    const stale = opts.staleHeartbeatMs ?? DEFAULT_STALE_HEARTBEAT_MS;
    return this.tx(() => {
      const rows = this.stmt(
        "SELECT id, pid, host, heartbeat_at, started_at, created_at FROM runs WHERE status = 'running'",
      ).all() as Pick<RunRow, 'id' | 'pid' | 'host' | 'heartbeat_at' | 'started_at' | 'created_at'>[];
      const out: RecoveredRun[] = [];
      for (const r of rows) {
        const lastSeen = r.heartbeat_at ?? r.started_at ?? r.created_at;
        let reason: RecoveredRun['reason'] | null = null;
        let error = '';
        const pidKnown = r.pid !== null && Number.isInteger(r.pid) && r.pid > 0 && r.host === this.host;
        if (pidKnown && !pidAlive(r.pid!)) {
          reason = 'process-gone';
          error = `interrupted: process ${r.pid} on ${r.host} is gone (last heartbeat ${iso(lastSeen)})`;
        } else if (now - lastSeen > stale) {
          reason = 'stale-heartbeat';
          error = `interrupted: no heartbeat since ${iso(lastSeen)} (${Math.round((now - lastSeen) / 1000)} s)`;
        }
        if (!reason) continue;
        const changed = this.stmt(
          `UPDATE runs SET status = 'interrupted', error = @error, ended_at = @ended,
             wall_seconds = CASE WHEN started_at IS NULL THEN NULL ELSE max(0, (@ended - started_at) / 1000.0) END
           WHERE id = @id AND status = 'running' AND heartbeat_at IS @hb`,
        ).run({ id: r.id, error, ended: lastSeen, hb: r.heartbeat_at }).changes;
        if (changed) out.push({ id: r.id, reason });
      }
      return out;
    });
  }

  /**
   * THE resume rule: a run with a checkpoint is resumable whatever stopped it (failed,
   * cancelled, interrupted); a completed, queued or running run is not. Read-only; call
   * recoverInterruptedRuns() first so a run whose process died is no longer `running`.
   * Throws NOT_FOUND for an unknown run.
   */
  resumeCheck(runId: number): ResumeCheck {
    const run = this.requireRun(runId);
    const no = (reason: string): ResumeCheck => ({ ok: false, reason });
    if (run.status === 'completed') return no(`run ${run.id} is completed; only a run that stopped early can be resumed`);
    if (run.status === 'running') return no(`run ${run.id} is running (pid ${run.pid ?? '?'} on ${run.host ?? '?'})`);
    if (run.status === 'queued') return no(`run ${run.id} has not started yet; there is nothing to resume`);
    if (!this.hasCheckpoint(run.id)) return no(`run ${run.id} has no checkpoint to resume from`);
    return { ok: true };
  }

  /**
   * Runs that resumeCheck() accepts (default: every resumable status), newest first; `statuses`
   * narrows the list. Runs that already have a resumed child are left out unless includeResumed.
   */
  resumableRuns(opts: { statuses?: readonly RunStatus[]; includeResumed?: boolean } = {}): RunRecord[] {
    const statuses = (opts.statuses ?? RESUMABLE_STATUSES).filter((s) => RESUMABLE_STATUSES.includes(s));
    if (statuses.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT r.* FROM runs r
         WHERE r.status IN (${statuses.map(() => '?').join(', ')}) AND ${HAS_CHECKPOINT}
           ${opts.includeResumed ? '' : 'AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id)'}
         ORDER BY r.created_at DESC, r.id DESC`,
      )
      .all(...statuses) as RunRow[];
    return rows.map(mapRun);
  }

  /** The newest checkpoint (with payload) and where to continue; null unless resumeCheck() accepts the run. */
  getResumeInfo(runId: number): ResumeInfo | null {
    return this.db
      .transaction((): ResumeInfo | null => {
        if (!this.resumeCheck(runId).ok) return null;
        const run = this.requireRun(runId);
        const ckpt = this.latestCheckpoint(runId, { payload: true });
        if (!ckpt?.payload) return null;
        const lastRecorded = this.lastEpoch(runId);
        const checkpointEpoch = ckpt.epoch ?? lastRecorded ?? 0;
        return { run, checkpoint: { ...ckpt, payload: ckpt.payload }, checkpointEpoch, lastRecordedEpoch: lastRecorded };
      })
      .deferred();
  }

  // ------------------------------------------------------------ internals

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** An IMMEDIATE write transaction (a savepoint when nested). */
  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private writable(): void {
    if (this.readonly) throw new StoreError('READONLY', `run store ${this.path} is open read-only`, this.path);
  }

  private notFound(what: string, id: number): StoreError {
    return new StoreError('NOT_FOUND', `${what} ${id} not found in ${this.path}`, this.path);
  }

  private requireRun(id: number): RunRecord {
    const run = this.getRun(id);
    if (!run) throw this.notFound('run', id);
    return run;
  }

  private requireRunExists(id: number): void {
    if (!this.stmt('SELECT 1 FROM runs WHERE id = ?').get(id)) throw this.notFound('run', id);
  }

  private checkTransition(run: RunRecord, to: RunStatus): void {
    if (!TRANSITIONS[run.status].includes(to)) {
      throw new StoreError('INVALID_TRANSITION', `run ${run.id} is ${run.status}; it cannot become ${to}`, this.path);
    }
    if (run.status === 'failed' && to === 'running' && !this.hasCheckpoint(run.id)) {
      throw new StoreError('INVALID_TRANSITION', `run ${run.id} is failed and has no checkpoint; it cannot become running`, this.path);
    }
  }

  private hasCheckpoint(runId: number): boolean {
    return (this.stmt(`SELECT ${HAS_CHECKPOINT} AS ok FROM (SELECT ? AS id) r`).get(runId) as { ok: number }).ok === 1;
  }

  private writeEpoch(runId: number, input: EpochInput): EpochRecord {
    checkInt('epoch', input.epoch, 0);
    const at = input.at ?? Date.now();
    const row = this.stmt(
      `INSERT INTO epochs (run_id, epoch, losses, metrics, seconds, at) VALUES (@run, @epoch, @losses, @metrics, @seconds, @at)
       ON CONFLICT(run_id, epoch) DO UPDATE SET losses = excluded.losses, metrics = excluded.metrics,
         seconds = excluded.seconds, at = excluded.at
       RETURNING *`,
    ).get({
      run: runId,
      epoch: input.epoch,
      losses: numbersToJson(input.losses),
      metrics: input.metrics ? numbersToJson(input.metrics) : null,
      seconds: input.seconds ?? null,
      at,
    }) as EpochRow;
    // Writing an epoch is a sign of life.
    this.stmt("UPDATE runs SET heartbeat_at = max(ifnull(heartbeat_at, 0), ?) WHERE id = ? AND status = 'running'").run(at, runId);
    return mapEpoch(row);
  }

  private writeEvaluations(runId: number, rows: readonly EvaluationInput[], defaultEpoch: number | null): EvaluationRecord[] {
    const del = this.stmt(
      'DELETE FROM evaluations WHERE run_id = ? AND split = ? AND setting = ? AND k = ? AND metric = ? AND epoch IS ?',
    );
    const ins = this.stmt(
      `INSERT INTO evaluations (run_id, split, setting, k, metric, value, epoch, at)
       VALUES (@run, @split, @setting, @k, @metric, @value, @epoch, @at) RETURNING *`,
    );
    const now = Date.now();
    return rows.map((r) => {
      checkInt('k', r.k, 1);
      if (!r.metric) throw new StoreError('INVALID_INPUT', 'evaluation metric must not be empty');
      const epoch = r.epoch === undefined ? defaultEpoch : r.epoch;
      del.run(runId, r.split, r.setting, r.k, r.metric, epoch);
      return mapEvaluation(
        ins.get({ run: runId, split: r.split, setting: r.setting, k: r.k, metric: r.metric, value: r.value, epoch, at: r.at ?? now }) as EvaluationRow,
      );
    });
  }

  private writeArtifact(runId: number, input: ArtifactInput): ArtifactRecord {
    if (!input.kind || !input.name || !input.format) {
      throw new StoreError('INVALID_INPUT', 'artifact kind, name and format must not be empty');
    }
    const payload = input.payload ? toBuffer(input.payload) : null;
    if (!payload && !input.path) throw new StoreError('INVALID_INPUT', `artifact ${input.kind}/${input.name}: give a payload or a path`);
    if (input.epoch !== undefined && input.epoch !== null) checkInt('artifact epoch', input.epoch, 0);
    const row = this.stmt(
      `INSERT INTO artifacts (run_id, kind, name, format, epoch, payload, path, bytes, shape, meta, created_at)
       VALUES (@run, @kind, @name, @format, @epoch, @payload, @path, @bytes, @shape, @meta, @now)
       ON CONFLICT(run_id, kind, name) DO UPDATE SET format = excluded.format, epoch = excluded.epoch,
         payload = excluded.payload, path = excluded.path, bytes = excluded.bytes, shape = excluded.shape,
         meta = excluded.meta, created_at = excluded.created_at
       RETURNING ${ARTIFACT_COLS}`,
    ).get({
      run: runId,
      kind: input.kind,
      name: input.name,
      format: input.format,
      epoch: input.epoch ?? null,
      payload,
      path: input.path ?? null,
      bytes: payload ? payload.byteLength : null,
      shape: input.shape ? JSON.stringify(input.shape) : null,
      meta: input.meta ? JSON.stringify(input.meta) : null,
      now: Date.now(),
    }) as ArtifactRow;
    return mapArtifact(row);
  }

  private pruneCheckpoints(runId: number, retain: { last: number; keepBest?: boolean }): number {
    checkInt('retainCheckpoints.last', retain.last, 1);
    const best = retain.keepBest
      ? (this.stmt('SELECT best_epoch AS b FROM runs WHERE id = ?').get(runId) as { b: number | null }).b
      : null;
    return this.stmt(
      `DELETE FROM artifacts WHERE run_id = @run AND kind = 'checkpoint'
         AND id NOT IN (SELECT id FROM artifacts WHERE run_id = @run AND kind = 'checkpoint'
                        ORDER BY epoch DESC NULLS LAST, id DESC LIMIT @last)
         AND (@best IS NULL OR epoch IS NOT @best)`,
    ).run({ run: runId, last: retain.last, best }).changes;
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

// ---------------------------------------------------------------- row mapping

function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}

function metricSortExpr(): string {
  // Final evaluation (epoch NULL) preferred, else the newest epoch's value.
  return `(SELECT e.value FROM evaluations e WHERE e.run_id = r.id AND e.split = ? AND e.setting = ? AND e.k = ? AND e.metric = ?
           ORDER BY e.epoch IS NULL DESC, e.epoch DESC LIMIT 1)`;
}

function mapDataset(r: DatasetRow): DatasetRecord {
  return {
    id: r.id,
    name: r.name,
    sourcePaths: JSON.parse(r.source_paths) as string[],
    layout: r.layout,
    setting: r.setting,
    modalities: JSON.parse(r.modalities) as DatasetRecord['modalities'],
    stats: JSON.parse(r.stats) as DatasetRecord['stats'],
    fingerprint: r.fingerprint,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function mapRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    name: r.name,
    datasetId: r.dataset_id,
    datasetFingerprint: r.dataset_fingerprint,
    model: r.model,
    preset: r.preset,
    config: JSON.parse(r.config) as Record<string, unknown>,
    backend: r.backend,
    seed: r.seed,
    appVersion: r.app_version,
    status: r.status,
    error: r.error,
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(r.ended_at),
    wallSeconds: r.wall_seconds,
    bestEpoch: r.best_epoch,
    pid: r.pid,
    host: r.host,
    heartbeatAt: isoOrNull(r.heartbeat_at),
    parentRunId: r.parent_run_id,
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
  };
}

function mapEpoch(r: EpochRow): EpochRecord {
  return {
    runId: r.run_id,
    epoch: r.epoch,
    losses: numbersFromJson(r.losses),
    metrics: r.metrics === null ? null : numbersFromJson(r.metrics),
    seconds: r.seconds,
    at: iso(r.at),
  };
}

function mapEvaluation(r: EvaluationRow): EvaluationRecord {
  return {
    id: r.id,
    runId: r.run_id,
    split: r.split,
    setting: r.setting,
    k: r.k,
    metric: r.metric,
    // SQLite stores NaN as NULL.
    value: r.value ?? Number.NaN,
    epoch: r.epoch,
    at: iso(r.at),
  };
}

function mapArtifact(r: ArtifactRow): ArtifactRecord {
  const rec: ArtifactRecord = {
    id: r.id,
    runId: r.run_id,
    kind: r.kind,
    name: r.name,
    format: r.format,
    path: r.path,
    epoch: r.epoch,
    bytes: r.bytes,
    shape: r.shape === null ? null : (JSON.parse(r.shape) as number[]),
    meta: r.meta === null ? null : (JSON.parse(r.meta) as Record<string, unknown>),
    createdAt: iso(r.created_at),
  };
  if ('payload' in r) rec.payload = r.payload ?? null;
  return rec;
}
