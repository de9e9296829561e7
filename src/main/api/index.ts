// The app's API implementation: one service, served over Electron IPC (index.ts) and HTTP (serve.ts).
export { WorkbenchService, toApiError, type ServiceOptions } from './service';
export { TaskRunner, type TaskRunnerOptions } from './tasks';
export { modelOptions, validateRunSpec, fieldsOf } from './options';
export { StoreUnavailable } from './errors';
// Where the store lives (the CLI's --store / $MICRO_STORE): callers pass the path to the service.
export { resolveStorePath } from '../store/paths';
