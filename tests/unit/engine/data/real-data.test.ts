// Loads the real datasets in <repo>/../shared/data when they exist (skipped otherwise).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { carveTestDataset, computeStats, countInteractions, loadDataset } from '../../../../src/main/engine/data';
import { SHARED_DATA } from '../../../helpers/paths';

const TIKTOK = path.join(SHARED_DATA, 'tiktok');
const SPORTS = path.join(SHARED_DATA, 'amazon-sports');

/** Loads a dataset, timing the load (logged, never asserted), and computes its stats. */
function timedLoad(dir: string) {
  const t0 = performance.now();
  const ds = loadDataset(dir);
  return { ds, ms: performance.now() - t0, s: computeStats(ds) };
}

describe.skipIf(!fs.existsSync(path.join(TIKTOK, 'train.json')))('real data: tiktok (LATTICE, float16, no test split)', () => {
  it('loads with the documented counts', () => {
    const { ds, ms, s } = timedLoad(TIKTOK);
    expect(ds.layout).toBe('lattice');
    expect(ds.setting).toBe('warm');
    expect(s.nUsers).toBe(9308); // max uid + 1 (9,298 users have train lists)
    expect(s.nItems).toBe(6710);
    expect(s.nTrain).toBe(59541);
    expect(s.nVal).toBe(3051);
    expect(s.nTest).toBe(0);
    expect(s.usersWithoutTrain).toBe(10);
    expect(s.coldItems).toBe(465);
    expect(s.modalities).toEqual([
      { name: 'image', dim: 128 },
      { name: 'audio', dim: 128 },
    ]);
    for (const m of ds.modalities) {
      expect(m.features.length).toBe(6710 * 128);
      expect(m.features.every(Number.isFinite)).toBe(true);
    }
    expect(ds.warnings?.some((w) => /validation users have no train interactions/.test(w))).toBe(true);
    expect(ds.fingerprint).toBe(loadDataset(TIKTOK).fingerprint);
    console.log(`tiktok load: ${ms.toFixed(0)} ms`);

    const carved = carveTestDataset(ds, 123);
    expect(countInteractions(carved.train) + countInteractions(carved.test)).toBe(59541);
    expect(countInteractions(carved.test)).toBeGreaterThan(5000);
  });
});

describe.skipIf(!fs.existsSync(path.join(SPORTS, 'sports.inter')))('real data: amazon-sports (MMRec, no features)', () => {
  it('loads with the documented counts', () => {
    const { ds, ms, s } = timedLoad(SPORTS);
    expect(ds.layout).toBe('mmrec');
    expect(ds.name).toBe('sports');
    expect(s.nUsers).toBe(35598);
    expect(s.nItems).toBe(18357);
    expect(s.nTrain + s.nVal + s.nTest).toBe(296337);
    expect(s.nTrain).toBe(218409);
    expect(s.nVal).toBe(40029);
    expect(s.nTest).toBe(37899);
    expect(s.usersWithoutTrain).toBe(0);
    expect(ds.modalities).toEqual([]);
    console.log(`sports load: ${ms.toFixed(0)} ms`);
  });
});
