import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMmrec } from '../../../../src/main/engine/data/mmrec';
import { dataError, features, json, lists, tmpDir, writeFiles } from './helpers';

const INTER = [
  'itemID\trating\tuserID\ttimestamp\tx_label',
  '2\t5\t0\t100\t0',
  '1\t4\t0\t101\t0',
  '3\t5\t0\t102\t1',
  '0\t3\t0\t103\t2',
  '0\t5\t1\t100\t0',
  '4\t5\t1\t100\t0',
  '2\t5\t1\t100\t1',
  '1\t5\t2\t100\t0',
  '3\t5\t2\t100\t1',
  '4\t5\t2\t100\t2',
].join('\r\n');

function folder(inter = INTER, extra: Record<string, string | Uint8Array> = {}) {
  return writeFiles(tmpDir(), { 'toy.inter': inter, ...extra });
}

describe('MMRec loader', () => {
  it('reads any column order, CRLF endings, x_label splits, and the name from the file', () => {
    const ds = loadMmrec(folder(`${INTER}\r\n`));
    expect(ds.layout).toBe('mmrec');
    expect(ds.name).toBe('toy');
    expect(ds.nUsers).toBe(3);
    expect(ds.nItems).toBe(5);
    expect(lists(ds.train)).toEqual([[1, 2], [0, 4], [1]]);
    expect(lists(ds.val)).toEqual([[3], [2], [3]]);
    expect(lists(ds.test)).toEqual([[0], [], [4]]);
    expect(ds.modalities).toEqual([]); // no feature files is allowed
    expect(ds.setting).toBe('warm');
  });

  it('loads feature files next to the .inter, and accepts the .inter path itself', () => {
    const dir = folder(INTER, { 'image_feat.npy': features(6, 3), 'text_feat.npy': features(6, 2) });
    const ds = loadMmrec(path.join(dir, 'toy.inter'));
    expect(ds.modalities.map((m) => [m.name, m.dim])).toEqual([
      ['image', 3],
      ['text', 2],
    ]);
    expect(ds.nItems).toBe(6); // feature rows exceed max id + 1
    const short = folder(INTER, { 'image_feat.npy': features(4, 3) });
    expect(dataError(() => loadMmrec(short)).message).toMatch(/image_feat\.npy \(shape\): feature rows \(4\) are fewer than the item count \(5/);
  });

  it('uses a manifest for the .inter file and modality names', () => {
    const dir = folder(INTER, {
      'other.inter': 'userID\titemID\tx_label\n0\t0\t0\n',
      'feat_v.npy': features(5, 3),
      'micro.json': json({ name: 'sporty', interFile: 'toy.inter', modalities: [{ name: 'visual', file: 'feat_v.npy' }] }),
    });
    const ds = loadMmrec(dir);
    expect(ds.name).toBe('sporty');
    expect(ds.modalities.map((m) => m.name)).toEqual(['visual']);
  });

  it('errors on several .inter files without a choice, or none', () => {
    const dir = folder(INTER, { 'b.inter': INTER });
    expect(dataError(() => loadMmrec(dir)).message).toMatch(/several \.inter files \(b\.inter, toy\.inter\)/);
    expect(loadMmrec(dir, { name: 'b' }).name).toBe('b');
    expect(dataError(() => loadMmrec(tmpDir())).message).toMatch(/no \*\.inter file found/);
  });

  it('names the missing header columns', () => {
    const e = dataError(() => loadMmrec(folder('user\titemID\tlabel\n0\t1\t0\n')));
    expect(e.where).toBe('line 1');
    expect(e.message).toMatch(/toy\.inter \(line 1\): header lacks required columns 'userID', 'x_label' \(found: user, itemID, label\)/);
  });

  it('names the line and column of malformed rows', () => {
    const bad = (row: string, at = 3) => {
      const lines = INTER.split('\r\n');
      lines.splice(at - 1, 1, row);
      return dataError(() => loadMmrec(folder(lines.join('\n'))));
    };
    expect(bad('1\t4\t0\t101').message).toMatch(/toy\.inter \(line 3\): expected 5 fields .*found 4/);
    expect(bad('1.5\t4\t0\t101\t0').message).toMatch(/toy\.inter \(line 3, column 'itemID'\): id must be an integer, got 1\.5/);
    expect(bad('1\t4\t-2\t101\t0', 5).message).toMatch(/\(line 5, column 'userID'\): id must be non-negative, got -2/);
    expect(bad('1\t4\tbob\t101\t0').message).toMatch(/\(line 3, column 'userID'\): expected an integer id, got "bob"/);
    expect(bad('1\t4\t0\t101\t3').message).toMatch(/\(line 3, column 'x_label'\): x_label must be 0 \(train\), 1 \(valid\) or 2 \(test\), got "3"/);
    expect(bad('1\t4\t\t101\t0').message).toMatch(/\(line 3, column 'userID'\): missing value/);
    expect(dataError(() => loadMmrec(folder(''))).message).toMatch(/toy\.inter: file is empty/);
  });

  it('rejects an empty train or valid split', () => {
    expect(dataError(() => loadMmrec(folder('userID\titemID\tx_label\n0\t1\t1\n'))).message).toMatch(/the train split is empty/);
    expect(dataError(() => loadMmrec(folder('userID\titemID\tx_label\n0\t1\t0\n0\t2\t2\n'))).message).toMatch(/the validation split is empty/);
  });
});
