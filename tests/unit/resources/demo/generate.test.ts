import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemoDatasets, writeDemo } from '../../../../resources/demo/generate';
import { computeStats, itemsOf, loadDataset } from '../../../../src/main/engine/data';
import { REPO_ROOT } from '../../../helpers/paths';
import { tempDir } from '../../../helpers/temp';

const DEMO = path.join(REPO_ROOT, 'resources/demo');
const FILES = [
  'micro.json',
  'visual_feat.npy',
  'textual_feat.npy',
  ...['5-core', '0-core'].flatMap((d) => ['train', 'val', 'test'].map((s) => `${d}/${s}.json`)),
  'items.csv',
  ...Array.from({ length: 400 }, (_, i) => `images/${i}.svg`),
];

describe('embedded demo dataset', () => {
  it('committed files equal a fresh deterministic generation and stay commit-sized', () => {
    const out = tempDir('micro-demo-');
    writeDemo(out);
    let total = 0;
    for (const f of FILES) {
      const committed = fs.readFileSync(path.join(DEMO, f));
      expect(Buffer.compare(committed, fs.readFileSync(path.join(out, f))), f).toBe(0);
      total += committed.length;
    }
    expect(total).toBeLessThan(300 * 1024);
  });

  it('loads warm and cold with the planned shape', () => {
    const warm = loadDataset(DEMO);
    const cold = loadDataset(DEMO, { setting: 'cold' });
    expect(warm.name).toBe('demo');
    expect(warm.setting).toBe('warm');
    expect(cold.setting).toBe('cold');
    const sw = computeStats(warm);
    const sc = computeStats(cold);
    expect(sw.nUsers).toBe(600);
    expect(sw.nItems).toBe(400);
    const total = sw.nTrain + sw.nVal + sw.nTest;
    expect(total).toBeGreaterThanOrEqual(8000);
    expect(total).toBeLessThanOrEqual(12000);
    expect(sc.nTrain + sc.nVal + sc.nTest).toBe(total);
    expect(sw.modalities).toEqual([
      { name: 'visual', dim: 32 },
      { name: 'textual', dim: 48 },
    ]);
    expect(sw.coldItems).toBe(0);
    expect(sc.coldItems).toBe(80);
    expect(warm.fingerprint).toBe(buildDemoDatasets().warm.fingerprint);
    // cold: val/test items never in train
    const inTrain = new Uint8Array(400);
    for (const i of cold.train.indices) inTrain[i] = 1;
    for (const i of cold.val.indices) expect(inTrain[i]).toBe(0);
    for (const i of cold.test.indices) expect(inTrain[i]).toBe(0);
  });

  it('plants topic structure in the features (strong, not perfect, complementary)', () => {
    const { data } = buildDemoDatasets();
    const topic = data.itemTopic;
    const n = data.config.nItems;
    const purity = (sims: Float64Array[]) => {
      let same = 0;
      for (let i = 0; i < n; i++) {
        const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
        order.sort((a, b) => sims[i][b] - sims[i][a]);
        for (const j of order.slice(0, 10)) if (topic[j] === topic[i]) same++;
      }
      return same / (n * 10);
    };
    const cos = (m: { dim: number; features: Float32Array }) => {
      const d = m.dim;
      const nrm = Array.from({ length: n }, (_, i) => Math.hypot(...m.features.subarray(i * d, (i + 1) * d)));
      return Array.from({ length: n }, (_, i) => {
        const row = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += m.features[i * d + k] * m.features[j * d + k];
          row[j] = s / (nrm[i] * nrm[j]);
        }
        return row;
      });
    };
    const sv = cos(data.modalities[0]);
    const st = cos(data.modalities[1]);
    const both = sv.map((r, i) => r.map((x, j) => (x + st[i][j]) / 2));
    const pv = purity(sv);
    const pt = purity(st);
    const pb = purity(both);
    expect(pv).toBeGreaterThan(0.4);
    expect(pt).toBeGreaterThan(0.6);
    expect(pb).toBeGreaterThan(Math.max(pv, pt));
    expect(pb).toBeLessThan(0.97);
    // every cold item is reachable: it has interactions in val/test and same-topic feature neighbours
    const cold = loadDataset(DEMO, { setting: 'cold' });
    let coldHeld = 0;
    for (let u = 0; u < cold.nUsers; u++) coldHeld += itemsOf(cold.val, u).length + itemsOf(cold.test, u).length;
    expect(coldHeld).toBeGreaterThan(1000);
  });
});
