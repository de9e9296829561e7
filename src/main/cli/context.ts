// The one place the CLI opens the run store: directly (training, import, export) or through the
// in-process API service (read and maintenance commands), closed again whatever happens. A store
// that refuses to open is exit 4.
import { RunStore, resolveStorePath } from '../store';
import type { BackendName } from '../engine/backend';
import { WorkbenchService } from '../api';
import type { MicroApi } from '../../shared/api';
import { APP_VERSION } from '../version';
import { CliError, toCliError } from './errors';

export interface GlobalOpts {
  store?: string;
  json?: boolean;
  backend?: BackendName | 'auto';
  quiet?: boolean;
}

export function storePath(g: GlobalOpts): string {
  return resolveStorePath(g.store);
}

function refused(e: unknown): CliError {
  const err = toCliError(e);
  return err.code === 'STORE' ? err : new CliError('STORE', err.message);
}

export async function withStore<T>(g: GlobalOpts, fn: (store: RunStore) => T | Promise<T>): Promise<T> {
  let store: RunStore;
  try {
    store = RunStore.open(storePath(g), { appVersion: APP_VERSION });
  } catch (e) {
    throw refused(e);
  }
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** The workbench API in-process, as the app and the browser-mode server call it. */
export async function withApi<T>(g: GlobalOpts, fn: (api: MicroApi, service: WorkbenchService) => T | Promise<T>): Promise<T> {
  let service: WorkbenchService;
  try {
    service = new WorkbenchService({ storePath: storePath(g), mode: 'browser' });
  } catch (e) {
    throw refused(e);
  }
  try {
    return await fn(service.api(), service);
  } finally {
    await service.close();
  }
}
