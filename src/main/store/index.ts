// Public surface of the run store.
export { RunStore, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_STALE_HEARTBEAT_MS } from './RunStore';
export { StoreError, isStoreError, type StoreErrorCode } from './errors';
export { appDataDir, defaultStorePath, resolveStorePath, APP_DIR_NAME, STORE_FILE_NAME, STORE_ENV_VAR, type PathEnv } from './paths';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, APPLICATION_ID, migrate, type Migration } from './schema';
export * from './types';
export type { ItemSearch, ReplaceItemsInput } from './items';
export type { StudyInput, StudyRecord, StudyCellRecord } from './studies';
