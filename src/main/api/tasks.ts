// Runs dataset work (import, split, pilot studies, loading a dataset's interaction index) in a
// short-lived worker thread, so the Electron main process and the browser-mode server never block
// on parsing large files or O(n²) similarity passes.
import { Worker } from 'node:worker_threads';
import type { Task, TaskResult, TaskReply } from './task-worker';

export interface TaskRunnerOptions {
  /** Worker entry (path or URL). Defaults to ./task-worker.dev.mjs (loads ./task-worker.ts through tsx). */
  workerEntry?: string | URL;
  execArgv?: string[];
}

export class TaskRunner {
  private readonly running = new Set<Worker>();
  constructor(private readonly opts: TaskRunnerOptions = {}) {}

  run<T extends Task>(task: T): Promise<TaskResult<T>> {
    const entry = this.opts.workerEntry ?? new URL('./task-worker.dev.mjs', import.meta.url);
    const worker = new Worker(entry, { workerData: task, execArgv: this.opts.execArgv ?? [] });
    this.running.add(worker);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.running.delete(worker);
        fn();
      };
      worker.once('message', (m: TaskReply) => {
        settle(() => (m.ok ? resolve(m.value as TaskResult<T>) : reject(Object.assign(new Error(m.message), { code: m.code }))));
        void worker.terminate();
      });
      worker.once('error', (e) => settle(() => reject(new Error(`${task.op} task crashed: ${e.message}`))));
      worker.once('exit', (code) => settle(() => reject(new Error(`${task.op} task exited with code ${code} before answering`))));
    });
  }

  /** Stop every task in flight (app shutdown). */
  async terminateAll(): Promise<void> {
    await Promise.all([...this.running].map((w) => w.terminate()));
    this.running.clear();
  }
}
