// TensorBoard projector export: tensors, metadata with the items file's columns (TSV-escaped),
// a sprite of the items' thumbnails in row order and projector_config.pbtxt; the same files from
// the CLI. The run is written straight into a store (no training needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { RunStore } from '../../../src/main/store';
import { importDataset } from '../../../src/main/runs/datasets';
import { exportRun } from '../../../src/main/runs/export';
import { spriteGrid } from '../../../src/main/runs/projector';
import { createRng } from '../../../src/main/engine/data/random';
import { DEMO, REPO_ROOT } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-export-projector-');
const N_ITEMS = 400;
const DIM = 8;
let store: RunStore;
let runId = 0;
let alpha: Float32Array;

beforeAll(() => {
  // The demo with two edits to its items file: a title holding a tab, an item without image.
  const data = path.join(dir, 'demo');
  fs.cpSync(DEMO, data, { recursive: true });
  const csv = path.join(data, 'items.csv');
  const lines = fs.readFileSync(csv, 'utf8').split('\n');
  lines[1] = '0,"Everyday\tAnthem Choir",Music / Choir,images/0.svg,Music,style 2';
  lines[6] = lines[6].replace('images/5.svg', '');
  fs.writeFileSync(csv, lines.join('\n'));
  store = RunStore.open(path.join(dir, 'runs.sqlite'), { appVersion: 'test' });
  const { record } = importDataset(store, data, { name: 'demo', setting: 'warm' });
  runId = store.createRun({ model: 'micro', datasetId: record.id }).id;
  const rng = createRng(1);
  for (const [name, rows] of [['item_final', N_ITEMS], ['user_final', 600]] as const)
    store.putArtifact(runId, { kind: 'embeddings', name, format: 'f32', payload: Float32Array.from({ length: rows * DIM }, () => rng.normal()), shape: [rows, DIM] });
  alpha = Float32Array.from({ length: N_ITEMS * 2 }, (_, i) => (i % 2 === 0 ? 0.25 + (i % 7) / 10 : 0));
  for (let r = 0; r < N_ITEMS; r++) alpha[r * 2 + 1] = 1 - alpha[r * 2];
  store.putArtifact(runId, { kind: 'attention', name: 'modality', format: 'f32', payload: alpha, shape: [N_ITEMS, 2], meta: { columns: ['visual', 'textual'] } });
});
afterAll(() => store?.close());

/** Width and height from a PNG's IHDR chunk. */
function pngSize(b: Buffer): [number, number] {
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('projector export', () => {
  it('writes tensors, metadata with the items file columns, a 20 × 20 sprite of 64 px thumbnails and the pbtxt', async () => {
    const out = path.join(dir, 'items');
    const files = await exportRun(store, runId, { what: 'embeddings', format: 'projector', out, embedding: 'item_final' });
    const base = `run${runId}-item_final`;
    expect(files.map((f) => path.basename(f))).toEqual([`${base}-tensors.tsv`, `${base}-metadata.tsv`, `${base}-ids.csv`, `${base}-sprite.png`, 'projector_config.pbtxt']);
    expect(fs.readFileSync(files[0], 'utf8').trim().split('\n')).toHaveLength(N_ITEMS);

    const meta = fs.readFileSync(files[1], 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(meta[0]).toEqual(['index', 'id', 'kind', 'title', 'category', 'group', 'style', 'dominant_modality', 'alpha_visual', 'alpha_textual']);
    expect(meta).toHaveLength(N_ITEMS + 1);
    expect(meta.every((row) => row.length === 10)).toBe(true);
    expect(meta[1].slice(0, 7)).toEqual(['0', '0', 'item', 'Everyday Anthem Choir', 'Music / Choir', 'Music', 'style 2']);
    const dom = (r: number) => (alpha[r * 2] >= alpha[r * 2 + 1] ? 'visual' : 'textual');
    for (const r of [0, 3, 399]) expect(meta[r + 1].slice(7)).toEqual([dom(r), alpha[r * 2].toFixed(4), alpha[r * 2 + 1].toFixed(4)]);

    expect(fs.readFileSync(files[4], 'utf8')).toBe(
      [
        'embeddings {',
        `  tensor_name: "${base}"`,
        `  tensor_path: "${base}-tensors.tsv"`,
        `  tensor_shape: ${N_ITEMS}`,
        `  tensor_shape: ${DIM}`,
        `  metadata_path: "${base}-metadata.tsv"`,
        '  sprite {',
        `    image_path: "${base}-sprite.png"`,
        '    single_image_dim: 64',
        '    single_image_dim: 64',
        '  }',
        '}',
        '',
      ].join('\n'),
    );

    const png = fs.readFileSync(files[3]);
    expect(pngSize(png)).toEqual([20 * 64, 20 * 64]);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (cell: number, x: number, y: number) => {
      const o = (((Math.floor(cell / 20) * 64 + y) * info.width + (cell % 20) * 64 + x) * info.channels) | 0;
      return [data[o], data[o + 1], data[o + 2]];
    };
    // Cell r is row r: items 0 and 399 are the demo's violet diamond, hsl(280,65%,66%) = rgb(187,112,225).
    for (const cell of [0, 399]) pixel(cell, 32, 32).forEach((v, c) => expect(Math.abs(v - [187, 112, 225][c])).toBeLessThanOrEqual(3));
    // Item 5 has no image: its cell is blank (white) everywhere.
    for (const [x, y] of [[32, 32], [5, 5], [60, 60]]) expect(pixel(5, x, y)).toEqual([255, 255, 255]);
  });

  it('user tables get metadata without item columns and a pbtxt without sprite', async () => {
    const out = path.join(dir, 'users');
    const files = await exportRun(store, runId, { what: 'embeddings', format: 'projector', out, embedding: 'user_final' });
    expect(files.map((f) => path.basename(f))).toEqual([`run${runId}-user_final-tensors.tsv`, `run${runId}-user_final-metadata.tsv`, `run${runId}-user_final-ids.csv`, 'projector_config.pbtxt']);
    const meta = fs.readFileSync(files[1], 'utf8').trimEnd().split('\n');
    expect(meta[0]).toBe('index\tid\tkind');
    expect(meta).toHaveLength(601);
    expect(fs.readFileSync(files[3], 'utf8')).not.toMatch(/sprite/);
  });

  it('sprite cells shrink to stay within 8192 px: 64 px up to 16,384 items, TikTok fits at 64 px', () => {
    expect(spriteGrid(6710)).toEqual({ cell: 64, perRow: 82 });
    expect(spriteGrid(16_384)).toEqual({ cell: 64, perRow: 128 });
    expect(spriteGrid(16_385)).toEqual({ cell: 63, perRow: 129 });
    expect(spriteGrid(1_000_000)).toEqual({ cell: 8, perRow: 1000 });
    expect(spriteGrid(1_100_000)).toBeNull(); // 7 px cells: no sprite
  });

  it('micro export --what embeddings --format projector --out DIR writes every file', () => {
    store.close();
    const out = path.join(dir, 'cli');
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/micro.mjs'), '--store', path.join(dir, 'runs.sqlite'), '--json', 'export', String(runId), '--what', 'embeddings', '--format', 'projector', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const base = `run${runId}-item_final`;
    expect(fs.readdirSync(out).sort()).toEqual(['projector_config.pbtxt', `${base}-ids.csv`, `${base}-metadata.tsv`, `${base}-sprite.png`, `${base}-tensors.tsv`]);
    expect(pngSize(fs.readFileSync(path.join(out, `${base}-sprite.png`)))).toEqual([1280, 1280]);
    expect(fs.readFileSync(path.join(out, 'projector_config.pbtxt'), 'utf8')).toMatch(/single_image_dim: 64/);
  });
});
