import { describe, expect, it } from 'vitest';
import { computeStats } from '../../../../src/main/engine/data/stats';
import { makeDataset } from '../../../../src/main/engine/data/dataset';
import { input } from './helpers';

describe('stats', () => {
  it('counts interactions, density, users without train and cold items', () => {
    const d = input();
    const ds = makeDataset({
      ...d,
      nUsers: 4,
      nItems: 6,
      modalities: [],
      name: 's',
      layout: 'lattice',
      sourcePaths: [],
    });
    const s = computeStats(ds);
    expect(s).toEqual({
      nUsers: 4,
      nItems: 6,
      nTrain: 5,
      nVal: 2,
      nTest: 2,
      density: 9 / 24,
      usersWithoutTrain: 1,
      coldItems: 2,
      modalities: [],
    });
  });
});
