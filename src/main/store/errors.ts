// Errors raised by the run store. Every message names the store file.

export type StoreErrorCode =
  | 'NEWER_SCHEMA'
  | 'OLDER_SCHEMA'
  | 'NOT_A_STORE'
  | 'CORRUPT'
  | 'DISK_FULL'
  | 'IO_ERROR'
  | 'BUSY'
  | 'NOT_FOUND'
  | 'MISSING_FILE'
  | 'OPEN_FAILED'
  | 'READONLY'
  | 'INVALID_TRANSITION'
  | 'INVALID_INPUT'
  | 'RUN_ACTIVE'
  | 'IN_USE'
  | 'CLOSED';

export class StoreError extends Error {
  constructor(
    public readonly code: StoreErrorCode,
    message: string,
    public readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
