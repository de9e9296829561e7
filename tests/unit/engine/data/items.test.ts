// Item metadata loader: every malformed file is one error naming the file and line; unknown ids,
// duplicates and unusable images are warnings with file + line; images stay inside the folder.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataError, findItemsFile, loadItemMetadata, readItemImage, resolveItemImage, MAX_IMAGE_BYTES } from '../../../../src/main/engine/data';
import { tempDir } from '../../../helpers/temp';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function folder(files: Record<string, string | Buffer>): string {
  const d = tempDir('micro-items-', 'test');
  for (const [f, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), c);
  }
  return d;
}

function errorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

const load = (d: string, target = { nItems: 5 } as { nItems: number; itemIds?: string[] }) => loadItemMetadata(d, target)!;

describe('item metadata files', () => {
  it('reads CSV with quoted fields, known columns and free metadata', () => {
    const d = folder({ 'items.csv': 'item,title,category,image,brand\n0,"Red, the ""best"" mug",Kitchen,img/0.png,Acme\n2,Plain,,,\n', 'img/0.png': PNG });
    const m = load(d);
    expect(m.warnings).toEqual([]);
    expect(m.rows).toEqual([
      { item: 0, title: 'Red, the "best" mug', category: 'Kitchen', image: 'img/0.png', meta: { brand: 'Acme' } },
      { item: 2, title: 'Plain', category: null, image: null, meta: null },
    ]);
  });

  it('reads TSV and JSONL, keeping other fields as metadata', () => {
    const t = load(folder({ 'items.tsv': 'item\ttitle\tyear\n1\tA, b\t1999\n' }));
    expect(t.rows).toEqual([{ item: 1, title: 'A, b', category: null, image: null, meta: { year: '1999' } }]);
    const j = load(folder({ 'items.jsonl': '{"item": 3, "title": "T", "price": 9.5, "tags": ["x"]}\n\n{"item": "4", "category": "C"}\n' }));
    expect(j.rows).toEqual([
      { item: 3, title: 'T', category: null, image: null, meta: { price: 9.5, tags: '["x"]' } },
      { item: 4, title: null, category: 'C', image: null, meta: null },
    ]);
  });

  it('maps the original ids of a raw list through its id map', () => {
    const m = load(folder({ 'items.csv': 'item,title\nsku-9,Nine\nsku-1,One\n7,Seven\n' }), { nItems: 3, itemIds: ['sku-1', '7', 'sku-9'] });
    expect(m.rows.map((r) => [r.item, r.title])).toEqual([
      [0, 'One'],
      [1, 'Seven'],
      [2, 'Nine'],
    ]);
  });

  it('has none when no file is there; the manifest may name one', () => {
    expect(loadItemMetadata(folder({ 'other.csv': 'x' }), { nItems: 1 })).toBeNull();
    const d = folder({ 'meta/catalogue.csv': 'item,title\n0,X\n' });
    expect(loadItemMetadata(d, { nItems: 1 }, 'meta/catalogue.csv')!.rows[0].title).toBe('X');
    expect(errorOf(() => loadItemMetadata(d, { nItems: 1 }, 'meta/missing.csv')).message).toMatch(/missing\.csv: item metadata file not found/);
  });

  const malformed: [string, Record<string, string>, RegExp][] = [
    ['an empty file', { 'items.csv': '\n\n' }, /items\.csv: file is empty/],
    ['a header without an item column', { 'items.csv': 'id,title\n0,x\n' }, /items\.csv \(line 1\): header has no 'item' column \(found: id, title\)/],
    ['a header column without a name', { 'items.csv': 'item,,title\n' }, /items\.csv \(line 1\): header column 2 has no name/],
    ['a duplicated header column', { 'items.csv': 'item,title,Title\n' }, /items\.csv \(line 1\): duplicate column "Title" in the header \(columns 2 and 3\)/],
    ['a row with too few fields', { 'items.csv': 'item,title\n0,a\n\n1\n' }, /items\.csv \(line 4\): expected 2 comma-separated fields \(as the header\), found 1/],
    ['a row with too many fields', { 'items.tsv': 'item\ttitle\n0\ta\tb\n' }, /items\.tsv \(line 2\): expected 2 tab-separated fields/],
    ['a row without an item id', { 'items.csv': 'item,title\n,a\n' }, /items\.csv \(line 2\): missing value for 'item'/],
    ['an unterminated quote', { 'items.csv': 'item,title\n0,"open\nrest"\n' }, /items\.csv \(line 2\): unterminated quoted field/],
    ['a stray quote', { 'items.csv': 'item,title\n0,ab"c\n' }, /items\.csv \(line 2\): stray quote in unquoted field "ab\\"c"/],
    ['text after a closing quote', { 'items.csv': 'item,title\n0,"a"b\n' }, /items\.csv \(line 2, column 6\): unexpected "b" after a quoted field/],
    ['a bad JSON line', { 'items.jsonl': '{"item": 0}\n{"item": 1,, }\n' }, /items\.jsonl \(line 2, column 12\): invalid JSON/],
    ['a JSON line that is not an object', { 'items.jsonl': '[1, 2]\n' }, /items\.jsonl \(line 1\): expected a JSON object per line, got an array/],
    ['a JSON line without an item', { 'items.jsonl': '{"title": "x"}\n' }, /items\.jsonl \(line 1\): missing field 'item'/],
    ['a JSON item of the wrong type', { 'items.jsonl': '{"item": true}\n' }, /items\.jsonl \(line 1\): field 'item' must be a string or a number, got boolean/],
    ['a JSON title of the wrong type', { 'items.jsonl': '{"item": 1, "title": {"a": 1}}\n' }, /items\.jsonl \(line 1\): field 'title' must be a string, got object/],
    ['several metadata files', { 'items.csv': 'item\n', 'items.jsonl': '' }, /several item metadata files \(items\.csv, items\.jsonl\)/],
  ];
  for (const [name, files, msg] of malformed) {
    it(`refuses ${name}, naming file and line`, () => {
      const e = errorOf(() => load(folder(files)));
      expect(e.message).toMatch(msg);
      expect(e.message.split('\n')).toHaveLength(1);
    });
  }

  it('refuses a FIFO where the file should be, without blocking', () => {
    const d = folder({});
    execFileSync('mkfifo', [path.join(d, 'items.csv')]);
    expect(errorOf(() => load(d)).message).toMatch(/items\.csv: expected an item metadata file, found a FIFO/);
  });

  it('warns (file + line) about unknown ids, duplicates and unusable images, and keeps the rest', () => {
    const outside = folder({ 'secret.png': PNG });
    const d = folder({
      'items.csv': [
        'item,title,image',
        '0,ok,a.png',
        '9,out of range,',
        'x1,not an id,',
        '0,again,',
        '1,missing image,nope.png',
        '2,wrong type,doc.txt',
        '3,absolute,/etc/passwd.png',
        '4,dotdot,../x.png',
      ].join('\n'),
      'a.png': PNG,
      'doc.txt': 'x',
    });
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(d, 'link.png'));
    fs.appendFileSync(path.join(d, 'items.csv'), '\n5,escaping link,link.png\n');
    const m = load(d, { nItems: 6 });
    const f = path.join(d, 'items.csv');
    expect(m.rows.map((r) => [r.item, r.image])).toEqual([
      [0, 'a.png'],
      [1, null],
      [2, null],
      [3, null],
      [4, null],
      [5, null],
    ]);
    expect(m.warnings).toEqual([
      `${f} (line 3): unknown item id "9" (expected 0 to 5); row ignored`,
      `${f} (line 4): unknown item id "x1" (expected 0 to 5); row ignored`,
      `${f} (line 5): duplicate row for item "0" (first on line 2); row ignored`,
      `${f} (line 6): image file not found ("nope.png"); image left out`,
      `${f} (line 7): image "doc.txt": expected a .png, .jpg, .jpeg, .webp or .svg file ("doc.txt"); image left out`,
      `${f} (line 8): image path "/etc/passwd.png" must be relative to the dataset folder ("/etc/passwd.png"); image left out`,
      `${f} (line 9): image path "../x.png" must not contain '..' ("../x.png"); image left out`,
      `${f} (line 10): image resolves outside the dataset folder (symlink); refused ("link.png"); image left out`,
    ]);
  });

  it('lists the first 20 warnings of a kind and counts the rest', () => {
    const rows = Array.from({ length: 25 }, (_, k) => `${100 + k},t`);
    const m = load(folder({ 'items.csv': `item,title\n${rows.join('\n')}\n` }));
    expect(m.warnings).toHaveLength(21);
    expect(m.warnings[20]).toMatch(/items\.csv: … and 5 more unknown item ids$/);
  });

  it('finds the default file names only', () => {
    expect(findItemsFile(folder({ 'items.tsv': 'item\n' }))).toMatch(/items\.tsv$/);
    expect(findItemsFile(folder({ 'Items.txt': 'item\n' }))).toBeNull();
  });
});

describe('item image confinement', () => {
  it('reads an image inside the folder, also through a symlink that stays inside', () => {
    const d = folder({ 'img/a.png': PNG });
    fs.symlinkSync(path.join(d, 'img/a.png'), path.join(d, 'b.png'));
    expect(readItemImage(d, 'img/a.png')).toEqual({ bytes: PNG, mime: 'image/png' });
    expect(readItemImage(d, 'b.png').mime).toBe('image/png');
  });

  it('refuses absolute paths, .., URLs, symlinks out of the folder, folders, FIFOs and oversized files', () => {
    const outside = folder({ 'x.png': PNG });
    const d = folder({ 'ok.png': PNG });
    fs.symlinkSync(path.join(outside, 'x.png'), path.join(d, 'out.png'));
    fs.symlinkSync(outside, path.join(d, 'dir'));
    fs.mkdirSync(path.join(d, 'sub.png'));
    execFileSync('mkfifo', [path.join(d, 'fifo.png')]);
    fs.writeFileSync(path.join(d, 'big.png'), '');
    fs.truncateSync(path.join(d, 'big.png'), MAX_IMAGE_BYTES + 1);
    const refused: [string, RegExp][] = [
      [path.join(outside, 'x.png'), /must be relative/],
      ['../x.png', /must not contain '\.\.'/],
      ['img/../../x.png', /must not contain '\.\.'/],
      ['file:///etc/x.png', /must be relative/],
      ['out.png', /outside the dataset folder/],
      ['dir/x.png', /outside the dataset folder/],
      ['sub.png', /expected an image file, found a directory/],
      ['fifo.png', /found a FIFO/],
      ['big.png', /over the 8\.0 MB/],
      ['ok.exe', /expected a \.png/],
    ];
    for (const [rel, msg] of refused) {
      expect(() => resolveItemImage(d, rel), rel).toThrow(msg);
      expect(() => readItemImage(d, rel), rel).toThrow(DataError);
    }
  });
});
