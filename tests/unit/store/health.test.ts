// Damage anywhere in the file is refused before the first write; SQLite errors that escape a
// store method (damage, full disk) are StoreErrors naming the store file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore, StoreError } from '../../../src/main/store';
import { thrown } from '../../helpers/errors';
import { sha256, tmpDir } from './helpers';

const storeError = (fn: () => unknown): StoreError => thrown(StoreError, fn);

/** A closed store with three finished runs of four epochs, each with a 64 KiB checkpoint. */
function storeWithRuns(file: string): void {
  const s = RunStore.open(file);
  for (let r = 0; r < 3; r++) {
    const run = s.createRun({ model: 'micro' });
    s.startRun(run.id);
    for (let e = 1; e <= 4; e++) {
      s.recordEpochWithCheckpoint(run.id, { epoch: e, losses: { bpr: 1 / e } }, { payload: new Uint8Array(64 * 1024).fill(e) }, { bestEpoch: e });
    }
    s.finishRun(run.id, r === 2 ? 'failed' : 'completed', { error: r === 2 ? 'boom' : null });
  }
  s.close();
}

describe('a store damaged in its last pages', () => {
  it('is refused on a read-write open, naming the file, and left byte-identical', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'runs.sqlite');
    storeWithRuns(file);
    // No connection is open in this process: overwrite the last three pages whole.
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xee, bytes.length - 3 * pageSize);
    fs.writeFileSync(file, bytes);
    const before = sha256(file);
    const listing = fs.readdirSync(dir).sort();

    for (const opts of [{}, { readonly: 'auto' as const }, { recover: false }]) {
      const err = storeError(() => RunStore.open(file, opts));
      expect(err.code).toBe('CORRUPT');
      expect(err.path).toBe(file);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/quick_check.*not modified/);
    }
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);

  });

  it('SQLite errors that escape a store method are StoreErrors naming the file', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    storeWithRuns(file);
    const probe = RunStore.open(file, { readonly: true });
    const leaf = (
      probe.rawDatabase().prepare("SELECT pageno FROM dbstat WHERE name = 'artifacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1").get() as {
        pageno: number;
      }
    ).pageno;
    probe.close();
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xee, (leaf - 1) * pageSize, leaf * pageSize);
    fs.writeFileSync(file, bytes);

    const ro = RunStore.open(file, { readonly: true }); // read-only: no quick_check, so it opens
    try {
      const err = storeError(() => ro.listArtifacts(1));
      expect(err.code).toBe('CORRUPT');
      expect(err.path).toBe(file);
      expect(err.message).toBe(`run store ${file} is damaged (database disk image is malformed); move it away or restore a backup`);
    } finally {
      ro.close();
    }
  });

  it('a healthy store passes the check and opens', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    storeWithRuns(file);
    const s = RunStore.open(file);
    expect(s.listRuns().length).toBe(3);
    s.close();
  });
});

describe('a full disk', () => {
  it('fails the write with DISK_FULL naming the file; earlier epochs stay, the store keeps working', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const setup = RunStore.open(file);
    const run = setup.createRun({ model: 'micro' });
    setup.startRun(run.id);
    setup.recordEpochWithCheckpoint(run.id, { epoch: 1, losses: { bpr: 1 } }, { payload: new Uint8Array(32 * 1024) });
    const pages = setup.rawDatabase().pragma('page_count', { simple: true }) as number;
    setup.close();

    // Test hook: the file may not grow any further.
    const s = RunStore.open(file, { maxPageCount: pages });
    try {
      const err = storeError(() =>
        s.recordEpochWithCheckpoint(run.id, { epoch: 2, losses: { bpr: 0.5 } }, { payload: new Uint8Array(256 * 1024) }),
      );
      expect(err.code).toBe('DISK_FULL');
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/disk is full/);
      expect(s.rawDatabase().inTransaction).toBe(false);
      expect(s.getEpochs(run.id).map((e) => e.epoch)).toEqual([1]);
      expect(s.latestCheckpoint(run.id)!.epoch).toBe(1);
      // Small writes that fit the existing pages still work: the run can be marked failed.
      expect(s.finishRun(run.id, 'failed', { error: err.message }).status).toBe('failed');
    } finally {
      s.close();
    }
  });
});
