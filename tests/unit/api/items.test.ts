// The item metadata methods of the API: searchItems, itemImage (path confined to the dataset
// folder, content checked), and the stored import warnings in datasetInfo.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchService } from '../../../src/main/api';
import { importDataset } from '../../../src/main/runs/datasets';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT } from '../../helpers/paths';
import { tempDir } from '../../helpers/temp';

const dir = tempDir('micro-api-items-');
const data = path.join(dir, 'demo');
const outside = path.join(dir, 'outside.svg');
let service: WorkbenchService;

beforeAll(() => {
  fs.cpSync(path.join(REPO_ROOT, 'resources/demo'), data, { recursive: true });
  fs.writeFileSync(outside, '<svg xmlns="http://www.w3.org/2000/svg"><text>secret</text></svg>');
  const csv = fs.readFileSync(path.join(data, 'items.csv'), 'utf8').split('\n');
  csv[1 + 399] = '399,Fake picture,Kitchen,images/fake.png,Kitchen,style 1'; // an SVG renamed .png
  fs.writeFileSync(path.join(data, 'images/fake.png'), fs.readFileSync(path.join(data, 'images/1.svg')));
  fs.writeFileSync(path.join(data, 'items.csv'), csv.join('\n'));
  const storePath = path.join(dir, 'runs.sqlite');
  const store = RunStore.open(storePath);
  importDataset(store, data);
  store.close();
  service = new WorkbenchService({ storePath, mode: 'browser' });
});
afterAll(() => service?.close());

describe('item metadata API', () => {
  it('searches titles; an id finds that item first', async () => {
    const api = service.api();
    const r = await api.searchItems({ dataset: 'demo', query: 'sourdough', limit: 5 });
    expect(r.total).toBe(400);
    expect(r.items.length).toBeGreaterThan(0);
    for (const it of r.items) expect(it.title!.toLowerCase()).toContain('sourdough');
    expect((await api.searchItems({ dataset: 'demo', query: '42', limit: 3 })).items[0].item).toBe(42);
    await expect(api.searchItems({ dataset: 'demo', query: 'x'.repeat(201) })).rejects.toThrow(/query: expected a search text of at most 200 characters/);
    await expect(api.searchItems({ dataset: 'nope' })).rejects.toThrow(/dataset "nope" not found/);
  });

  it('serves a thumbnail as base64 with its type', async () => {
    const img = await service.api().itemImage({ dataset: 'demo', item: 7 });
    expect(img).toMatchObject({ item: 7, path: 'images/7.svg', mime: 'image/svg+xml' });
    expect(Buffer.from(img.data, 'base64').toString('utf8')).toBe(fs.readFileSync(path.join(data, 'images/7.svg'), 'utf8'));
  });

  it('refuses an image swapped for a symlink out of the folder after the import, a missing one and a mislabelled one', async () => {
    const api = service.api();
    fs.rmSync(path.join(data, 'images/8.svg'));
    fs.symlinkSync(outside, path.join(data, 'images/8.svg'));
    await expect(api.itemImage({ dataset: 'demo', item: 8 })).rejects.toThrow(/item 8: .*images\/8\.svg: image resolves outside the dataset folder/);
    fs.rmSync(path.join(data, 'images/9.svg'));
    await expect(api.itemImage({ dataset: 'demo', item: 9 })).rejects.toThrow(/item 9: .*image file not found/);
    await expect(api.itemImage({ dataset: 'demo', item: 399 })).rejects.toThrow(/item 399: images\/fake\.png does not hold image\/png data/);
    await expect(api.itemImage({ dataset: 'demo', item: 100000 })).rejects.toThrow(/has no image/);
  });

  it('datasetInfo carries the stored warnings and the metadata count', async () => {
    const info = await service.api().datasetInfo({ dataset: 'demo' });
    expect(info.itemsWithMetadata).toBe(400);
    expect(info.warnings).toEqual([]);
  });
});
