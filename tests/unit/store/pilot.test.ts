// A dataset's stored pilot-study result (dataset_pilots, schema v4): one per dataset, replaced by
// a new study, gone with its dataset, kept across reopening, and added to an older store by the
// migration without touching its rows.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, RunStore, StoreError } from '../../../src/main/store';
import { thrown } from '../../helpers/errors';
import { datasetInput, tmpDir } from './helpers';

const study = (share: number, ks = [5, 10]) => ({
  fingerprint: 'fp-aaaa',
  ks,
  modalities: [{ modality: 'visual', dim: 4096, meanAllPairs: 0.1, meanCoInteracted: 0.3, shareWithSimilarPair: ks.map((k) => ({ k, share })) }],
  seconds: 1.25,
});

describe('pilot-study results', () => {
  it('are stored with their dataset, replaced by the next study and kept after reopening', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const store = RunStore.open(file);
    const ds = store.registerDataset(datasetInput());
    const other = store.registerDataset(datasetInput({ name: 'clothing', fingerprint: 'fp-bbbb' }));
    expect(store.getDatasetPilot(ds.id)).toBeNull();

    const first = store.setDatasetPilot(ds.id, study(0.5));
    expect(first).toEqual({ datasetId: ds.id, ...study(0.5), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const second = store.setDatasetPilot(ds.id, study(0.75, [5, 10, 20]));
    expect(store.getDatasetPilot(ds.id)).toEqual(second);
    expect(second.ks).toEqual([5, 10, 20]);
    expect(second.modalities[0].shareWithSimilarPair.map((s) => s.share)).toEqual([0.75, 0.75, 0.75]);
    expect(store.getDatasetPilot(other.id)).toBeNull();
    store.close();

    const again = RunStore.open(file);
    expect(again.getDatasetPilot(ds.id)).toEqual(second);
    again.close();
  });

  it('go with their dataset and are refused for an unknown one or with bad values', () => {
    const store = RunStore.open(path.join(tmpDir(), 'runs.sqlite'));
    const ds = store.registerDataset(datasetInput());
    store.setDatasetPilot(ds.id, study(0.5));
    expect(store.deleteDataset(ds.id)).toBe(true);
    expect(store.rawDatabase().prepare('SELECT count(*) AS n FROM dataset_pilots').get()).toEqual({ n: 0 });

    expect(thrown(StoreError, () => store.setDatasetPilot(999, study(0.5)))).toMatchObject({ code: 'NOT_FOUND', message: 'dataset 999 not found' });
    const ds2 = store.registerDataset(datasetInput());
    expect(thrown(StoreError, () => store.setDatasetPilot(ds2.id, study(0.5, [0])))).toMatchObject({ code: 'INVALID_INPUT', message: `pilot of dataset ${ds2.id}: ks must be positive integers` });
    expect(thrown(StoreError, () => store.setDatasetPilot(ds2.id, { ...study(0.5), seconds: -1 })).message).toMatch(/seconds/);
    expect(thrown(StoreError, () => store.setDatasetPilot(ds2.id, { ...study(0.5), fingerprint: '' })).message).toMatch(/fingerprint/);
    store.close();
  });

  it('a read-only store refuses to store one', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const rw = RunStore.open(file);
    const ds = rw.registerDataset(datasetInput());
    rw.setDatasetPilot(ds.id, study(0.5));
    rw.close();
    const ro = RunStore.open(file, { readonly: true });
    expect(ro.getDatasetPilot(ds.id)?.ks).toEqual([5, 10]);
    expect(thrown(StoreError, () => ro.setDatasetPilot(ds.id, study(0.6))).code).toBe('READONLY');
    ro.close();
  });

  it('the migration adds the table to a v3 store and keeps its datasets', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    // A v3 store: the latest schema with the pilot table dropped and the version set back.
    const made = RunStore.open(file);
    const ds = made.registerDataset(datasetInput());
    made.close();
    const db = new Database(file);
    db.exec('DROP TABLE dataset_pilots');
    db.pragma('user_version = 3');
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    db.close();

    const store = RunStore.open(file);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.getDataset(ds.id)).toEqual(ds);
    expect(store.getDatasetPilot(ds.id)).toBeNull();
    store.setDatasetPilot(ds.id, study(0.5));
    expect(store.getDatasetPilot(ds.id)?.seconds).toBe(1.25);
    store.close();
    expect(fs.existsSync(file)).toBe(true);
  });
});
