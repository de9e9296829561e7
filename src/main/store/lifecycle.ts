// The run state machine: allowed status changes, start / finish / heartbeat, marking runs whose
// process died as interrupted, and THE resume rule (which runs can continue, from where).
import type { StoreContext } from './context';
import { lastEpoch, latestCheckpoint, hasCheckpoint, HAS_CHECKPOINT } from './epochs';
import { StoreError } from './errors';
import { sqliteCode } from './open';
import { iso, mapRun, type RunRow } from './rows';
import { requireRun, setBestEpoch } from './runs';
import {
  RESUMABLE_STATUSES,
  RUN_STATUSES,
  type FinishStatus,
  type RecoveredRun,
  type RecoverOptions,
  type ResumeCheck,
  type ResumeInfo,
  type RunRecord,
  type RunStatus,
} from './types';

export const DEFAULT_STALE_HEARTBEAT_MS = 10 * 60_000;

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
const ENDED: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

function checkTransition(ctx: StoreContext, run: RunRecord, to: RunStatus): void {
  if (!TRANSITIONS[run.status].includes(to)) {
    throw new StoreError('INVALID_TRANSITION', `run ${run.id} is ${run.status}; it cannot become ${to}`, ctx.path);
  }
  if (run.status === 'failed' && to === 'running' && !hasCheckpoint(ctx, run.id)) {
    throw new StoreError('INVALID_TRANSITION', `run ${run.id} is failed and has no checkpoint; it cannot become running`, ctx.path);
  }
}

/** queued|interrupted -> running; records the owning process (default: this one) and a first heartbeat. */
export function startRun(ctx: StoreContext, id: number, owner: { pid?: number; host?: string; at?: number } = {}): RunRecord {
  ctx.writable();
  const at = owner.at ?? Date.now();
  return ctx.tx(() => {
    checkTransition(ctx, requireRun(ctx, id), 'running');
    ctx
      .stmt(
        `UPDATE runs SET status = 'running', started_at = ifnull(started_at, @at), ended_at = NULL, wall_seconds = NULL,
                         error = NULL, pid = @pid, host = @host, heartbeat_at = @at WHERE id = @id`,
      )
      .run({ id, at, pid: owner.pid ?? process.pid, host: owner.host ?? ctx.host });
    return requireRun(ctx, id);
  });
}

/** Generic, validated status change (see TRANSITIONS); callers use startRun / finishRun. */
function updateRunStatus(ctx: StoreContext, id: number, status: RunStatus, opts: { error?: string | null; at?: number } = {}): RunRecord {
  if (!RUN_STATUSES.includes(status)) throw new StoreError('INVALID_INPUT', `unknown run status ${String(status)}`);
  if (status === 'running') return startRun(ctx, id, { at: opts.at });
  ctx.writable();
  const at = opts.at ?? Date.now();
  return ctx.tx(() => {
    const run = requireRun(ctx, id);
    checkTransition(ctx, run, status);
    const started = run.startedAt === null ? null : Date.parse(run.startedAt);
    ctx.stmt(`UPDATE runs SET status = @status, error = @error, ended_at = @ended, wall_seconds = @wall WHERE id = @id`).run({
      id,
      status,
      error: status === 'completed' ? null : (opts.error ?? null),
      ended: ENDED.has(status) ? at : null,
      wall: ENDED.has(status) && started !== null ? Math.max(0, (at - started) / 1000) : null,
    });
    return requireRun(ctx, id);
  });
}

export function finishRun(
  ctx: StoreContext,
  id: number,
  status: FinishStatus,
  opts: { error?: string | null; bestEpoch?: number | null; at?: number } = {},
): RunRecord {
  if (status !== 'completed' && status !== 'failed' && status !== 'cancelled') {
    throw new StoreError('INVALID_INPUT', `finishRun status must be completed, failed or cancelled (got ${String(status)})`);
  }
  ctx.writable();
  return ctx.tx(() => {
    if (opts.bestEpoch !== undefined) setBestEpoch(ctx, id, opts.bestEpoch);
    return updateRunStatus(ctx, id, status, opts);
  });
}

/**
 * Liveness signal of the owning process. Returns false when the run is not running (e.g.
 * cancelled meanwhile). A run marked interrupted because its heartbeat went stale (laptop
 * asleep) is revived if the same process on the same host is still beating.
 */
export function setHeartbeat(ctx: StoreContext, id: number, at: number = Date.now()): boolean {
  ctx.writable();
  return (
    ctx
      .stmt(
        `UPDATE runs SET heartbeat_at = @at,
           status = 'running', ended_at = NULL, wall_seconds = NULL,
           error = CASE WHEN status = 'interrupted' THEN NULL ELSE error END
         WHERE id = @id AND (status = 'running' OR (status = 'interrupted' AND pid = @pid AND host = @host))`,
      )
      .run({ id, at, pid: process.pid, host: ctx.host }).changes > 0
  );
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: exists but belongs to someone else. Anything but ESRCH: be conservative.
    return sqliteCode(e) !== 'ESRCH';
  }
}

/**
 * Mark as `interrupted` every `running` run whose owning process is gone (same host, and
 * process.kill(pid, 0) reports ESRCH) or whose heartbeat is older than staleHeartbeatMs.
 */
export function recoverInterruptedRuns(ctx: StoreContext, opts: RecoverOptions = {}): RecoveredRun[] {
  ctx.writable();
  const now = opts.now ?? Date.now();
  const stale = opts.staleHeartbeatMs ?? DEFAULT_STALE_HEARTBEAT_MS;
  return ctx.tx(() => {
    const rows = ctx
      .stmt("SELECT id, pid, host, heartbeat_at, started_at, created_at FROM runs WHERE status = 'running'")
      .all() as Pick<RunRow, 'id' | 'pid' | 'host' | 'heartbeat_at' | 'started_at' | 'created_at'>[];
    const out: RecoveredRun[] = [];
    for (const r of rows) {
      const lastSeen = r.heartbeat_at ?? r.started_at ?? r.created_at;
      let reason: RecoveredRun['reason'] | null = null;
      let error = '';
      const pidKnown = r.pid !== null && Number.isInteger(r.pid) && r.pid > 0 && r.host === ctx.host;
      if (pidKnown && !pidAlive(r.pid!)) {
        reason = 'process-gone';
        error = `interrupted: process ${r.pid} on ${r.host} is gone (last heartbeat ${iso(lastSeen)})`;
      } else if (now - lastSeen > stale) {
        reason = 'stale-heartbeat';
        error = `interrupted: no heartbeat since ${iso(lastSeen)} (${Math.round((now - lastSeen) / 1000)} s)`;
      }
      if (!reason) continue;
      // `heartbeat_at IS @hb`: a run that beat again since the SELECT is left alone.
      const changed = ctx
        .stmt(
          `UPDATE runs SET status = 'interrupted', error = @error, ended_at = @ended,
             wall_seconds = CASE WHEN started_at IS NULL THEN NULL ELSE max(0, (@ended - started_at) / 1000.0) END
           WHERE id = @id AND status = 'running' AND heartbeat_at IS @hb`,
        )
        .run({ id: r.id, error, ended: lastSeen, hb: r.heartbeat_at }).changes;
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
export function resumeCheck(ctx: StoreContext, runId: number): ResumeCheck {
  const run = requireRun(ctx, runId);
  const no = (reason: string): ResumeCheck => ({ ok: false, reason });
  if (run.status === 'completed') return no(`run ${run.id} is completed; there is nothing to resume (only a run that stopped early can be)`);
  if (run.status === 'running') return no(`run ${run.id} is running (pid ${run.pid ?? '?'} on ${run.host ?? '?'})`);
  if (run.status === 'queued') return no(`run ${run.id} has not started yet; there is nothing to resume`);
  if (!hasCheckpoint(ctx, run.id)) return no(`run ${run.id} has no checkpoint to resume from`);
  return { ok: true };
}

/**
 * Runs that resumeCheck() accepts (default: every resumable status), newest first; `statuses`
 * narrows the list. Runs that already have a resumed child are left out unless includeResumed.
 */
export function resumableRuns(ctx: StoreContext, opts: { statuses?: readonly RunStatus[]; includeResumed?: boolean } = {}): RunRecord[] {
  const statuses = (opts.statuses ?? RESUMABLE_STATUSES).filter((s) => RESUMABLE_STATUSES.includes(s));
  if (statuses.length === 0) return [];
  const rows = ctx.db
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
export function getResumeInfo(ctx: StoreContext, runId: number): ResumeInfo | null {
  // One read transaction: the check and the checkpoint it accepted are the same snapshot.
  return ctx.db
    .transaction((): ResumeInfo | null => {
      if (!resumeCheck(ctx, runId).ok) return null;
      const run = requireRun(ctx, runId);
      const ckpt = latestCheckpoint(ctx, runId, { payload: true });
      if (!ckpt?.payload) return null;
      const lastRecorded = lastEpoch(ctx, runId);
      const checkpointEpoch = ckpt.epoch ?? lastRecorded ?? 0;
      return { run, checkpoint: { ...ckpt, payload: ckpt.payload }, checkpointEpoch, lastRecordedEpoch: lastRecorded };
    })
    .deferred();
}
