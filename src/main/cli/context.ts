// The one place the CLI opens the run store: through the workbench API in process (the service
// the app and the browser-mode server run), closed again whatever happens. A store that refuses
// to open is exit 4.
import { WorkbenchService, resolveStorePath } from '../api';
import type { BackendChoice, MicroApi } from '../../shared/api';
import { CliError, toCliError } from './errors';

export interface GlobalOpts {
  store?: string;
  json?: boolean;
  backend?: BackendChoice;
  quiet?: boolean;
}

/** The workbench API in-process, as the app and the browser-mode server call it. */
export async function withApi<T>(g: GlobalOpts, fn: (api: MicroApi, service: WorkbenchService) => T | Promise<T>): Promise<T> {
  let service: WorkbenchService;
  try {
    service = new WorkbenchService({ storePath: resolveStorePath(g.store), mode: 'cli' });
  } catch (e) {
    throw new CliError('STORE', toCliError(e).message);
  }
  try {
    return await fn(service.api(), service);
  } finally {
    await service.close();
  }
}
