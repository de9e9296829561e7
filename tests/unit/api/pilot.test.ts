// Pilot studies through the API: diagnoseDataset stores its result with the dataset, datasetInfo
// returns it (after a restart too), a new study replaces it, and a re-import with other data
// hides the old result.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchService } from '../../../src/main/api';
import { DEMO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-api-pilot-');
const storePath = () => path.join(dir, 'runs.sqlite');
let service: WorkbenchService;

beforeAll(async () => {
  service = new WorkbenchService({ storePath: storePath(), mode: 'browser' });
  await service.api().importDataset({ path: DEMO, name: 'demo', setting: 'warm' });
  await service.api().importDataset({ path: DEMO, name: 'demo-cold', setting: 'cold' });
}, 120_000);
afterAll(() => service?.close());

describe('pilot studies stored with the dataset', () => {
  it('datasetInfo has none before the first study', async () => {
    expect((await service.api().datasetInfo({ dataset: 'demo' })).pilot).toBeNull();
  });

  it('returns the stored study from datasetInfo, also after a restart of the service', async () => {
    const before = Date.now();
    const r = await service.api().diagnoseDataset({ dataset: 'demo' });
    expect(r.ks).toEqual([5, 10, 15, 20]);
    expect(r.modalities.map((m) => m.modality)).toEqual(['visual', 'textual']);
    expect(Date.parse(r.at)).toBeGreaterThanOrEqual(before - 1000);
    const { dataset, ...stored } = r;
    expect(dataset).toBe('demo');
    expect((await service.api().datasetInfo({ dataset: 'demo' })).pilot).toEqual(stored);
    expect((await service.api().datasetInfo({ dataset: 'demo-cold' })).pilot).toBeNull();

    await service.close();
    service = new WorkbenchService({ storePath: storePath(), mode: 'browser' });
    expect((await service.api().datasetInfo({ dataset: 'demo' })).pilot).toEqual(stored);
  }, 60_000);

  it('a new study replaces the stored one', async () => {
    const first = (await service.api().datasetInfo({ dataset: 'demo' })).pilot!;
    const r = await service.api().diagnoseDataset({ dataset: 'demo', ks: [3, 7] });
    const info = await service.api().datasetInfo({ dataset: 'demo' });
    expect(info.pilot!.ks).toEqual([3, 7]);
    expect(info.pilot!.modalities[0].shareWithSimilarPair.map((s) => s.k)).toEqual([3, 7]);
    expect(info.pilot!.at).toBe(r.at);
    expect(Date.parse(info.pilot!.at)).toBeGreaterThanOrEqual(Date.parse(first.at));
  }, 60_000);

  it('a re-import of the name with other data hides the old study', async () => {
    await service.api().diagnoseDataset({ dataset: 'demo-cold' });
    expect((await service.api().datasetInfo({ dataset: 'demo-cold' })).pilot).not.toBeNull();
    // Same name, the warm (5-core) files: another fingerprint.
    const re = await service.api().importDataset({ path: DEMO, name: 'demo-cold', setting: 'warm' });
    expect(re.pilot).toBeNull();
    expect((await service.api().datasetInfo({ dataset: 'demo-cold' })).pilot).toBeNull();
  }, 60_000);
});
