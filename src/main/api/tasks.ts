// Runs dataset work (import, split, pilot studies, loading a dataset's interaction index) in a
// short-lived worker thread, so the Electron main process and the browser-mode server never block
// on parsing large files or O(n²) similarity passes. Every task is bounded: a V8 heap limit for
// the worker, a wall-clock timeout, a watchdog on the process's memory (Buffers and typed arrays
// live outside the worker's heap limit), and cancel by id. A task that is stopped answers at once;
// a worker stuck in a blocking system call is terminated in the background.
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { Task, TaskResult, TaskReply } from './task-worker';
import type { TaskInfo } from '../../shared/api';

export type { TaskInfo };

export interface TaskLimits {
  /** Wall-clock limit per task, ms (per op; `default` for the rest). */
  timeoutMs: Partial<Record<Task['op'], number>> & { default: number };
  /** V8 old-generation heap limit of a task worker, MB. */
  heapMb: number;
  /** Growth of the process's resident memory while tasks run, MB, before the newest task is stopped. */
  memoryMb: number;
  /** Watchdog period, ms. */
  watchMs: number;
}

export interface TaskRunnerOptions {
  /** Worker entry (path or URL). Defaults to ./task-worker.dev.mjs (loads ./task-worker.ts through tsx). */
  workerEntry?: string | URL;
  execArgv?: string[];
  limits?: Partial<TaskLimits>;
}

/** Sized for the 2-core / 24 GB machines: big enough for Clothing-scale imports, far from the machine's RAM. */
export function defaultTaskLimits(): TaskLimits {
  const totalMb = os.totalmem() / 2 ** 20;
  return {
    timeoutMs: { default: 30 * 60_000, index: 10 * 60_000 },
    heapMb: Math.max(1024, Math.min(8192, Math.floor(totalMb / 4))),
    memoryMb: Math.max(1536, Math.min(12_288, Math.floor(totalMb / 2))),
    watchMs: 250,
  };
}

/** Why a task stopped without answering; `code` maps to the API's error codes. */
export class TaskStopped extends Error {
  constructor(
    message: string,
    readonly code: 'CANCELLED' | 'TIMEOUT' | 'MEMORY' | 'CRASHED',
  ) {
    super(message);
    this.name = 'TaskStopped';
  }
}

interface Running {
  info: TaskInfo;
  worker: Worker;
  rssAtStart: number;
  stop: (e: Error) => void;
}

function label(task: Task): string {
  if (task.op === 'import') return `import ${task.path}`;
  if (task.op === 'split') return `split ${task.dataset} (${task.mode}) into ${task.out}`;
  if (task.op === 'diagnose') return `pilot studies of ${task.dataset}`;
  if (task.op === 'recommend') return `recommendations of run ${task.runId} (top ${task.k}, ${task.split})`;
  if (task.op === 'doctor') return 'backend check (doctor)';
  if (task.op === 'umap') return `UMAP of run ${task.runId} (${task.embedding})`;
  return `load ${task.dataset}`;
}

export class TaskRunner {
  private readonly running = new Map<number, Running>();
  private readonly limits: TaskLimits;
  private nextId = 1;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly opts: TaskRunnerOptions = {}) {
    const d = defaultTaskLimits();
    this.limits = { ...d, ...opts.limits, timeoutMs: { ...d.timeoutMs, ...opts.limits?.timeoutMs } };
  }

  /** Start a task; `onStart` receives its id (for cancel) before any work happens. */
  run<T extends Task>(task: T, onStart?: (info: TaskInfo) => void): Promise<TaskResult<T>> {
    const entry = this.opts.workerEntry ?? new URL('./task-worker.dev.mjs', import.meta.url);
    const worker = new Worker(entry, {
      workerData: task,
      execArgv: this.opts.execArgv ?? [],
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb },
    });
    const info: TaskInfo = { id: this.nextId++, op: task.op, label: label(task), startedAt: new Date().toISOString() };
    return new Promise<TaskResult<T>>((resolve, reject) => {
      let settled = false;
      const timeoutMs = this.limits.timeoutMs[task.op] ?? this.limits.timeoutMs.default;
      const timer = setTimeout(
        () => stop(new TaskStopped(`${info.label}: stopped after ${Math.round(timeoutMs / 1000)} s (time limit)`, 'TIMEOUT')),
        timeoutMs,
      );
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(info.id);
        if (this.running.size === 0) this.stopWatchdog();
        fn();
      };
      // Answer now; terminate() may take as long as a blocking system call in the worker.
      const stop = (e: Error) => {
        settle(() => reject(e));
        worker.terminate().catch(() => {});
      };
      this.running.set(info.id, { info, worker, rssAtStart: process.memoryUsage.rss(), stop });
      this.startWatchdog();
      worker.once('message', (m: TaskReply) => {
        settle(() => (m.ok ? resolve(m.value as TaskResult<T>) : reject(Object.assign(new Error(m.message), { code: m.code }))));
        worker.terminate().catch(() => {});
      });
      worker.once('error', (e) => {
        const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        settle(() =>
          reject(
            oom
              ? new TaskStopped(`${info.label}: stopped, it needed more than ${this.limits.heapMb} MB of memory`, 'MEMORY')
              : new TaskStopped(`${info.label}: task crashed: ${e.message}`, 'CRASHED'),
          ),
        );
      });
      worker.once('exit', (code) => settle(() => reject(new TaskStopped(`${info.label}: task exited with code ${code} before answering`, 'CRASHED'))));
      onStart?.(info);
    });
  }

  list(): TaskInfo[] {
    return [...this.running.values()].map((r) => r.info);
  }

  /** Stop one task; false when no such task is running. */
  cancel(id: number): boolean {
    const r = this.running.get(id);
    if (!r) return false;
    r.stop(new TaskStopped(`${r.info.label}: cancelled`, 'CANCELLED'));
    return true;
  }

  /** Stop every task in flight (app shutdown); waits at most `waitMs` for the threads to end. */
  async terminateAll(waitMs = 3000): Promise<void> {
    const workers = [...this.running.values()].map((r) => {
      r.stop(new TaskStopped(`${r.info.label}: stopped, the workbench is shutting down`, 'CANCELLED'));
      return r.worker;
    });
    this.running.clear();
    this.stopWatchdog();
    await Promise.race([Promise.all(workers.map((w) => w.terminate().catch(() => 0))), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const rss = process.memoryUsage.rss();
      // The newest task is the one that grew us; older ones keep their share.
      const newest = [...this.running.values()].reduce<Running | null>((a, r) => (!a || r.info.id > a.info.id ? r : a), null);
      const base = Math.min(...[...this.running.values()].map((r) => r.rssAtStart));
      if (newest && (rss - base) / 2 ** 20 > this.limits.memoryMb) {
        newest.stop(new TaskStopped(`${newest.info.label}: stopped, it used more than ${this.limits.memoryMb} MB of memory (is the input a regular file of sane size?)`, 'MEMORY'));
      }
    }, this.limits.watchMs);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
