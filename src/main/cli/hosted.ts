// Trains one run in a worker thread (RunHost, as the app does), so the main thread stays free to
// draw progress and to hear Ctrl-C: the first one cancels within the current batch (the run ends
// `cancelled`, resumable from its last checkpoint, exit 130); a second one exits at once (the run
// is then recovered as `interrupted` on the next open).
import type { RunStore, RunRecord } from '../store';
import { RunHost, type StartRequest } from '../runs/host';
import type { ProgressEvent } from '../engine/types';
import { CliError, EXIT } from './errors';
import { note } from './output';
import { progressReporter } from './progress';
import type { GlobalOpts } from './context';

export interface HostedResult {
  run: RunRecord;
  val: Record<string, number> | null;
  test: Record<string, number> | null;
}

/** Resolves with the finished run; throws CliError CANCELLED / FAILED otherwise. */
export async function trainHosted(g: GlobalOpts, store: RunStore, req: Omit<StartRequest, 'storePath' | 'backend'>, label: string): Promise<HostedResult> {
  const handle = new RunHost().start({ ...req, storePath: store.path, backend: g.backend });
  const prog = progressReporter(g, label);
  handle.events.on('progress', (_id: number, e: ProgressEvent) => prog.onProgress(e));
  let runId: number | null = null;
  let interrupts = 0;
  const onSigint = () => {
    prog.stop();
    if (++interrupts > 1) {
      process.stderr.write(`micro: stopped at once${runId !== null ? `; run ${runId} shows as interrupted (continue it with: micro resume ${runId})` : ''}\n`);
      process.exit(EXIT.cancelled);
    }
    handle.cancel();
    process.stderr.write(`micro: cancelling${runId !== null ? ` run ${runId}` : ''} after the current batch (Ctrl-C again to stop at once)\n`);
  };
  process.on('SIGINT', onSigint);
  try {
    handle.runId.then(
      (id) => {
        runId = id;
        const r = store.getRun(id);
        note(g, `run ${id}: ${r?.model ?? req.spec.model} on dataset ${req.dataset}, backend ${r?.backend ?? '?'}; store ${store.path}`);
      },
      () => {},
    );
    const done = await handle.done;
    prog.stop();
    const id = done.runId;
    const run = id !== null ? store.getRun(id) : null;
    const status = run?.status ?? done.status;
    if (status === 'cancelled') throw new CliError('CANCELLED', cancelledMessage(store, id));
    if (status !== 'completed' || !run) throw new CliError('FAILED', id !== null ? `run ${id} failed: ${done.error ?? run?.error ?? status}` : (done.error ?? 'the run failed before it started'));
    return { run, val: done.val ?? null, test: done.test ?? null };
  } finally {
    prog.stop();
    process.off('SIGINT', onSigint);
  }
}

function cancelledMessage(store: RunStore, id: number | null): string {
  if (id === null) return 'cancelled before the run started';
  const last = store.lastEpoch(id);
  return last ? `run ${id} cancelled after epoch ${last}; continue it with: micro resume ${id}` : `run ${id} cancelled before its first epoch ended (no checkpoint to resume from)`;
}
