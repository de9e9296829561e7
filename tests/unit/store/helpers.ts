import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { DatasetInput } from '../../../src/main/store';
import { REPO_ROOT } from '../../helpers/paths';
import { tempDir } from '../../helpers/temp';

/** A fresh temp directory, removed after the current test. */
export function tmpDir(): string {
  return tempDir('micro-store-', 'test');
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The pid of a process that has exited and been reaped. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

export function datasetInput(over: Partial<DatasetInput> = {}): DatasetInput {
  return {
    name: 'baby',
    sourcePaths: ['/data/baby/train.txt', '/data/baby/image_feat.npy'],
    layout: 'lattice',
    setting: 'warm',
    modalities: [
      { name: 'visual', dim: 4096 },
      { name: 'textual', dim: 384 },
    ],
    stats: { users: 19445, items: 7050, interactions: { train: 118551, val: 19445, test: 19445 }, density: 0.00117, coldItems: 0 },
    fingerprint: 'fp-aaaa',
    ...over,
  };
}

export { REPO_ROOT };

/**
 * Another process opens the store, reads the run names, and closes it. It uses python's sqlite3
 * module when there is one: its older SQLite (3.40 here) decides it is the last user from the
 * database file's locks alone and then checkpoints and deletes -wal/-shm — the client that
 * exposed the lost-locks bug (SQLite ≥ 3.4x also checks the -shm lock). Else node + better-sqlite3.
 */
export function otherProcessRunNames(file: string): string[] {
  const py = `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
names = [r[0] for r in con.execute('SELECT name FROM runs ORDER BY id')]
con.close()
sys.stdout.write(json.dumps(names))`;
  const js = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1], { fileMustExist: true });
    const names = db.prepare('SELECT name FROM runs ORDER BY id').all().map((r) => r.name);
    db.close();
    process.stdout.write(JSON.stringify(names));`;
  const havePython = spawnSync('python3', ['-c', 'import sqlite3']).status === 0;
  const r = havePython
    ? spawnSync('python3', ['-c', py, file], { encoding: 'utf8' })
    : spawnSync(process.execPath, ['-e', js, file], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}
