// Unbounded or hostile inputs: FIFOs and devices, absurdly sparse id spaces, duplicate JSON keys,
// and user content quoted into error messages.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../../src/main/engine/data';
import { loadLattice } from '../../../../src/main/engine/data/lattice';
import { loadMmrec } from '../../../../src/main/engine/data/mmrec';
import { REPO_ROOT as REPO } from '../../../helpers/paths';
import { dataError, features, json, lists, tmpDir, writeFiles } from './helpers';

/**
 * Run loader calls in a child process: a reader that blocks on a FIFO would hang this test
 * process for good, a child is killed at the timeout. Prints one line per call.
 */
function inChild(calls: { layout: string; target: string }[]): { status: number | null; lines: string[] } {
  const code = `
    import { loadDataset } from ${JSON.stringify(path.join(REPO, 'src/main/engine/data/index.ts'))};
    for (const c of ${JSON.stringify(calls)}) {
      try { loadDataset(c.target, { layout: c.layout }); console.log('loaded'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, lines: r.stdout.trim().split('\n') };
}

const posix = process.platform !== 'win32';

describe('non-regular input files', () => {
  it.skipIf(!posix)('refuses FIFOs and character devices in every loader path, naming the file, without blocking', () => {
    const fifo = (d: string, name: string) => {
      const f = path.join(d, name);
      expect(spawnSync('mkfifo', [f]).status).toBe(0);
      return f;
    };
    const lattice = writeFiles(tmpDir(), { 'val.json': json({ '0': [1] }) });
    const trainFifo = fifo(lattice, 'train.json');
    const mmrec = tmpDir();
    const interFifo = fifo(mmrec, 'x.inter');
    const raw = tmpDir();
    const csvFifo = fifo(raw, 'ratings.csv');
    const npy = writeFiles(tmpDir(), {
      'train.json': json({ '0': [0, 1] }),
      'val.json': json({ '0': [2] }),
      'micro.json': json({ modalities: [{ name: 'v', file: 'v.npy' }] }),
    });
    const npyFifo = fifo(npy, 'v.npy');
    const manifest = writeFiles(tmpDir(), { 'train.json': json({ '0': [0, 1] }), 'val.json': json({ '0': [2] }) });
    const manFifo = fifo(manifest, 'micro.json');
    const zero = writeFiles(tmpDir(), { 'micro.json': json({ layout: 'raw', interactionsFile: '/dev/zero' }) });

    const r = inChild([
      { layout: 'lattice', target: lattice },
      { layout: 'mmrec', target: mmrec },
      { layout: 'raw', target: csvFifo },
      { layout: 'lattice', target: npy },
      { layout: 'lattice', target: manifest },
      { layout: 'raw', target: zero },
      { layout: 'auto', target: csvFifo },
    ]);
    expect(r.status).toBe(0); // not killed at the timeout
    expect(r.lines).toEqual([
      `DataError: ${trainFifo}: expected a JSON file, found a FIFO (named pipe); only regular files are read`,
      `DataError: ${interFifo}: expected an interaction file, found a FIFO (named pipe); only regular files are read`,
      `DataError: ${csvFifo}: expected an interaction list, found a FIFO (named pipe); only regular files are read`,
      `DataError: ${npyFifo}: expected a .npy file, found a FIFO (named pipe); only regular files are read`,
      `DataError: ${manFifo}: expected a JSON file, found a FIFO (named pipe); only regular files are read`,
      `DataError: /dev/zero: expected an interaction list, found a character device; only regular files are read`,
      `DataError: ${csvFifo}: expected a dataset folder or file, found a FIFO (named pipe); only regular files are read`,
    ]);
  });

  it('refuses text inputs too big to hold as one string (sparse files: no disk used), before reading them', () => {
    const raw = tmpDir();
    const csv = path.join(raw, 'big.csv');
    fs.writeFileSync(csv, 'user,item\n');
    fs.truncateSync(csv, 600 * 1024 * 1024);
    expect(dataError(() => loadDataset(csv)).message).toBe(`${csv}: interaction list is 600 MB, over the 512 MB this reader can hold in memory`);
    const man = writeFiles(tmpDir(), { 'train.json': json({ '0': [0, 1] }), 'val.json': json({ '0': [2] }), 'micro.json': '{}' });
    fs.truncateSync(path.join(man, 'micro.json'), 17 * 1024 * 1024);
    expect(dataError(() => loadLattice(man)).message).toMatch(/micro\.json: JSON file is 17 MB, over the 16 MB/);
  });

  it('refuses a directory where a split file is expected', () => {
    const dir = writeFiles(tmpDir(), { 'train.json': json({ '0': [0, 1] }), 'val.json/x': '' });
    expect(dataError(() => loadLattice(dir)).message).toBe(`${path.join(dir, 'val.json')}: expected a JSON file, found a directory`);
  });
});

describe('id spaces', () => {
  it('refuses a features-free LATTICE folder whose item ids are absurdly sparse, naming id, file, user and line', () => {
    const dir = writeFiles(tmpDir(), {
      'train.json': '{\n"0": [1, 2],\n"1": [5000000]\n}',
      'val.json': json({ '0': [5] }),
    });
    const e = dataError(() => loadLattice(dir));
    expect(e.file).toBe(path.join(dir, 'train.json'));
    expect(e.where).toBe('user "1", line 3');
    expect(e.problem).toMatch(/^item id 5000000 makes 5000001 items \(max id \+ 1\) for 4 distinct item ids, over the limit of 10004/);
  });

  it('refuses sparse user ids (LATTICE keys, MMRec rows) and keeps dense ones', () => {
    const dir = writeFiles(tmpDir(), { 'train.json': json({ '0': [1], '3000000': [2] }), 'val.json': json({ '0': [2] }) });
    expect(dataError(() => loadLattice(dir)).message).toMatch(/train\.json \(user "3000000", line 1\): user id 3000000 makes 3000001 users \(max id \+ 1\) for 2 distinct user ids/);
    const inter = writeFiles(tmpDir(), { 'x.inter': 'userID\titemID\tx_label\n0\t1\t0\n1\t2\t0\n0\t2\t1\n1\t2000000000\t0\n' });
    expect(dataError(() => loadMmrec(inter)).message).toMatch(/x\.inter \(line 5, column 'itemID'\): item id 2000000000 makes/);
    // with features, the feature table bounds the items: a sparse but covered id space is fine
    const covered = writeFiles(tmpDir(), {
      'train.json': json({ '0': [0, 20000], '1': [1] }),
      'val.json': json({ '0': [1] }),
      'image_feat.npy': features(20001, 2),
    });
    expect(loadLattice(covered).nItems).toBe(20001);
  });
});

describe('split JSON parsing', () => {
  it('refuses a duplicated user key instead of dropping its first list', () => {
    const dir = writeFiles(tmpDir(), { 'train.json': '{\n"0": [1, 2],\n"1": [3],\n"0": [4]\n}', 'val.json': json({ '0': [3] }) });
    const e = dataError(() => loadLattice(dir));
    expect(e.file).toBe(path.join(dir, 'train.json'));
    expect(e.where).toBe('line 4');
    expect(e.problem).toMatch(/^duplicate user id "0" \(first on line 2\)/);
  });

  it('accepts every spelling JSON allows (BOM, CRLF, escapes in keys, exponents, -0) like JSON.parse', () => {
    const train = '\ufeff{ "0" : [ 3 , 1e0 ,2.0] ,"\\u0031":[],\r\n\t"2":[ -0, 4 ] , "4": [0]}';
    const dir = writeFiles(tmpDir(), { 'train.json': train, 'val.json': json({ '0': [4] }) });
    const ds = loadLattice(dir);
    expect(lists(ds.train)).toEqual([[1, 2, 3], [], [0, 4], [], [0]]);
    expect(ds.nUsers).toBe(5);
  });

  it('reports syntax errors at the same line and column as before on corrupted files', () => {
    const cases: [string, string][] = [
      ['{"0": [1, 2]}}', 'line 1, column 14'],
      ['{"0": [01]}', 'line 1, column 9'],
      ['{"0": [1,]}', 'line 1, column 10'],
      ['{\n"0": [1],\n"1" [2]}', 'line 3, column 5'],
      ['{"0": [1] "1": [2]}', 'line 1, column 11'],
      ['{"0": [1, "a\n"]}', 'line 1, column 13'],
      ['{"0": [1, tru]}', 'line 1, column 11'],
      ['{"é": [1], "1": [2 x]}', 'line 1, column 20'],
    ];
    for (const [text, where] of cases) {
      const dir = writeFiles(tmpDir(), { 'train.json': text, 'val.json': json({ '0': [1] }) });
      const e = dataError(() => loadLattice(dir));
      expect([e.where, e.problem.slice(0, 13)], text).toEqual([where, 'invalid JSON:']);
    }
  });
});

describe('error messages quote at most ~40 characters of user content', () => {
  it('clips a long offending value in a raw list, an .inter file and a split file', () => {
    const long = 'x'.repeat(500);
    const raw = writeFiles(tmpDir(), { 'r.csv': `user,item,rating\nu1,i1,${long}\n` });
    const m1 = dataError(() => loadDataset(path.join(raw, 'r.csv'))).message;
    expect(m1).toContain(`expected a number, got "${'x'.repeat(40)}…"`);
    const inter = writeFiles(tmpDir(), { 'x.inter': `userID\titemID\tx_label\n0\t${long}\t0\n` });
    expect(dataError(() => loadMmrec(inter)).message).toContain(`expected an integer id, got "${'x'.repeat(40)}…"`);
    const split = writeFiles(tmpDir(), { 'train.json': `{"0": [1, "${long}"]}`, 'val.json': json({ '0': [1] }) });
    const m3 = dataError(() => loadLattice(split)).message;
    expect(m3).toContain(`item id must be an integer, got "${'x'.repeat(39)}…`);
    for (const m of [m1, m3]) expect(m.length).toBeLessThan(200);
  });
});
