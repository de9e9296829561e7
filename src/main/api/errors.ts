// Every failure of the service as one ApiError code users (and the CLI's exit codes) can act on.
import { isStoreError } from '../store';
import { ApiError } from '../../shared/api';
import { TaskStopped } from './tasks';

/** Map any thrown value to an ApiError users can read. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as Error & { code?: string };
  const message = err?.message || String(e);
  if (isStoreError(e)) {
    if (e.code === 'NOT_FOUND') return new ApiError('NOT_FOUND', message);
    if (e.code === 'INVALID_INPUT') return new ApiError('INVALID_INPUT', message);
    if (e.code === 'RUN_ACTIVE' || e.code === 'IN_USE' || e.code === 'INVALID_TRANSITION') return new ApiError('CONFLICT', message);
    return new ApiError('FAILED', message);
  }
  // A dataset's files are bad (the message names the file, field and line).
  if (err?.name === 'DataError' || err?.code === 'DATA') return new ApiError('INVALID_INPUT', message);
  if (e instanceof TaskStopped) return new ApiError(e.code === 'CANCELLED' ? 'CANCELLED' : e.code === 'CRASHED' ? 'FAILED' : 'LIMIT', message);
  return new ApiError('FAILED', message);
}

/** The store refused to open (corrupt, newer schema, not a store, …): callers cannot go on. */
export class StoreUnavailable extends ApiError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
    this.name = 'StoreUnavailable';
  }
}
