// Runs a study's queue through the workbench API (startStudy: the cells train in workers, one at
// a time unless --parallel) and waits for it, printing a line per finished cell with the study's
// ETA. The first Ctrl-C cancels the study (running cells stop within a batch, resumable; exit 130,
// `micro study resume <id>` continues); a second one exits at once (the study and its running
// cells are then recovered as interrupted on the next open).
import type { WorkbenchService } from '../../api';
import type { ApiEvent, MicroApi, StudyDetails, StudyProgress } from '../../../shared/api';
import type { GlobalOpts } from '../context';
import { CliError, EXIT } from '../errors';
import { note } from '../output';

function eta(s: number | null): string {
  if (s === null) return '?';
  const r = Math.round(s);
  return r >= 3600 ? `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, '0')}m` : r >= 60 ? `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s` : `${r}s`;
}

export function progressLine(id: number, p: StudyProgress): string {
  return `study ${id}: ${p.completed}/${p.total} cells done${p.running ? `, ${p.running} running` : ''}${p.failed ? `, ${p.failed} failed` : ''}, eta ${eta(p.etaSeconds)}`;
}

export async function runStudyHosted(g: GlobalOpts, api: MicroApi, service: WorkbenchService, studyId: number, parallel: number): Promise<StudyDetails> {
  let interrupts = 0;
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  let lastDone = -1;
  const onEvent = (e: ApiEvent) => {
    if (e.type !== 'study-updated' || e.studyId !== studyId) return;
    // A line when a cell finishes (with the study's ETA), not for every start.
    if (e.progress.completed !== lastDone) {
      lastDone = e.progress.completed;
      note(g, progressLine(studyId, e.progress));
    }
    if (e.status !== 'running') ended();
  };
  const onSigint = () => {
    if (++interrupts > 1) {
      process.stderr.write(`micro: stopped at once; study ${studyId} shows as interrupted (continue it with: micro study resume ${studyId})\n`);
      process.exit(EXIT.cancelled);
    }
    process.stderr.write(`micro: cancelling study ${studyId} after the current batch (Ctrl-C again to stop at once)\n`);
    void api.cancelStudy({ studyId }).catch(() => {}); // it may have just ended
  };
  const off = service.onEvent(onEvent);
  process.on('SIGINT', onSigint);
  try {
    await api.startStudy({ studyId, parallel, backend: g.backend });
    const now = await api.getStudy({ studyId });
    if (!now.study.active) ended();
    await end;
    const d = await api.getStudy({ studyId });
    if (d.study.status === 'cancelled') throw new CliError('CANCELLED', `study ${studyId} cancelled with ${d.progress.completed} of ${d.progress.total} cells done; continue it with: micro study resume ${studyId}`);
    return d;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}
