// The study queue: runs a study's cells through the service's normal run path (RunSupervisor:
// each cell a training in a worker, `parallel` at a time), links each cell to its run as soon as
// the run exists, reports progress with an ETA for the whole study, cancels, and resumes.
//
// Resume rule: a completed cell is never re-run. A cell whose run stopped early (interrupted by a
// crash, cancelled, failed) continues that same run from its checkpoint, in place (the sampler is
// re-derived per epoch, so the result is the one an uninterrupted run would give); a run that
// stopped before its first checkpoint is deleted (it has no epochs) and the cell starts afresh.
// A study does not run without a process: when the process dies, its runs and the study are
// recovered as `interrupted` on the next open, and startStudy continues it.
import type { DatasetRecord, RunStore, StudyCellRecord, StudyRecord } from '../store';
import { ApiError, type ApiEvent, type BackendChoice, type ProgressInfo, type StudyDefinition, type StudyProgress, type StudyVariant } from '../../shared/api';
import type { RunSupervisor } from './supervisor';

export interface QueueContext {
  store: RunStore;
  runs: RunSupervisor;
  storePath: string;
  emit(e: ApiEvent): void;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

interface ActiveStudy {
  cancelled: boolean;
  /** Run ids of this study's cells training now. */
  running: Set<number>;
  fatal: string | null;
  done: Promise<void>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export class StudyQueue {
  private readonly active = new Map<number, ActiveStudy>();
  /** Waiters for a run's end, and ends heard before anyone waited (a short run may end at once). */
  private readonly waiters = new Map<number, (status: string) => void>();
  private readonly ended = new Map<number, string>();

  constructor(private readonly c: QueueContext) {
    c.onEvent((e) => {
      if (e.type !== 'run-updated' || !TERMINAL.has(e.status)) return;
      const w = this.waiters.get(e.runId);
      if (w) {
        this.waiters.delete(e.runId);
        w(e.status);
      } else {
        this.ended.set(e.runId, e.status);
        if (this.ended.size > 256) this.ended.delete(this.ended.keys().next().value!); // runs no study waits for
      }
    });
  }

  has(studyId: number): boolean {
    return this.active.has(studyId);
  }

  /** Resolves when the study's queue (started here) stops; at once when none runs. */
  async wait(studyId: number): Promise<void> {
    await this.active.get(studyId)?.done;
  }

  /** Start (or continue) a study's queue in this process. */
  start(study: StudyRecord, dataset: DatasetRecord, parallel: number, backend?: BackendChoice): void {
    const s = this.c.store;
    if (this.active.has(study.id)) throw new ApiError('CONFLICT', `study ${study.id} is already running`);
    if (study.status === 'running') throw new ApiError('CONFLICT', `study ${study.id} is running in another process (pid ${study.pid ?? '?'} on ${study.host ?? '?'}); stop it there`);
    if (study.status === 'completed') throw new ApiError('CONFLICT', `study ${study.id} is completed; every cell has finished`);
    s.recoverInterruptedRuns();
    const def = study.definition as unknown as StudyDefinition;
    const variants = new Map(def.variants.map((v) => [v.key, v]));
    const todo = s.getStudyCells(study.id).filter((c) => c.status !== 'completed');
    s.setStudyStatus(study.id, 'running');
    const state: ActiveStudy = { cancelled: false, running: new Set(), fatal: null, done: Promise.resolve() };
    this.active.set(study.id, state);
    const worker = async () => {
      for (let cell = todo.shift(); cell && !state.cancelled && !state.fatal; cell = todo.shift()) {
        try {
          await this.runCell(study, def, variants.get(cell.variant)!, cell, dataset, state, backend);
        } catch (e) {
          state.fatal = (e as Error)?.message ?? String(e);
        }
      }
    };
    state.done = Promise.all(Array.from({ length: Math.max(1, parallel) }, worker)).then(() => this.finish(study.id, state));
    this.announce(study.id);
  }

  /** Stop the queue: cancel its running cells (each stops within a batch, resumable); false if not running here. */
  cancel(studyId: number): boolean {
    const state = this.active.get(studyId);
    if (!state) return false;
    state.cancelled = true;
    for (const runId of state.running) this.c.runs.cancel(runId);
    return true;
  }

  private async runCell(study: StudyRecord, def: StudyDefinition, v: StudyVariant, cell: StudyCellRecord, ds: DatasetRecord, state: ActiveStudy, backend?: BackendChoice): Promise<void> {
    const s = this.c.store;
    let runId: number | null = null;
    if (cell.runId !== null) {
      const run = s.getRun(cell.runId);
      if (run?.status === 'completed') return;
      if (run && s.resumeCheck(run.id).ok) {
        runId = await this.c.runs.launch({ storePath: this.c.storePath, dataset: ds.name, spec: { model: run.model }, resumeRunId: run.id, backend });
      } else if (run) {
        // Stopped before its first checkpoint: nothing to keep (no epochs), start the cell afresh.
        s.setStudyCellRun(study.id, cell.position, null);
        if (run.status !== 'running' && s.lastEpoch(run.id) === null) s.deleteRun(run.id);
      }
    }
    runId ??= await this.c.runs.launch({
      storePath: this.c.storePath,
      dataset: ds.name,
      spec: { model: v.model, preset: def.preset, seed: cell.seed, model_overrides: v.modelOverrides, train_overrides: v.trainOverrides },
      name: `study ${study.id} · ${v.label} · seed ${cell.seed}`,
      backend,
    });
    // The link is written as soon as the worker has created the run (before its first batch).
    s.setStudyCellRun(study.id, cell.position, runId);
    state.running.add(runId);
    if (state.cancelled) this.c.runs.cancel(runId);
    this.c.emit({ type: 'runs-changed' });
    this.announce(study.id);
    try {
      // A cell cancelled from outside the queue (cancelRun, or the service shutting down) stops
      // the study too: no further cell starts.
      if ((await this.runEnd(runId)) === 'cancelled') state.cancelled = true;
    } finally {
      state.running.delete(runId);
    }
    this.announce(study.id);
  }

  private runEnd(runId: number): Promise<string> {
    const early = this.ended.get(runId);
    if (early !== undefined) {
      this.ended.delete(runId);
      return Promise.resolve(early);
    }
    if (!this.c.runs.has(runId)) return Promise.resolve(this.c.store.getRun(runId)?.status ?? 'failed');
    return new Promise((resolve) => this.waiters.set(runId, resolve));
  }

  private finish(studyId: number, state: ActiveStudy): void {
    this.active.delete(studyId);
    try {
      const cells = this.c.store.getStudyCells(studyId);
      const open = cells.filter((c) => c.status !== 'completed');
      if (state.fatal) this.c.store.setStudyStatus(studyId, 'failed', { error: state.fatal });
      else if (open.length === 0) this.c.store.setStudyStatus(studyId, 'completed');
      else if (state.cancelled || open.some((c) => c.status === 'cancelled' || c.status === 'pending'))
        this.c.store.setStudyStatus(studyId, 'cancelled', { error: `cancelled with ${open.length} of ${cells.length} cells unfinished` });
      else {
        const failed = open.map((c) => `${c.variant} seed ${c.seed}${c.runId ? ` (run ${c.runId}: ${c.error ?? c.status})` : ''}`);
        this.c.store.setStudyStatus(studyId, 'failed', { error: `${open.length} of ${cells.length} cells did not complete: ${failed.join('; ')}` });
      }
      this.announce(studyId);
    } catch (e) {
      // The store closed under us (the service shut down): the study is recovered as interrupted.
      process.stderr.write(`workbench: study ${studyId} stopped, but its status could not be recorded: ${(e as Error)?.message ?? String(e)}\n`);
    }
  }

  private announce(studyId: number): void {
    const study = this.c.store.getStudy(studyId);
    if (study) this.c.emit({ type: 'study-updated', studyId, status: study.status, progress: this.progress(studyId) });
  }

  /**
   * Cell counts and the remaining wall time of the whole study: the median wall time of the
   * finished cells (a median, since a cell resumed after a crash counts its downtime), else the
   * running cells' own projection (elapsed / fraction done), times the work left, divided by the
   * cells that run at once.
   */
  progress(studyId: number, cells: StudyCellRecord[] = this.c.store.getStudyCells(studyId)): StudyProgress {
    const count = (f: (c: StudyCellRecord) => boolean) => cells.filter(f).length;
    const completed = count((c) => c.status === 'completed');
    const running = count((c) => c.status === 'running');
    const failed = count((c) => c.status === 'failed');
    const live = new Map<number, ProgressInfo | null>(this.c.runs.entries());
    const now = Date.now();
    const walls = cells.filter((c) => c.status === 'completed' && c.wallSeconds !== null).map((c) => c.wallSeconds!);
    let perCell: number | null = walls.length ? median(walls) : null;
    let inFlight = 0; // fraction of a cell's work still to do, summed over running cells
    const projections: number[] = [];
    for (const c of cells) {
      if (c.status !== 'running' || c.runId === null) continue;
      const f = live.get(c.runId)?.fraction ?? 0;
      inFlight += 1 - f;
      const started = this.c.store.getRun(c.runId)?.startedAt;
      if (f > 0 && started) projections.push((now - Date.parse(started)) / 1000 / f);
    }
    perCell ??= projections.length ? median(projections) : null;
    const waiting = cells.length - completed - running;
    const parallel = Math.max(1, running);
    const etaSeconds = perCell === null ? null : ((waiting + inFlight) * perCell) / parallel;
    return { total: cells.length, completed, running, failed, pending: count((c) => c.status === 'pending'), etaSeconds };
  }
}
