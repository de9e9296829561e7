// The trainings this service runs: each in a worker thread (RunHost), its latest progress kept for
// `activeRuns`, every event forwarded to listeners, and its end recorded even when the worker died
// before it could record it.
import type { RunStore } from '../store';
import { RunHost, type HostOptions, type RunHandle, type StartRequest } from '../runs/host';
import { ApiError, progressFraction, type ApiEvent, type ProgressInfo, type RunStatus } from '../../shared/api';

interface ActiveEntry {
  handle: RunHandle;
  progress: ProgressInfo | null;
}

export class RunSupervisor {
  private readonly host: RunHost;
  private readonly active = new Map<number, ActiveEntry>();

  constructor(
    private readonly store: RunStore,
    private readonly emit: (e: ApiEvent) => void,
    host?: HostOptions,
    private readonly testHooks: { crashAfterBatches?: number } = {},
  ) {
    this.host = new RunHost(host);
  }

  has(runId: number): boolean {
    return this.active.has(runId);
  }

  /** The run ids being trained, with their latest progress. */
  entries(): [number, ProgressInfo | null][] {
    return [...this.active.entries()].map(([id, a]) => [id, a.progress]);
  }

  /** Ask a run this service trains to stop after its current batch; false if it is not ours. */
  cancel(runId: number): boolean {
    return this.host.cancel(runId);
  }

  /** Start (or resume) a run in a worker; resolves with its id once the worker has created it. */
  async launch(req: StartRequest): Promise<number> {
    const handle = this.host.start({ ...req, ...this.testHooks });
    let runId: number;
    try {
      runId = await handle.runId;
    } catch (e) {
      const r = await handle.done;
      throw new ApiError('FAILED', r.error ?? (e as Error).message);
    }
    this.attach(handle, runId);
    return runId;
  }

  /** Cancel every training and wait (at most `waitMs`) for the workers to stop. */
  async stopAll(waitMs: number): Promise<void> {
    const pending = [...this.active.values()].map((a) => {
      a.handle.cancel('shutdown');
      return a.handle.done;
    });
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }

  private attach(handle: RunHandle, runId: number): void {
    const entry: ActiveEntry = { handle, progress: null };
    this.active.set(runId, entry);
    handle.events.on('progress', (id: number, ev: ProgressInfo) => {
      const p: ProgressInfo = { ...ev };
      const f = progressFraction(p);
      if (f !== undefined) p.fraction = f;
      // Keep the latest train-phase counters when validating (the bar should not jump back).
      entry.progress = { ...(entry.progress ?? {}), ...p };
      this.emit({ type: 'progress', runId: id, progress: p });
    });
    // No rejection may escape: a store error here used to take the whole server down.
    void handle.done
      .then((r) => this.ended(runId, r), (e: unknown) => this.ended(runId, { status: 'failed', error: `training worker failed: ${(e as Error)?.message ?? String(e)}` }))
      .catch((e: unknown) => process.stderr.write(`workbench: run ${runId} ended, but its status could not be reported: ${(e as Error)?.message ?? String(e)}\n`));
    this.emit({ type: 'run-updated', runId, status: 'running', error: null });
  }

  /**
   * A run's worker finished. The worker records its own status; when it could not (it died, or
   * the store refused its last write), the run is marked failed here with the worker's error.
   */
  private ended(runId: number, r: { status: string; error?: string }): void {
    this.active.delete(runId);
    let status = r.status as RunStatus;
    let error = r.error ?? null;
    try {
      const run = this.store.getRun(runId);
      if (run && (run.status === 'running' || run.status === 'queued')) {
        error ??= `the training worker stopped (${r.status}) without recording the run's end`;
        this.store.finishRun(runId, 'failed', { error });
        status = 'failed';
      } else if (run) {
        status = run.status;
        error = run.error ?? error;
      }
    } catch (e) {
      status = 'failed';
      error = `${error ? `${error}; ` : ''}the run store could not record the end of run ${runId}: ${(e as Error)?.message ?? String(e)}`;
    }
    this.emit({ type: 'run-updated', runId, status, error });
    this.emit({ type: 'runs-changed' });
  }
}
