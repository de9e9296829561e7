// Waiting on the workbench service's events.
import type { WorkbenchService } from '../../src/main/api';
import type { ApiEvent } from '../../src/shared/api';

/** The first run-updated event that leaves 'running' (for runId, or for any run when omitted). */
export function finished(service: WorkbenchService, runId?: number): Promise<ApiEvent> {
  return new Promise((resolve) => {
    const off = service.onEvent((e) => {
      if (e.type === 'run-updated' && (runId === undefined || e.runId === runId) && e.status !== 'running') {
        off();
        resolve(e);
      }
    });
  });
}
