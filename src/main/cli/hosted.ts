// Trains one run through the workbench API (its worker thread, as the app does), so the main
// thread stays free to draw progress and to hear Ctrl-C: the first one cancels within the current
// batch (the run ends `cancelled`, resumable from its last checkpoint, exit 130); a second one
// exits at once (the run is then recovered as `interrupted` on the next open).
import type { WorkbenchService } from '../api';
import type { ApiEvent, MicroApi, RunSummary, StartRunInput } from '../../shared/api';
import { CliError, EXIT } from './errors';
import { note } from './output';
import { progressReporter } from './progress';
import type { GlobalOpts } from './context';

export interface HostedResult {
  run: RunSummary;
  val: Record<string, number> | null;
  test: Record<string, number> | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/** `{ "recall@20": … }` of one split from a summary's `val/recall@20` keys; null when none. */
function splitMetrics(run: RunSummary, split: 'val' | 'test'): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(run.metrics)) if (k.startsWith(`${split}/`)) out[k.slice(split.length + 1)] = v;
  return Object.keys(out).length ? out : null;
}

/** Start a run (or resume one) and wait for its end; throws CliError CANCELLED / FAILED unless it completed. */
export async function trainHosted(
  g: GlobalOpts,
  api: MicroApi,
  service: WorkbenchService,
  start: { run: StartRunInput } | { resume: number },
  label: string,
): Promise<HostedResult> {
  const prog = progressReporter(g, label);
  let runId: number | null = null;
  let interrupts = 0;
  let cancelAsked = false;
  let ended!: (status: string) => void;
  const end = new Promise<string>((r) => (ended = r));
  // Events of runs whose id is not known yet are kept: a short run may end before startRun answers.
  const early: ApiEvent[] = [];
  const onEvent = (e: ApiEvent) => {
    if (e.type !== 'progress' && e.type !== 'run-updated') return;
    if (runId === null) early.push(e);
    else if (e.runId === runId) handle(e);
  };
  const handle = (e: ApiEvent) => {
    if (e.type === 'progress') prog.onProgress(e.progress);
    else if (e.type === 'run-updated' && TERMINAL.has(e.status)) ended(e.status);
  };
  const cancel = () => void api.cancelRun({ runId: runId! }).catch(() => {}); // it may have just ended
  const onSigint = () => {
    prog.stop();
    if (++interrupts > 1) {
      process.stderr.write(`micro: stopped at once${runId !== null ? `; run ${runId} shows as interrupted (continue it with: micro resume ${runId})` : ''}\n`);
      process.exit(EXIT.cancelled);
    }
    cancelAsked = true;
    if (runId !== null) cancel();
    process.stderr.write(`micro: cancelling${runId !== null ? ` run ${runId}` : ''} after the current batch (Ctrl-C again to stop at once)\n`);
  };
  const off = service.onEvent(onEvent);
  process.on('SIGINT', onSigint);
  try {
    runId = ('run' in start ? await api.startRun({ ...start.run, backend: g.backend }) : await api.resumeRun({ runId: start.resume })).runId;
    for (const e of early.splice(0)) if ((e as { runId?: number }).runId === runId) handle(e);
    if (cancelAsked) cancel();
    const started = await api.getRun({ runId });
    note(g, `run ${runId}: ${started.run.model} on dataset ${started.run.datasetName ?? '?'}, backend ${started.run.backend ?? '?'}; store ${service.store.path}`);
    if (!started.run.active && TERMINAL.has(started.run.status)) ended(started.run.status);
    await end;
    prog.stop();
    const d = await api.getRun({ runId });
    const run = d.run;
    if (run.status === 'cancelled') throw new CliError('CANCELLED', cancelledMessage(run));
    if (run.status !== 'completed') throw new CliError('FAILED', `run ${runId} failed: ${run.error ?? run.status}`);
    return { run, val: splitMetrics(run, 'val'), test: splitMetrics(run, 'test') };
  } finally {
    prog.stop();
    off();
    process.off('SIGINT', onSigint);
  }
}

function cancelledMessage(run: RunSummary): string {
  return run.epochsRecorded && run.resumable
    ? `run ${run.id} cancelled after epoch ${run.epochsRecorded}; continue it with: micro resume ${run.id}`
    : `run ${run.id} cancelled before its first epoch ended (no checkpoint to resume from)`;
}
