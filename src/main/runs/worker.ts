// Worker-thread entry: trains one run against its own connection to the run store and streams
// progress to the host. Cancellation arrives through a shared flag checked between batches.
import { parentPort, workerData } from 'node:worker_threads';
import { RunStore } from '../store';
import { initBackend, type BackendName } from '../engine/backend';
import type { RunSpec } from '../engine/experiment';
import { executeRun } from './execute';
import { loadRegistered } from './datasets';
import { APP_VERSION } from '../version';
import { cancelMessage } from './cancel';

export interface WorkerRequest {
  storePath: string;
  dataset: string;
  spec: RunSpec;
  name?: string;
  backend?: BackendName | 'auto';
  resumeRunId?: number;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 asks the run to stop after the current batch. */
  cancelFlag: SharedArrayBuffer;
  /** Test hook: throw after this many batches to simulate a crash inside the worker. */
  crashAfterBatches?: number;
  /** Test hook: once this many epochs are committed, the store file may not grow any more (a full disk). */
  diskFullAfterEpochs?: number;
}

export type WorkerMessage =
  | { type: 'created'; runId: number }
  | { type: 'progress'; runId: number; event: import('../engine/types').ProgressEvent }
  | { type: 'done'; runId: number; status: string; val: Record<string, number> | null; test: Record<string, number> | null }
  | { type: 'error'; runId: number | null; message: string };

async function run(req: WorkerRequest): Promise<void> {
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const flag = new Int32Array(req.cancelFlag);
  const abort = new AbortController();
  let runId: number | null = null;
  let batches = 0;
  let store: RunStore | null = null;
  try {
    store = RunStore.open(req.storePath, { appVersion: APP_VERSION, recover: false });
    await initBackend(req.backend);
    const rec = store.getDataset(req.dataset);
    if (!rec) throw new Error(`dataset "${req.dataset}" is not registered`);
    const res = await executeRun({
      store,
      dataset: loadRegistered(rec),
      datasetRecord: rec,
      spec: req.spec,
      name: req.name,
      resumeRunId: req.resumeRunId,
      signal: abort.signal,
      onRunCreated: (r) => {
        runId = r.id;
        post({ type: 'created', runId: r.id });
      },
      onProgress: (event) => {
        const code = Atomics.load(flag, 0);
        if (code !== 0 && !abort.signal.aborted) abort.abort(cancelMessage(code));
        if (event.phase === 'train' && req.crashAfterBatches !== undefined && ++batches > req.crashAfterBatches) {
          throw new Error('simulated worker crash');
        }
        if (event.phase === 'epoch' && req.diskFullAfterEpochs !== undefined && (event.epoch ?? 0) >= req.diskFullAfterEpochs) {
          store!.freezeFileSize();
        }
        post({ type: 'progress', runId: runId!, event });
      },
    });
    post({ type: 'done', runId: res.run.id, status: res.run.status, val: res.val, test: res.test });
  } catch (e) {
    post({ type: 'error', runId, message: (e as Error).message });
  } finally {
    store?.close();
  }
}

if (parentPort) void run(workerData as WorkerRequest);
