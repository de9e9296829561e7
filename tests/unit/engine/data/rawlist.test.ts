import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawList, parseRawList } from '../../../../src/main/engine/data/rawlist';
import { dataError, features, json, lists, tmpDir, writeFiles } from './helpers';

describe('raw interaction list loader', () => {
  it('maps string ids densely by first appearance, collapses duplicates, detects a header', () => {
    const dir = writeFiles(tmpDir(), {
      'ratings.csv': 'user_id,item_id,rating,timestamp\nalice,B00X,5,10\nbob,A1,3,11\nalice,A1,4,12\nalice,B00X,5,13\ncarol,Z,1,9\n',
    });
    const ds = loadRawList(dir);
    expect(ds.layout).toBe('raw');
    expect(ds.name).toBe('ratings');
    expect(ds.userIds).toEqual(['alice', 'bob', 'carol']);
    expect(ds.itemIds).toEqual(['B00X', 'A1', 'Z']);
    expect(lists(ds.train)).toEqual([[0, 1], [1], [2]]);
    expect(ds.val.indices.length).toBe(0);
    expect(ds.test.indices.length).toBe(0);
    expect(ds.warnings?.some((w) => /1 duplicate interactions collapsed/.test(w))).toBe(true);
  });

  it('auto-detects tab, semicolon and whitespace delimiters and headerless files', () => {
    const tsv = parseRawList('u1\ti1\nu2\ti1\nu1\ti2\n', 'x.tsv');
    expect(tsv.delimiter).toBe('\t');
    expect(tsv.header).toBe(false);
    expect(tsv.userIds).toEqual(['u1', 'u2']);
    expect(Array.from(tsv.items)).toEqual([0, 0, 1]);
    const semi = parseRawList('user;item\n7;8\n', 'x.csv');
    expect(semi.delimiter).toBe(';');
    expect(semi.header).toBe(true);
    expect(semi.itemIds).toEqual(['8']);
    const ws = parseRawList('1 10 4.0\n2  11 3.5\n', 'x.txt');
    expect(ws.delimiter).toBe(' ');
    expect(ws.userIds).toEqual(['1', '2']);
    const swapped = parseRawList('ItemID,UserID\ni9,u3\n', 'x.csv');
    expect(swapped.userIds).toEqual(['u3']);
    expect(swapped.itemIds).toEqual(['i9']);
  });

  it('filters by minRating and names bad rating fields', () => {
    const p = parseRawList('user,item,rating\na,x,5\nb,y,2\na,y,4\n', 'r.csv', { minRating: 4 });
    expect(p.userIds).toEqual(['a']);
    expect(p.filtered).toBe(1);
    expect(dataError(() => parseRawList('user,item,rating\na,x,five\n', 'r.csv')).message).toMatch(
      /r\.csv \(line 2, column 'rating'\): expected a number, got "five"/,
    );
    expect(dataError(() => parseRawList('a,x\n', 'r.csv', { minRating: 3 })).message).toMatch(/no rating column/);
  });

  it('names the line of short rows and empty ids', () => {
    expect(dataError(() => parseRawList('user,item\na,x\n\nb\n', 'r.csv')).message).toMatch(
      /r\.csv \(line 4\): expected at least 2 comma-separated fields, found 1/,
    );
    expect(dataError(() => parseRawList('user,item\na,x\n,y\n', 'r.csv')).message).toMatch(/r\.csv \(line 3, column 'user'\): empty user id/);
    const dir = writeFiles(tmpDir(), { 'empty.csv': 'user,item\n' });
    expect(dataError(() => loadRawList(dir)).message).toMatch(/empty\.csv: no interactions/);
  });

  it('maps features through an itemOrder file from the manifest', () => {
    const dir = writeFiles(tmpDir(), {
      'list.csv': 'user,item\nu1,b\nu2,c\nu1,a\n',
      'items.txt': 'a\nb\nc\nd\n',
      'img.npy': features(4, 3),
      'micro.json': json({ itemOrder: 'items.txt', modalities: [{ name: 'visual', file: 'img.npy' }] }),
    });
    const ds = loadRawList(path.join(dir, 'list.csv'));
    expect(ds.itemIds).toEqual(['a', 'b', 'c', 'd']);
    expect(ds.nItems).toBe(4);
    expect(lists(ds.train)).toEqual([[0, 1], [2]]);
    expect(ds.modalities[0].name).toBe('visual');
    expect(ds.modalities[0].features[3]).toBe(1); // row 1 = item 'b'

    writeFiles(dir, { 'list.csv': 'user,item\nu1,b\nu2,zz\n' });
    expect(dataError(() => loadRawList(dir)).message).toMatch(/list\.csv \(line 3, column 'item'\): item "zz" is not listed in the item-order file/);
    writeFiles(dir, { 'list.csv': 'user,item\nu1,b\n', 'img.npy': features(5, 3) });
    expect(dataError(() => loadRawList(dir)).message).toMatch(/img\.npy \(shape\): feature rows \(5\) must equal the number of ids/);
    writeFiles(dir, { 'items.txt': 'a\nb\na\n' });
    expect(dataError(() => loadRawList(dir)).message).toMatch(/items\.txt \(line 3\): duplicate item id "a" \(first on line 1\)/);
  });

  it('ignores feature files without itemOrder, with a warning', () => {
    const dir = writeFiles(tmpDir(), { 'list.tsv': 'a\tx\nb\ty\n', 'image_feat.npy': features(2, 2) });
    const ds = loadRawList(dir);
    expect(ds.modalities).toEqual([]);
    expect(ds.warnings?.some((w) => /image_feat\.npy\) ignored/.test(w))).toBe(true);
  });

  it('errors on a folder with several lists or none', () => {
    const dir = writeFiles(tmpDir(), { 'a.csv': 'u,i\n', 'b.tsv': 'u\ti\n' });
    expect(dataError(() => loadRawList(dir)).message).toMatch(/several interaction lists \(a\.csv, b\.tsv\)/);
    expect(dataError(() => loadRawList(tmpDir())).message).toMatch(/no \.csv\/\.tsv interaction list found/);
  });
});
