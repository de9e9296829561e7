// What every table module of the run store works with: the connection, the file's path, a
// statement cache, write transactions and the checks shared by all writes.
import os from 'node:os';
import type Database from 'better-sqlite3';
import { StoreError } from './errors';

export class StoreContext {
  private readonly stmts = new Map<string, Database.Statement>();
  /** This machine; a run's pid is only meaningful on the host that recorded it. */
  readonly host = os.hostname();

  constructor(
    readonly db: Database.Database,
    /** Absolute path of the store file (or ':memory:'). */
    readonly path: string,
    readonly readonly: boolean,
    /** Default appVersion of new runs. */
    readonly appVersion: string | null,
  ) {}

  /** A cached prepared statement (for SQL whose text does not vary per call). */
  stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Drops the cached statements (before closing the connection). */
  clearStatements(): void {
    this.stmts.clear();
  }

  /** An IMMEDIATE write transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** A write transaction about one run: READONLY, or NOT_FOUND when the run is gone, else `fn`'s result. */
  runTx<T>(runId: number, fn: () => T): T {
    this.writable();
    return this.tx(() => {
      if (!this.stmt('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw this.notFound('run', runId);
      return fn();
    });
  }

  /** Throws READONLY unless the store was opened read-write. */
  writable(): void {
    if (this.readonly) throw new StoreError('READONLY', `run store ${this.path} is open read-only`, this.path);
  }

  notFound(what: string, id: number): StoreError {
    return new StoreError('NOT_FOUND', `${what} ${id} not found in ${this.path}`, this.path);
  }
}

export function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new StoreError('INVALID_INPUT', `${name} must be an integer >= ${min} (got ${v})`);
}
