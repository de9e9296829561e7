import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLattice } from '../../../../src/main/engine/data/lattice';
import { encodeNpy } from '../../../../src/main/engine/data/npy';
import { dataError, features, json, lists, rawNpy, tmpDir, writeFiles } from './helpers';

const TRAIN = { '0': [3, 1, 2], '1': [0, 2], '2': [4, 1], '4': [0] };
const VAL = { '0': [4], '1': [3], '2': [0] };
const TEST = { '0': [0], '2': [3] };

function basic(extra: Record<string, string | Uint8Array> = {}, omit: string[] = []) {
  const files: Record<string, string | Uint8Array> = {
    'train.json': json(TRAIN),
    'val.json': json(VAL),
    'test.json': json(TEST),
    'image_feat.npy': features(5, 4),
    'text_feat.npy': features(5, 6),
    ...extra,
  };
  for (const o of omit) delete files[o];
  return writeFiles(tmpDir(), files);
}

describe('LATTICE loader', () => {
  it('loads splits and features; counts from max ids; sorted CSR; modality names from file prefixes', () => {
    const dir = writeFiles(basic(), { 'audio_feat.npy': features(5, 2) });
    const ds = loadLattice(dir);
    expect(ds.layout).toBe('lattice');
    expect(ds.nUsers).toBe(5);
    expect(ds.nItems).toBe(5);
    expect(lists(ds.train)).toEqual([[1, 2, 3], [0, 2], [1, 4], [], [0]]);
    expect(lists(ds.val)).toEqual([[4], [3], [0], [], []]);
    expect(lists(ds.test)).toEqual([[0], [], [3], [], []]);
    expect(ds.modalities.map((m) => [m.name, m.dim])).toEqual([
      ['image', 4],
      ['text', 6],
      ['audio', 2],
    ]);
    expect(ds.modalities[0].features[1 * 4 + 2]).toBeCloseTo(1.02, 5);
    expect(ds.setting).toBe('warm');
    expect(ds.name).toBe(path.basename(dir));
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.warnings).toEqual([]);
  });

  it('treats a missing test.json as an empty test split', () => {
    const ds = loadLattice(basic({}, ['test.json']));
    expect(ds.test.indices.length).toBe(0);
    expect(ds.test.nUsers).toBe(ds.nUsers);
    expect(ds.warnings?.some((w) => /test\.json: not present/.test(w))).toBe(true);
  });

  it('takes n_items from the feature rows when they exceed max item id + 1', () => {
    const ds = loadLattice(basic({ 'image_feat.npy': features(9, 4), 'text_feat.npy': features(9, 6) }));
    expect(ds.nItems).toBe(9);
  });

  it('rejects fewer feature rows than items, naming the feature file', () => {
    const dir = basic({ 'image_feat.npy': features(4, 4), 'text_feat.npy': features(4, 6) });
    const e = dataError(() => loadLattice(dir));
    expect(e.file).toBe(path.join(dir, 'image_feat.npy'));
    expect(e.message).toMatch(/feature rows \(4\) are fewer than the item count \(5, max item id 4/);
  });

  it('rejects modalities with different row counts', () => {
    const dir = basic({ 'text_feat.npy': features(6, 6) });
    expect(dataError(() => loadLattice(dir)).message).toMatch(/text_feat\.npy.*6 rows but .*image_feat\.npy has 5/);
  });

  it('rejects NaN/Inf features naming row and column', () => {
    const bad = new Float32Array(5 * 4);
    bad[2 * 4 + 3] = NaN;
    const e = dataError(() => loadLattice(basic({ 'image_feat.npy': encodeNpy(bad, [5, 4]) })));
    expect(e.message).toMatch(/image_feat\.npy \(row 2, column 3\): feature value is NaN/);
    const inf = new Float32Array(5 * 6);
    inf[7] = -Infinity;
    expect(dataError(() => loadLattice(basic({ 'text_feat.npy': encodeNpy(inf, [5, 6]) }))).message).toMatch(
      /text_feat\.npy \(row 1, column 1\): feature value is -Infinity/,
    );
  });

  it('rejects 1-D and Fortran-order feature files', () => {
    expect(dataError(() => loadLattice(basic({ 'image_feat.npy': encodeNpy(new Float32Array(5), [5]) }))).message).toMatch(
      /image_feat\.npy \(shape\): features must be a 2-D array/,
    );
    const fortran = rawNpy({ descr: '<f4', shape: [5, 4], data: new Uint8Array(80), fortran: true });
    expect(dataError(() => loadLattice(basic({ 'image_feat.npy': fortran }))).message).toMatch(
      /image_feat\.npy \(header 'fortran_order'\): Fortran-order/,
    );
  });

  it('picks 5-core (warm) by default and 0-core for the cold setting', () => {
    const dir = writeFiles(tmpDir(), {
      '5-core/train.json': json(TRAIN),
      '5-core/val.json': json(VAL),
      '5-core/test.json': json(TEST),
      '0-core/train.json': json({ '0': [1, 2], '1': [2], '2': [1] }),
      '0-core/val.json': json({ '0': [3] }),
      '0-core/test.json': json({ '1': [4], '2': [0] }),
      'image_feat.npy': features(5, 4),
    });
    const warm = loadLattice(dir);
    expect(warm.setting).toBe('warm');
    expect(warm.sourcePaths[0]).toBe(path.join(dir, '5-core', 'train.json'));
    const cold = loadLattice(dir, { setting: 'cold' });
    expect(cold.setting).toBe('cold');
    expect(cold.nUsers).toBe(3);
    expect(cold.nItems).toBe(5);
    expect(cold.fingerprint).not.toBe(warm.fingerprint);
  });

  it('detects a cold split at the root (val/test items disjoint from train) and rejects a wrong setting request', () => {
    const dir = writeFiles(tmpDir(), {
      'train.json': json({ '0': [0, 1], '1': [1, 2] }),
      'val.json': json({ '0': [3] }),
      'test.json': json({ '1': [4] }),
    });
    expect(loadLattice(dir).setting).toBe('cold');
    expect(dataError(() => loadLattice(basic(), { setting: 'cold' })).message).toMatch(/cold/);
  });

  it('uses a manifest to name modalities and the dataset, and validates it', () => {
    const dir = basic({
      'micro.json': json({ name: 'toy', modalities: [{ name: 'visual', file: 'image_feat.npy' }], setting: 'warm' }),
    });
    const ds = loadLattice(dir);
    expect(ds.name).toBe('toy');
    expect(ds.modalities.map((m) => m.name)).toEqual(['visual']);
    expect(ds.sourcePaths).toContain(path.join(dir, 'micro.json'));

    const bad = basic({ 'dataset.json': json({ modalities: [{ name: 'visual' }] }) });
    const e = dataError(() => loadLattice(bad));
    expect(e.file).toBe(path.join(bad, 'dataset.json'));
    expect(e.message).toMatch(/field 'modalities\.0\.file'.*invalid dataset manifest/);
    const badSetting = basic({ 'micro.json': json({ setting: 'lukewarm' }) });
    expect(dataError(() => loadLattice(badSetting)).message).toMatch(/micro\.json \(field 'setting'\)/);
    const missing = basic({ 'micro.json': json({ modalities: [{ name: 'visual', file: 'nope.npy' }] }) });
    expect(dataError(() => loadLattice(missing)).message).toMatch(/nope\.npy: feature file for modality 'visual' not found/);
    const dup = basic({ 'micro.json': json({ modalities: [{ name: 'v', file: 'image_feat.npy' }, { name: 'v', file: 'text_feat.npy' }] }) });
    expect(dataError(() => loadLattice(dup)).message).toMatch(/duplicate modality name 'v'/);
  });

  it('reports broken JSON with line and column', () => {
    const dir = basic({ 'val.json': '{\n  "0": [4],\n  "1": [3,, 2]\n}' });
    const e = dataError(() => loadLattice(dir));
    expect(e.file).toBe(path.join(dir, 'val.json'));
    expect(e.where).toBe('line 3, column 11'); // the second comma
    expect(e.message).toMatch(/invalid JSON/);
    const trunc = dataError(() => loadLattice(basic({ 'train.json': '{"0": [1, 2' })));
    expect(trunc.message).toMatch(/train\.json \(line 1, column 12\): invalid JSON: unexpected end of input/);
  });

  it('reports bad ids naming the user key and list index', () => {
    expect(dataError(() => loadLattice(basic({ 'train.json': json({ '0': [1, 2.5] }) }))).message).toMatch(
      /train\.json \(user "0", index 1\): item id must be an integer, got 2.5/,
    );
    expect(dataError(() => loadLattice(basic({ 'train.json': json({ '0': [1], '3': [-1] }) }))).message).toMatch(
      /train\.json \(user "3", index 0\): item id must be non-negative/,
    );
    expect(dataError(() => loadLattice(basic({ 'train.json': json({ '0': ['7'] }) }))).message).toMatch(/got "7"/);
    expect(dataError(() => loadLattice(basic({ 'val.json': json({ alice: [1] }) }))).message).toMatch(
      /val\.json \(user "alice"\): user id must be a non-negative integer/,
    );
    expect(dataError(() => loadLattice(basic({ 'val.json': json({ '1': 3 }) }))).message).toMatch(/val\.json \(user "1"\): expected a list/);
    expect(dataError(() => loadLattice(basic({ 'test.json': json([[1]]) }))).message).toMatch(/test\.json: expected a JSON object.*got an array/);
  });

  it('rejects missing train/val files and empty train/val splits', () => {
    expect(dataError(() => loadLattice(basic({}, ['val.json']))).message).toMatch(/val\.json: JSON file not found/);
    expect(dataError(() => loadLattice(basic({ 'train.json': '{}' }))).message).toMatch(/train\.json: the train split is empty/);
    expect(dataError(() => loadLattice(basic({ 'val.json': json({ '0': [] }) }))).message).toMatch(/val\.json: the validation split is empty/);
    expect(dataError(() => loadLattice(tmpDir())).message).toMatch(/no LATTICE split found \(looked for .*train\.json/);
  });

  it('errors when no val user has train interactions, warns when some do not', () => {
    const none = basic({ 'val.json': json({ '3': [1], '5': [2] }) });
    expect(dataError(() => loadLattice(none)).message).toMatch(/val\.json: none of the 2 validation users has train interactions/);
    const some = loadLattice(basic({ 'val.json': json({ '0': [4], '3': [1] }) }));
    expect(some.warnings?.some((w) => /1 of 2 validation users have no train interactions \(first: user 3\)/.test(w))).toBe(true);
  });

  it('collapses duplicate items with a warning', () => {
    const ds = loadLattice(basic({ 'train.json': json({ ...TRAIN, '0': [3, 1, 3, 2, 1] }) }));
    expect(lists(ds.train)[0]).toEqual([1, 2, 3]);
    expect(ds.warnings?.some((w) => /2 duplicate interactions collapsed/.test(w))).toBe(true);
  });

  it('loads with zero modalities when there are no feature files', () => {
    const ds = loadLattice(basic({}, ['image_feat.npy', 'text_feat.npy']));
    expect(ds.modalities).toEqual([]);
    expect(ds.nItems).toBe(5);
  });
});
