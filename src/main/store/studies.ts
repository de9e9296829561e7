// The studies tables: a study's definition and status, and its cells (variant × seed), each
// linked to the run that trains it. A cell's status is its run's; without a run it is pending.
// A study is `running` while a process works its queue (pid, host); when that process is gone the
// study is recovered as `interrupted`, like a run.
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { pidAlive } from './lifecycle';
import { iso } from './rows';
import type { RunStatus } from './types';
import { STUDY_KINDS, type StudyKind, type StudyStatus as StudyStatusValue } from '../../shared/vocabulary';

export interface StudyInput {
  name: string;
  kind: StudyKind;
  datasetId: number | null;
  definition: Record<string, unknown>;
  /** In queue order. */
  cells: { variant: string; seed: number }[];
}

export interface StudyRecord {
  id: number;
  name: string;
  kind: StudyInput['kind'];
  datasetId: number | null;
  definition: Record<string, unknown>;
  status: StudyStatusValue;
  error: string | null;
  pid: number | null;
  host: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StudyCellRecord {
  studyId: number;
  position: number;
  variant: string;
  seed: number;
  runId: number | null;
  /** The run's status, or 'pending' without a run. */
  status: RunStatus | 'pending';
  wallSeconds: number | null;
  error: string | null;
}

interface StudyRow {
  id: number;
  name: string;
  kind: StudyInput['kind'];
  dataset_id: number | null;
  definition: string;
  status: StudyStatusValue;
  error: string | null;
  pid: number | null;
  host: string | null;
  created_at: number;
  updated_at: number;
}

interface CellRow {
  study_id: number;
  position: number;
  variant: string;
  seed: number;
  run_id: number | null;
  status: RunStatus | null;
  wall_seconds: number | null;
  error: string | null;
}

const mapStudy = (r: StudyRow): StudyRecord => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  datasetId: r.dataset_id,
  definition: JSON.parse(r.definition) as Record<string, unknown>,
  status: r.status,
  error: r.error,
  pid: r.pid,
  host: r.host,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const mapCell = (r: CellRow): StudyCellRecord => ({
  studyId: r.study_id,
  position: r.position,
  variant: r.variant,
  seed: r.seed,
  runId: r.run_id,
  status: r.run_id === null ? 'pending' : (r.status ?? 'pending'),
  wallSeconds: r.wall_seconds,
  error: r.error,
});

function requireStudy(ctx: StoreContext, id: number): StudyRecord {
  const s = getStudy(ctx, id);
  if (!s) throw ctx.notFound('study', id);
  return s;
}

export function createStudy(ctx: StoreContext, input: StudyInput): StudyRecord {
  ctx.writable();
  const name = input.name.trim();
  if (!name) throw new StoreError('INVALID_INPUT', 'study name must not be empty');
  if (!STUDY_KINDS.includes(input.kind)) throw new StoreError('INVALID_INPUT', `unknown study kind ${String(input.kind)}`);
  if (input.cells.length === 0) throw new StoreError('INVALID_INPUT', `study ${name}: it has no cells`);
  const now = Date.now();
  return ctx.tx(() => {
    const row = ctx
      .stmt(
        `INSERT INTO studies (name, kind, dataset_id, definition, status, created_at, updated_at)
         VALUES (@name, @kind, @dataset_id, @definition, 'pending', @now, @now) RETURNING *`,
      )
      .get({ name, kind: input.kind, dataset_id: input.datasetId, definition: JSON.stringify(input.definition), now }) as StudyRow;
    const ins = ctx.stmt('INSERT INTO study_cells (study_id, position, variant, seed) VALUES (?, ?, ?, ?)');
    input.cells.forEach((c, i) => ins.run(row.id, i, c.variant, c.seed));
    return mapStudy(row);
  });
}

export function getStudy(ctx: StoreContext, id: number): StudyRecord | null {
  const row = ctx.stmt('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined;
  return row ? mapStudy(row) : null;
}

export function listStudies(ctx: StoreContext): StudyRecord[] {
  return (ctx.stmt('SELECT * FROM studies ORDER BY id DESC').all() as StudyRow[]).map(mapStudy);
}

/** The cells in queue order, with their runs' status, wall time and error. */
export function getStudyCells(ctx: StoreContext, studyId: number): StudyCellRecord[] {
  return (
    ctx
      .stmt(
        `SELECT c.study_id, c.position, c.variant, c.seed, c.run_id, r.status, r.wall_seconds, r.error
         FROM study_cells c LEFT JOIN runs r ON r.id = c.run_id
         WHERE c.study_id = ? ORDER BY c.position`,
      )
      .all(studyId) as CellRow[]
  ).map(mapCell);
}

/** Link a cell to the run that trains it (null: back to pending). */
export function setCellRun(ctx: StoreContext, studyId: number, position: number, runId: number | null): StudyCellRecord {
  ctx.writable();
  return ctx.tx(() => {
    requireStudy(ctx, studyId);
    const changed = ctx.stmt('UPDATE study_cells SET run_id = ? WHERE study_id = ? AND position = ?').run(runId, studyId, position).changes;
    if (!changed) throw new StoreError('NOT_FOUND', `study ${studyId} has no cell ${position}`, ctx.path);
    touch(ctx, studyId);
    return getStudyCells(ctx, studyId)[position]!;
  });
}

function touch(ctx: StoreContext, studyId: number): void {
  ctx.stmt('UPDATE studies SET updated_at = ? WHERE id = ?').run(Date.now(), studyId);
}

/** `running` records the owning process (default: this one); every other status clears it. */
export function setStudyStatus(ctx: StoreContext, id: number, status: StudyStatusValue, opts: { error?: string | null; pid?: number } = {}): StudyRecord {
  ctx.writable();
  return ctx.tx(() => {
    requireStudy(ctx, id);
    const running = status === 'running';
    ctx
      .stmt('UPDATE studies SET status = @status, error = @error, pid = @pid, host = @host, updated_at = @now WHERE id = @id')
      .run({ id, status, error: opts.error ?? null, pid: running ? (opts.pid ?? process.pid) : null, host: running ? ctx.host : null, now: Date.now() });
    return requireStudy(ctx, id);
  });
}

/** Mark `interrupted` every `running` study whose process (on this host) is gone; returns their ids. */
export function recoverStudies(ctx: StoreContext): number[] {
  ctx.writable();
  return ctx.tx(() => {
    const rows = ctx.stmt("SELECT id, pid, host FROM studies WHERE status = 'running'").all() as Pick<StudyRow, 'id' | 'pid' | 'host'>[];
    const out: number[] = [];
    for (const r of rows) {
      if (r.pid === null || r.host !== ctx.host || pidAlive(r.pid)) continue;
      ctx
        .stmt("UPDATE studies SET status = 'interrupted', error = ?, pid = NULL, host = NULL, updated_at = ? WHERE id = ? AND status = 'running'")
        .run(`interrupted: process ${r.pid} on ${r.host} is gone`, Date.now(), r.id);
      out.push(r.id);
    }
    return out;
  });
}

/** Delete a study and its cells; their runs stay (they are ordinary runs). */
export function deleteStudy(ctx: StoreContext, id: number): boolean {
  ctx.writable();
  return ctx.tx(() => ctx.stmt('DELETE FROM studies WHERE id = ?').run(id).changes > 0);
}
