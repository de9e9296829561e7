import { describe, expect, it } from 'vitest';
import { userItemsFromLists } from '../../../../src/main/engine/data/csr';
import { fingerprintDataset, type FingerprintInput } from '../../../../src/main/engine/data/fingerprint';
import { loadLattice } from '../../../../src/main/engine/data/lattice';
import { loadMmrec } from '../../../../src/main/engine/data/mmrec';
import { features, input, json, tmpDir, writeFiles } from './helpers';

describe('fingerprint', () => {
  it('is a stable 64-hex SHA-256', () => {
    const a = fingerprintDataset(input());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintDataset(input())).toBe(a);
  });

  it('changes with any interaction, split membership, feature value, dim or modality name', () => {
    const base = fingerprintDataset(input());
    const variants: ((d: FingerprintInput) => FingerprintInput)[] = [
      (d) => ({ ...d, train: userItemsFromLists(3, [[0, 1], [2], [1, 2]]) }),
      (d) => ({ ...d, val: userItemsFromLists(3, [[2], [], [0]]), test: userItemsFromLists(3, [[3], [0], [0]]) }),
      (d) => ({ ...d, val: d.test, test: d.val }),
      (d) => ({ ...d, modalities: [{ ...d.modalities[0], features: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8.0001]) }, d.modalities[1]] }),
      (d) => ({ ...d, modalities: [{ ...d.modalities[0], dim: 4, features: d.modalities[0].features }, d.modalities[1]] }),
      (d) => ({ ...d, modalities: [{ ...d.modalities[0], name: 'visual' }, d.modalities[1]] }),
      (d) => ({ ...d, modalities: [d.modalities[1], d.modalities[0]] }),
      (d) => ({ ...d, nItems: 5 }),
      (d) => ({ ...d, nUsers: 4 }),
    ];
    const seen = new Set([base]);
    for (const v of variants) {
      const f = fingerprintDataset(v(input()));
      expect(seen.has(f)).toBe(false);
      seen.add(f);
    }
  });

  it('is the same for the same content in LATTICE and MMRec layouts', () => {
    const lat = writeFiles(tmpDir(), {
      'train.json': json({ '0': [0, 1], '1': [2], '2': [1, 3] }),
      'val.json': json({ '0': [2], '1': [0] }),
      'test.json': json({ '0': [3], '2': [0] }),
      'image_feat.npy': features(4, 2),
    });
    const rows = ['userID\titemID\tx_label'];
    for (const [u, i, x] of [[2, 3, 0], [0, 1, 0], [0, 0, 0], [1, 2, 0], [2, 1, 0], [0, 2, 1], [1, 0, 1], [0, 3, 2], [2, 0, 2]]) rows.push(`${u}\t${i}\t${x}`);
    const mm = writeFiles(tmpDir(), { 'x.inter': rows.join('\n'), 'image_feat.npy': features(4, 2) });
    expect(loadLattice(lat).fingerprint).toBe(loadMmrec(mm).fingerprint);
  });
});
