// `datasets split --out DIR`: never overwrite files (the source's least of all), never leave a
// half-written split, refuse odd output locations quickly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/main/engine/data';
import type { Dataset } from '../../../src/main/engine/types';
import { splitDataset } from '../../../src/main/runs/datasets';
import { RunStore } from '../../../src/main/store';
import { encodeNpy } from '../../../src/main/engine/data/npy';

const REPO = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let src: string;
let source: Dataset;
let store: RunStore;

/** sha-free snapshot of a folder: relative path -> bytes */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(d, { recursive: true }) as string[]) {
    const p = path.join(d, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-split-'));
  src = path.join(dir, 'src');
  fs.mkdirSync(src);
  // 8 users x 6 items over 12 items: enough for warm and cold splits
  const train: Record<string, number[]> = {};
  const val: Record<string, number[]> = {};
  for (let u = 0; u < 8; u++) {
    train[u] = [0, 1, 2, 3, 4].map((k) => (u + 2 * k) % 12);
    val[u] = [(u + 11) % 12];
  }
  fs.writeFileSync(path.join(src, 'train.json'), JSON.stringify(train));
  fs.writeFileSync(path.join(src, 'val.json'), JSON.stringify(val));
  fs.writeFileSync(path.join(src, 'micro.json'), JSON.stringify({ name: 'toy', layout: 'lattice' }));
  fs.writeFileSync(path.join(src, 'image_feat.npy'), encodeNpy(Float32Array.from({ length: 48 }, (_, i) => (i * 7) % 5), [12, 4]));
  source = loadDataset(src);
  store = RunStore.open(':memory:');
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const siblingsOf = (out: string) => fs.readdirSync(path.dirname(out)).filter((f) => f.startsWith(`.${path.basename(out)}.tmp-`));

describe('splitDataset output folder', () => {
  it('writes a complete split into a new folder through a temporary sibling, leaving no temporary behind', () => {
    const out = path.join(dir, 'warm-out');
    const { record, dataset } = splitDataset(store, source, 'warm', out, { name: 'toy-warm' });
    expect(record.sourcePaths).toEqual([out]);
    expect(dataset.setting).toBe('warm');
    expect(fs.readdirSync(out).sort()).toEqual(['image_feat.npy', 'micro.json', 'test.json', 'train.json', 'val.json']);
    expect(siblingsOf(out)).toEqual([]);
    // an existing empty folder is fine too
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    splitDataset(store, source, 'cold', empty, { name: 'toy-cold' });
    expect(fs.existsSync(path.join(empty, 'train.json'))).toBe(true);
  });

  it('refuses a folder that already holds files, naming them, and leaves it untouched', () => {
    const out = path.join(dir, 'full');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'train.json'), 'mine');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep');
    const before = snapshot(out);
    expect(() => splitDataset(store, source, 'warm', out, { name: 'x1' })).toThrow(/already holds files \((notes\.txt, train\.json|train\.json, notes\.txt)\)/);
    expect(snapshot(out)).toEqual(before);
  });

  it("refuses the source folder, a folder inside it and one reached through a symlink; the source's micro.json and train.json stay intact", () => {
    const before = snapshot(src);
    expect(() => splitDataset(store, source, 'warm', src, { name: 'x2' })).toThrow(/is or is inside the source dataset folder/);
    expect(() => splitDataset(store, source, 'warm', path.join(src, '5-core'), { name: 'x3' })).toThrow(/is or is inside the source dataset folder/);
    const link = path.join(dir, 'link-to-src');
    fs.symlinkSync(src, link);
    expect(() => splitDataset(store, source, 'carve-test', path.join(link, 'sub'), { name: 'x4' })).toThrow(/source dataset folder/);
    expect(snapshot(src)).toEqual(before);
    expect(fs.readdirSync(src).sort()).toEqual(['image_feat.npy', 'micro.json', 'train.json', 'val.json']);
  });

  it('removes the temporary folder when writing fails midway: no half-written split', () => {
    // a modality name with a path separator makes the feature write fail after the split JSONs
    const broken: Dataset = { ...source, modalities: [{ ...source.modalities[0], name: 'no/such' }] };
    const out = path.join(dir, 'crashed');
    expect(() => splitDataset(store, broken, 'warm', out, { name: 'x5' })).toThrow(/ENOENT/);
    expect(fs.existsSync(out)).toBe(false);
    expect(siblingsOf(out)).toEqual([]);
    expect(store.getDataset('x5')).toBeFalsy();
  });

  it('refuses a missing parent folder and a parent that is a file', () => {
    expect(() => splitDataset(store, source, 'warm', path.join(dir, 'no', 'such', 'out'), { name: 'x6' })).toThrow(/parent folder .*no[/\\]such does not exist/);
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
    expect(() => splitDataset(store, source, 'warm', path.join(src, 'train.json', 'out'), { name: 'x7' })).toThrow(/is not a folder/);
  });

  it.skipIf(process.platform !== 'linux')('fails fast on a /proc path (fs.mkdirSync would spin there forever)', () => {
    // in a child: on a regression the call never returns, and the child is killed at the timeout
    const code = `
      import { loadDataset } from ${JSON.stringify(path.join(REPO, 'src/main/engine/data/index.ts'))};
      import { splitDataset } from ${JSON.stringify(path.join(REPO, 'src/main/runs/datasets.ts'))};
      import { RunStore } from ${JSON.stringify(path.join(REPO, 'src/main/store/index.ts'))};
      const store = RunStore.open(':memory:');
      try { splitDataset(store, loadDataset(${JSON.stringify(src)}), 'warm', '/proc/self/x'); console.log('no error'); }
      catch (e) { console.log(e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe('/proc/self/x: /proc/self is on a system pseudo-filesystem, not a place for dataset files');
  });
});
