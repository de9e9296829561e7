// The store must never lose this process's SQLite locks. On POSIX, closing any descriptor of a
// database file drops all of the process's locks on it; a second RunStore.open in the same
// process (every worker thread of the server does one) once probed the file header with fs, so
// another process then believed it was the last user, checkpointed and deleted -wal/-shm while
// the first connection kept writing into the deleted files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/main/store';
import { otherProcessRunNames, tmpDir } from './helpers';

describe('locks of a long-lived connection', () => {
  for (const second of [{ readonly: false }, { readonly: true }] as const) {
    it(`survive another open/close in the same process (${second.readonly ? 'read-only' : 'read-write'}) and a second process`, () => {
      const file = path.join(tmpDir(), 'runs.sqlite');
      const a = RunStore.open(file); // e.g. the browser-mode server's connection
      try {
        a.createRun({ model: 'mf', name: 'before' });
        const b = RunStore.open(file, second); // e.g. a worker thread's connection
        b.close();
        expect(otherProcessRunNames(file)).toEqual(['before']); // e.g. `micro runs list` or a python sqlite3 shell
        expect(fs.existsSync(`${file}-wal`)).toBe(true); // not deleted under a
        const run = a.createRun({ model: 'mf', name: 'after' });
        expect(a.getRun(run.id)!.name).toBe('after');
        // Committed through a is visible to everyone else.
        expect(otherProcessRunNames(file)).toEqual(['before', 'after']);
        const fresh = RunStore.open(file, { readonly: true });
        expect(fresh.getRun(run.id)?.name).toBe('after');
        fresh.close();
        expect(a.rawDatabase().pragma('quick_check', { simple: true })).toBe('ok');
      } finally {
        a.close();
      }
      expect(otherProcessRunNames(file)).toEqual(['before', 'after']);
    });
  }
});
