// Starts training runs in worker threads so the caller (Electron main, browser-mode server) never
// blocks. Streams progress, cancels within one batch, and turns a worker that dies without
// reporting into a `failed` run carrying the error text.
import { Worker } from 'node:worker_threads';
import { EventEmitter } from 'node:events';
import { RunStore } from '../store';
import type { WorkerMessage, WorkerRequest } from './worker';
import type { ProgressEvent } from '../engine/types';
import { APP_VERSION } from '../version';
import { CANCEL_REASONS, type CancelReason } from './cancel';

export type StartRequest = Omit<WorkerRequest, 'cancelFlag'>;

export interface RunHandle {
  /** Resolves once the run record exists. */
  runId: Promise<number>;
  /** Resolves when the worker finishes (completed, cancelled, or failed with a message). */
  done: Promise<{ runId: number | null; status: string; error?: string; val?: Record<string, number> | null; test?: Record<string, number> | null }>;
  cancel(reason?: CancelReason): void;
  events: EventEmitter; // 'progress' (runId, ProgressEvent)
}

export interface HostOptions {
  /** Worker entry (a URL or path). Defaults to ./worker.dev.mjs, which loads ./worker.ts through tsx. */
  workerEntry?: string | URL;
  execArgv?: string[];
}

export class RunHost {
  private readonly active = new Map<number, RunHandle>();
  constructor(private readonly opts: HostOptions = {}) {}

  start(req: StartRequest): RunHandle {
    const cancelFlag = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancelFlag);
    // Node 20 ignores `--import tsx` in a worker's execArgv: the .mjs entry registers tsx itself.
    const entry = this.opts.workerEntry ?? new URL('./worker.dev.mjs', import.meta.url);
    const worker = new Worker(entry, {
      workerData: { ...req, cancelFlag } satisfies WorkerRequest,
      execArgv: this.opts.execArgv ?? [],
    });
    const events = new EventEmitter();
    let runId: number | null = null;
    let resolveId!: (id: number) => void;
    let rejectId!: (e: Error) => void;
    const idPromise = new Promise<number>((res, rej) => {
      resolveId = res;
      rejectId = rej;
    });
    idPromise.catch(() => {});
    let settled = false;
    const done = new Promise<Awaited<RunHandle['done']>>((resolve) => {
      const finish = (r: Awaited<RunHandle['done']>) => {
        if (settled) return;
        settled = true;
        if (runId !== null) this.active.delete(runId);
        if (runId === null) rejectId(new Error(r.error ?? 'run failed before it was created'));
        resolve(r);
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'created') {
          runId = m.runId;
          this.active.set(m.runId, handle);
          resolveId(m.runId);
        } else if (m.type === 'progress') {
          events.emit('progress', m.runId, m.event as ProgressEvent);
        } else if (m.type === 'done') {
          finish({ runId: m.runId, status: m.status, val: m.val, test: m.test });
        } else if (m.type === 'error') {
          finish({ runId: m.runId, status: 'failed', error: m.message });
        }
      });
      // A worker that dies without a final message (out of memory, native crash, process.exit):
      // mark its run failed so it never stays `running`.
      const crashed = (message: string) => {
        if (settled) return;
        if (runId !== null) markFailed(req.storePath, runId, message);
        finish({ runId, status: 'failed', error: message });
      };
      worker.on('error', (e) => crashed(`worker crashed: ${e.message}`));
      worker.on('exit', (code) => crashed(`worker exited with code ${code} before finishing`));
    });
    const handle: RunHandle = { runId: idPromise, done, cancel: (reason: CancelReason = 'user') => Atomics.store(flag, 0, CANCEL_REASONS[reason].code), events };
    return handle;
  }

  cancel(runId: number): boolean {
    const h = this.active.get(runId);
    if (!h) return false;
    h.cancel();
    return true;
  }

  activeRuns(): number[] {
    return [...this.active.keys()];
  }
}

/** Best effort, never throws: it runs inside a worker 'exit' listener, where a throw kills the process. */
function markFailed(storePath: string, runId: number, message: string): void {
  try {
    const store = RunStore.open(storePath, { appVersion: APP_VERSION, recover: false });
    try {
      const run = store.getRun(runId);
      if (run && (run.status === 'running' || run.status === 'queued')) store.finishRun(runId, 'failed', { error: message });
    } finally {
      store.close();
    }
  } catch (e) {
    process.stderr.write(`run ${runId}: could not mark it failed in ${storePath}: ${(e as Error)?.message ?? String(e)}\n`);
  }
}
