// Opening a store file safely. Every check of the file's identity and health goes through
// SQLite itself: on POSIX, closing ANY descriptor of a database file drops all of this
// process's locks on it, so another process would think it is the last user, checkpoint and
// delete the -wal/-shm files under our live connections. Hence no fs.open/read of the file here
// (fs.statSync / fs.accessSync open no descriptor).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors';
import { resolveStorePath } from './paths';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, migrate, readUserVersion } from './schema';
import type { OpenOptions } from './types';

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export function sqliteCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * The StoreError (naming the store file) for SQLite failures a user must see as a store
 * problem: damage, I/O errors, a full disk, a read-only file, a lock held too long.
 * Anything else (constraint violations, programming errors) is returned unchanged.
 */
export function storeErrorFrom(e: unknown, file: string): unknown {
  if (e instanceof StoreError) return e;
  const code = sqliteCode(e) ?? '';
  const msg = (e as Error)?.message ?? String(e);
  const opts = { cause: e };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('CORRUPT', `run store ${file} is damaged (${msg}); move it away or restore a backup`, file, opts);
  }
  if (code === 'SQLITE_FULL') return new StoreError('DISK_FULL', `run store ${file}: the disk is full (${msg}); free some space`, file, opts);
  if (code.startsWith('SQLITE_IOERR')) return new StoreError('IO_ERROR', `run store ${file}: disk I/O error (${code}: ${msg})`, file, opts);
  if (code.startsWith('SQLITE_READONLY')) return new StoreError('READONLY', `run store ${file} is not writable (${msg})`, file, opts);
  if (code.startsWith('SQLITE_BUSY')) return new StoreError('BUSY', `run store ${file} is locked by another process (${msg}); try again`, file, opts);
  if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError('OPEN_FAILED', `cannot open run store ${file} (${msg})`, file, opts);
  return e;
}

export type FileState = 'missing' | 'empty' | 'file';

/** What is at `file`, by stat only (no descriptor). A directory is refused. */
export function fileState(file: string): FileState {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if (sqliteCode(e) === 'ENOENT') return 'missing';
    throw new StoreError('OPEN_FAILED', `cannot open run store ${file}: ${(e as Error).message}`, file, { cause: e });
  }
  if (st.isDirectory()) throw new StoreError('OPEN_FAILED', `cannot open run store ${file}: it is a directory`, file);
  return st.size === 0 ? 'empty' : 'file';
}

const canWrite = (p: string): boolean => {
  try {
    fs.accessSync(p, fs.constants.W_OK); // access(2): no descriptor
    return true;
  } catch {
    return false;
  }
};

/** Whether SQLite can write `file` (and create its -wal/-shm next to it, or its folder). */
export function storeWritable(file: string, state: FileState): boolean {
  if (state !== 'missing') return canWrite(file) && canWrite(path.dirname(file));
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return canWrite(dir);
}

/**
 * A connection; a read-only store on a writable file gets a read-write connection with
 * query_only, which (unlike SQLITE_OPEN_READONLY) removes the -wal/-shm it created when it is
 * the last one to close, so a refused or only-listed file is left exactly as it was.
 */
export function connect(file: string, readonly: boolean, writable: boolean): Database.Database {
  try {
    const db = new Database(file, { readonly: readonly && !writable, fileMustExist: readonly });
    if (readonly) db.pragma('query_only = ON');
    return db;
  } catch (e) {
    throw new StoreError('OPEN_FAILED', `cannot open run store ${file}: ${(e as Error).message}`, file, { cause: e });
  }
}

/**
 * A read-only in-memory copy of a WAL-mode store in a folder we cannot write: SQLite can read
 * such a file only with its -shm, which it cannot create there. Only for a file without a -wal
 * (checked by the caller): then the main file holds every commit, and no live connection in
 * this process holds locks on it (a WAL connection keeps its -wal until it closes), so
 * reading it with fs is safe.
 */
export function snapshotConnection(file: string): Database.Database {
  const bytes = fs.readFileSync(file);
  if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1; // the copy only: read it as a rollback-journal database
    bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

export const isReadonlyDirectory = (e: unknown): boolean => {
  const c = sqliteCode(e);
  return c === 'SQLITE_READONLY_DIRECTORY' || c === 'SQLITE_CANTOPEN';
};

export interface Probe {
  version: number;
  appId: number;
  tables: number;
}

/** Reads only: schema version, application id, table count. Nothing is written. */
export function probe(db: Database.Database, file: string): Probe {
  try {
    const version = readUserVersion(db);
    const appId = db.pragma('application_id', { simple: true }) as number;
    const { n } = db
      .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
      .get() as { n: number };
    return { version, appId, tables: n };
  } catch (e) {
    const code = sqliteCode(e) ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new StoreError(
        'CORRUPT',
        `${file} is not a MICRO Workbench run store (not an SQLite database, or damaged: ${(e as Error).message}); the file was not modified`,
        file,
        { cause: e },
      );
    }
    if (isReadonlyDirectory(e)) throw e; // the caller may fall back to a snapshot
    throw new StoreError('OPEN_FAILED', `cannot read run store ${file}: ${(e as Error).message}`, file, { cause: e });
  }
}

/** Refuses files written by a newer build and other applications' databases. */
export function checkIdentity(p: Probe, file: string): void {
  if (p.version > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      'NEWER_SCHEMA',
      `${file} was created by a newer MICRO Workbench (schema v${p.version}, this build knows v${LATEST_SCHEMA_VERSION}); not modified`,
      file,
    );
  }
  const foreign = (why: string) =>
    new StoreError('NOT_A_STORE', `${file} is an SQLite database but not a MICRO Workbench run store (${why}); not modified`, file);
  if (p.appId !== 0 && p.appId !== APPLICATION_ID) throw foreign(`application_id 0x${p.appId.toString(16)}`);
  if (p.version === 0 && p.tables > 0) throw foreign(`${p.tables} unknown table(s), no schema version`);
}

/**
 * PRAGMA quick_check before the first write of a session: damage anywhere in the file (not
 * only the pages an open happens to read) is refused up front instead of being written to.
 */
export function checkHealth(db: Database.Database, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check).filter((s) => s !== 'ok');
  } catch (e) {
    const code = sqliteCode(e) ?? '';
    if (!(code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) throw storeErrorFrom(e, file);
    problems = [(e as Error).message];
  }
  if (problems.length) {
    throw new StoreError(
      'CORRUPT',
      `run store ${file} is damaged (SQLite quick_check: ${problems[0]}${problems.length > 1 ? `, and more` : ''}); it was not modified — move it away or restore a backup`,
      file,
    );
  }
}

/**
 * Open (creating if needed, unless readonly) the store at `file`; with no path:
 * `$MICRO_STORE`, else the platform default (see defaultStorePath()).
 * Refuses — without touching the file — non-SQLite / damaged files (read-write: the whole
 * file is checked with PRAGMA quick_check), foreign SQLite files and newer schemas.
 * `readonly: 'auto'` opens read-only when the file or its folder is not writable.
 * Returns the connection, migrated (read-write) and with foreign keys on.
 */
export function openDatabase(
  file: string | null | undefined,
  opts: OpenOptions,
): { db: Database.Database; path: string; readonly: boolean } {
  const target = resolveStorePath(file);
  const memory = target === ':memory:';
  const state = memory ? 'missing' : fileState(target);
  const writableFile = memory || storeWritable(target, state);
  const readonly = opts.readonly === 'auto' ? !writableFile : opts.readonly === true;

  if (!memory) {
    if (state === 'missing' && readonly) {
      throw new StoreError('MISSING_FILE', `no run store at ${target} (opened read-only, so it was not created)`, target);
    }
    if (!readonly && !writableFile) {
      throw new StoreError('READONLY', `run store ${target} is not writable (permission denied on the file or its folder); it can only be opened read-only`, target);
    }
    if (!readonly) fs.mkdirSync(path.dirname(target), { recursive: true });
  }

  let db = connect(target, readonly, writableFile);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    // Reads only until the file is known to be ours and healthy.
    let p: Probe;
    try {
      p = probe(db, target);
    } catch (e) {
      if (!isReadonlyDirectory(e)) throw e;
      if (!readonly || fs.existsSync(`${target}-wal`)) {
        throw new StoreError('READONLY', `cannot read run store ${target}: its folder is not writable and SQLite needs to create ${path.basename(target)}-shm there`, target, { cause: e });
      }
      db.close();
      db = snapshotConnection(target);
      p = probe(db, target);
    }
    checkIdentity(p, target);

    if (readonly) {
      if (p.version < LATEST_SCHEMA_VERSION) {
        throw new StoreError(
          'OLDER_SCHEMA',
          `${target} has schema v${p.version}, this build needs v${LATEST_SCHEMA_VERSION}; open it once read-write to upgrade it`,
          target,
        );
      }
    } else {
      checkHealth(db, target);
      if (!memory) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new StoreError('OPEN_FAILED', `cannot switch ${target} to WAL mode (got ${String(mode)})`, target);
      }
      db.pragma('synchronous = FULL');
      migrate(db);
      // Test hook: a database that cannot grow past this many pages behaves like a full disk.
      if (opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(opts.maxPageCount)}`);
    }
    db.pragma('foreign_keys = ON');
  } catch (e) {
    db.close();
    throw storeErrorFrom(e, target);
  }
  return { db, path: target, readonly };
}
