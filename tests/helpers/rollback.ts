// Put a store file back to an older schema version, as an older build left it (migration tests).
import Database from 'better-sqlite3';

/** Run `sql` (dropping what later migrations added) and set the file's schema version. */
export function rollBack(file: string, sql: string, version: number): void {
  const db = new Database(file);
  db.exec(sql);
  db.pragma(`user_version = ${version}`);
  db.close();
}
