// The runs table outside the status machine (lifecycle.ts): creating, reading, listing,
// renaming, tagging, annotating and deleting runs.
import { checkInt, type StoreContext } from './context';
import { getDataset } from './datasets';
import { StoreError } from './errors';
import { mapRun, normaliseTags, type RunRow } from './rows';
import type { ListRunsOptions, MetricSort, RunInput, RunRecord, RunSortKey } from './types';

/** Sort keys map to fixed SQL (never to caller text). */
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

/** The sort value of a MetricSort: the final evaluation (epoch NULL) preferred, else the newest epoch's. */
const METRIC_SORT_EXPR = `(SELECT e.value FROM evaluations e WHERE e.run_id = r.id AND e.split = ? AND e.setting = ? AND e.k = ? AND e.metric = ?
           ORDER BY e.epoch IS NULL DESC, e.epoch DESC LIMIT 1)`;

export function getRun(ctx: StoreContext, id: number): RunRecord | null {
  const row = ctx.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? mapRun(row) : null;
}

export function requireRun(ctx: StoreContext, id: number): RunRecord {
  const run = getRun(ctx, id);
  if (!run) throw ctx.notFound('run', id);
  return run;
}

export function createRun(ctx: StoreContext, input: RunInput): RunRecord {
  ctx.writable();
  if (!input.model) throw new StoreError('INVALID_INPUT', 'run model must not be empty');
  if (input.seed !== undefined && input.seed !== null) checkInt('seed', input.seed, Number.MIN_SAFE_INTEGER);
  return ctx.tx(() => {
    let fingerprint = input.datasetFingerprint ?? null;
    if (input.datasetId !== undefined && input.datasetId !== null) {
      const ds = getDataset(ctx, input.datasetId);
      if (!ds) throw new StoreError('NOT_FOUND', `dataset ${input.datasetId} not found in ${ctx.path}`, ctx.path);
      fingerprint ??= ds.fingerprint;
    }
    if (input.parentRunId !== undefined && input.parentRunId !== null) requireRun(ctx, input.parentRunId);
    const now = Date.now();
    const id = Number(
      ctx
        .stmt(
          `INSERT INTO runs (name, dataset_id, dataset_fingerprint, model, preset, config, backend, seed, app_version,
                             status, created_at, parent_run_id, tags, notes)
           VALUES (@name, @dataset_id, @fp, @model, @preset, @config, @backend, @seed, @app_version,
                   'queued', @now, @parent, @tags, @notes)`,
        )
        .run({
          name: input.name?.trim() || '',
          dataset_id: input.datasetId ?? null,
          fp: fingerprint,
          model: input.model,
          preset: input.preset ?? null,
          config: JSON.stringify(input.config ?? {}),
          backend: input.backend ?? null,
          seed: input.seed ?? null,
          app_version: input.appVersion ?? ctx.appVersion,
          now,
          parent: input.parentRunId ?? null,
          tags: JSON.stringify(normaliseTags(input.tags ?? [])),
          notes: input.notes ?? null,
        }).lastInsertRowid,
    );
    // The default name needs the id, known only after the insert (same transaction).
    if (!input.name?.trim()) ctx.stmt('UPDATE runs SET name = ? WHERE id = ?').run(`${input.model}-${id}`, id);
    return requireRun(ctx, id);
  });
}

export function listRuns(ctx: StoreContext, opts: ListRunsOptions = {}): RunRecord[] {
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
    // Name, notes or any tag contains the text (case-insensitive).
    where.push(
      "(instr(lower(r.name), lower(?)) > 0 OR instr(lower(ifnull(r.notes, '')), lower(?)) > 0 OR EXISTS (SELECT 1 FROM json_each(r.tags) WHERE instr(lower(json_each.value), lower(?)) > 0))",
    );
    params.push(opts.search, opts.search, opts.search);
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
    orderExpr = METRIC_SORT_EXPR;
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
  // Not cached: the SQL text varies with the filters.
  const rows = ctx.db.prepare(sql).all(...params, ...orderParams, ...tail) as RunRow[];
  return rows.map(mapRun);
}

export function renameRun(ctx: StoreContext, id: number, name: string): RunRecord {
  ctx.writable();
  const n = name.trim();
  if (!n) throw new StoreError('INVALID_INPUT', 'run name must not be empty');
  if (ctx.stmt('UPDATE runs SET name = ? WHERE id = ?').run(n, id).changes === 0) throw ctx.notFound('run', id);
  return requireRun(ctx, id);
}

export function setRunTags(ctx: StoreContext, id: number, tags: readonly string[]): RunRecord {
  ctx.writable();
  if (ctx.stmt('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(normaliseTags(tags)), id).changes === 0) {
    throw ctx.notFound('run', id);
  }
  return requireRun(ctx, id);
}

export function setRunNotes(ctx: StoreContext, id: number, notes: string | null): RunRecord {
  ctx.writable();
  if (ctx.stmt('UPDATE runs SET notes = ? WHERE id = ?').run(notes, id).changes === 0) throw ctx.notFound('run', id);
  return requireRun(ctx, id);
}

/** runs.best_epoch; callers hold the write transaction (finishRun, recordEpochWithCheckpoint). */
export function setBestEpoch(ctx: StoreContext, id: number, epoch: number | null): void {
  ctx.writable();
  if (epoch !== null) checkInt('bestEpoch', epoch, 0);
  if (ctx.stmt('UPDATE runs SET best_epoch = ? WHERE id = ?').run(epoch, id).changes === 0) throw ctx.notFound('run', id);
}

/**
 * Delete one run with its epochs, evaluations and artifacts (ON DELETE CASCADE). Runs resumed
 * from it keep existing (their parent link is cleared). A `running` run is refused unless force.
 */
export function deleteRun(ctx: StoreContext, id: number, opts: { force?: boolean } = {}): boolean {
  ctx.writable();
  return ctx.tx(() => {
    const run = getRun(ctx, id);
    if (!run) return false;
    if (run.status === 'running' && !opts.force) {
      throw new StoreError('RUN_ACTIVE', `run ${id} (${run.name}) is running; cancel it first or delete with force`, ctx.path);
    }
    return ctx.stmt('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  });
}
