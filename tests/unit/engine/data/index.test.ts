import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLayout, loadDataset, saveLatticeDataset, splitDatasetCold, splitDatasetWarm } from '../../../../src/main/engine/data';
import { parseJsonText } from '../../../../src/main/engine/data/validate';
import { dataError, features, json, lists, tmpDir, writeFiles } from './helpers';

const lattice = () =>
  writeFiles(tmpDir(), {
    '5-core/train.json': json({ '0': [0, 1], '1': [2, 3], '2': [1, 3] }),
    '5-core/val.json': json({ '0': [2], '1': [0] }),
    'image_feat.npy': features(4, 3, (r, c) => r * 0.1 + c * 0.37 + 1 / 3),
  });

describe('loadDataset', () => {
  it('detects each layout', () => {
    expect(detectLayout(lattice())).toBe('lattice');
    const mm = writeFiles(tmpDir(), { 'd.inter': 'userID\titemID\tx_label\n0\t0\t0\n0\t1\t1\n' });
    expect(detectLayout(mm)).toBe('mmrec');
    expect(loadDataset(mm).layout).toBe('mmrec');
    const raw = writeFiles(tmpDir(), { 'list.csv': 'user,item\na,b\n' });
    expect(detectLayout(raw)).toBe('raw');
    expect(loadDataset(raw).userIds).toEqual(['a']);
    expect(loadDataset(path.join(raw, 'list.csv')).layout).toBe('raw');
    expect(loadDataset(path.join(mm, 'd.inter')).layout).toBe('mmrec');
    const named = writeFiles(tmpDir(), { 'list.csv': 'user,item\na,b\n', 'train.json': '{}', 'micro.json': json({ layout: 'raw' }) });
    expect(detectLayout(named)).toBe('raw');
    expect(loadDataset(lattice(), { name: 'x', layout: 'lattice' }).name).toBe('x');
  });

  it('explains what it looked for when nothing matches', () => {
    const e = dataError(() => loadDataset(writeFiles(tmpDir(), { 'notes.md': 'hi' })));
    expect(e.message).toMatch(/no dataset found: looked for train\.json\/val\.json .*LATTICE.*\.inter.*MMRec.*\.csv\/\.tsv/);
    expect(dataError(() => loadDataset('/definitely/not/here')).message).toMatch(/not\/here: dataset folder or file not found/);
    const f = writeFiles(tmpDir(), { 'a.json': '{}' });
    expect(dataError(() => loadDataset(path.join(f, 'a.json'))).message).toMatch(/unrecognised dataset file/);
  });
});

describe('saveLatticeDataset', () => {
  it('round-trips (float32 features) with an identical fingerprint, including warm and cold re-splits', () => {
    const ds = loadDataset(lattice());
    const out = tmpDir();
    const written = saveLatticeDataset(ds, out);
    expect(written.map((w) => path.relative(out, w)).sort()).toEqual(['image_feat.npy', 'micro.json', 'test.json', 'train.json', 'val.json']);
    const back = loadDataset(out);
    expect(back.fingerprint).toBe(ds.fingerprint);
    expect(back.name).toBe(ds.name);
    expect(lists(back.train)).toEqual(lists(ds.train));
    expect(parseJsonText(fs.readFileSync(path.join(out, 'train.json'), 'utf8'), 'x')).toEqual({ '0': [0, 1], '1': [2, 3], '2': [1, 3] });

    const big = writeFiles(tmpDir(), {
      'list.csv': Array.from({ length: 40 }, (_, k) => `u${k % 8},i${(k * 7) % 13}`).join('\n'),
    });
    const raw = loadDataset(big);
    const warm = splitDatasetWarm(raw, 3);
    const cold = splitDatasetCold(raw, 3);
    const dir2 = tmpDir();
    saveLatticeDataset(warm, dir2, { splitDir: '5-core' });
    saveLatticeDataset(cold, dir2, { splitDir: '0-core', writeFeatures: false });
    expect(loadDataset(dir2).fingerprint).toBe(warm.fingerprint);
    const coldBack = loadDataset(dir2, { setting: 'cold' });
    expect(coldBack.setting).toBe('cold');
    expect(lists(coldBack.val)).toEqual(lists(cold.val).slice(0, coldBack.nUsers));
  });

  it('writes float16 features when asked (values rounded to half precision)', () => {
    const ds = loadDataset(lattice());
    const out = tmpDir();
    saveLatticeDataset(ds, out, { featureDtype: 'float16' });
    const back = loadDataset(out);
    const a = ds.modalities[0].features;
    const b = back.modalities[0].features;
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(2e-3);
    expect(back.fingerprint).not.toBe(ds.fingerprint);
  });
});
