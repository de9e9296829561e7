// Waiting on the workbench service's events; a service with a trained demo run.
import path from 'node:path';
import type { WorkbenchService } from '../../src/main/api';
import type { ApiEvent, MicroApi } from '../../src/shared/api';
import { DEMO } from './paths';

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

/** A service on `<dir>/runs.sqlite` with the demo imported as `name` and one MICRO run trained to completion. */
export async function serviceWithDemoRun(
  dir: string,
  opts: { name: string; setting: 'warm' | 'cold'; epochs: number; model?: string },
): Promise<{ service: WorkbenchService; api: MicroApi; runId: number }> {
  const { WorkbenchService: Service } = await import('../../src/main/api');
  const service = new Service({ storePath: path.join(dir, 'runs.sqlite'), mode: 'browser' });
  const api = service.api();
  await api.importDataset({ path: DEMO, name: opts.name, setting: opts.setting });
  const { runId } = await api.startRun({ dataset: opts.name, model: opts.model ?? 'micro', trainOverrides: { epochs: opts.epochs, evalEvery: opts.epochs } });
  const end = await finished(service, runId);
  if (end.type !== 'run-updated' || end.status !== 'completed') throw new Error(`the demo run ended ${JSON.stringify(end)}`);
  return { service, api, runId };
}
