// The embedding map on a MICRO run trained on the demo's cold-start split: PCA against an
// independent eigen-decomposition of the stored table, the colouring fields against the demo's
// own files (items.csv, train.json) and the stored attention, UMAP seeded, cached and
// neighbourhood-preserving, the user side, sampling, and errors that name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkbenchService } from '../../../src/main/api';
import type { MicroApi } from '../../../src/shared/api';
import { DEMO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';
import { finished, serviceWithDemoRun } from '../../helpers/service';
import { covarianceOf, jacobi } from '../../helpers/eigen';

const dir = fileTempDir('micro-api-map-');
let service: WorkbenchService;
let api: MicroApi;
let runId = 0;

beforeAll(async () => {
  ({ service, api, runId } = await serviceWithDemoRun(dir, { name: 'demo-cold', setting: 'cold', epochs: 1 }));
}, 150_000);
afterAll(() => service?.close());

function stored(kind: string, name: string): { data: Float32Array; rows: number; cols: number; columns?: string[] } {
  const a = service.store.findArtifact(runId, kind, name, { payload: true })!;
  const p = a.payload!;
  return { data: new Float32Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength)), rows: a.shape![0], cols: a.shape![1], columns: a.meta?.columns as string[] | undefined };
}

/** items.csv of the demo, parsed here (its fields have no quotes or commas). */
function demoItems(): { title: string; category: string }[] {
  const lines = fs.readFileSync(path.join(DEMO, 'items.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const [, title, category] = l.split(',');
    return { title, category };
  });
}

describe('embeddingMap', () => {
  it('PCA of item_final: the stored table projected on the top-2 eigenvectors of its covariance', async () => {
    const m = await api.embeddingMap({ runId, embedding: 'item_final', method: 'pca' });
    const t = stored('embeddings', 'item_final');
    expect(m).toMatchObject({ side: 'item', method: 'pca', rows: t.rows, dim: t.cols, params: null });
    expect(m.ids).toEqual(Array.from({ length: t.rows }, (_, r) => r));
    expect(m.coords).toHaveLength(2 * t.rows);
    const { mean, cov } = covarianceOf(t.data, t.rows, t.cols);
    const { values, vectors } = jacobi(cov);
    const trace = values.reduce((s, v) => s + v, 0);
    expect(m.explained![0]).toBeCloseTo(values[0] / trace, 6);
    expect(m.explained![1]).toBeCloseTo(values[1] / trace, 6);
    // Each coordinate axis is ± the centred projection on Jacobi's eigenvector.
    for (let j = 0; j < 2; j++) {
      const proj = (r: number) => vectors[j].reduce((s, v, c) => s + v * (t.data[r * t.cols + c] - mean[c]), 0);
      const sign = Math.sign(m.coords[j]) === Math.sign(proj(0)) ? 1 : -1;
      for (const r of [0, 1, 57, t.rows - 1]) expect(m.coords[r * 2 + j]).toBeCloseTo(sign * proj(r), 3);
    }
    const again = await api.embeddingMap({ runId, embedding: 'item_final', method: 'pca' });
    expect(again.cached).toBe(true);
    expect(again.coords).toEqual(m.coords);
  });

  it('colours items by category, cold/warm, dominant α and train popularity, from the demo files and the stored attention', async () => {
    const m = await api.embeddingMap({ runId, embedding: 'item_final' });
    const items = demoItems();
    expect(m.titles).toEqual(items.map((i) => i.title));
    // Categories most frequent first (ties by name); every item's index names its own category.
    const freq = new Map<string, number>();
    for (const i of items) freq.set(i.category, (freq.get(i.category) ?? 0) + 1);
    const expected = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20).map(([c]) => c);
    expect(m.categories).toEqual(expected);
    m.category!.forEach((q, r) => expect(q < m.categories.length ? m.categories[q] : 'other').toBe(expected.includes(items[r].category) ? items[r].category : 'other'));
    // Popularity and cold items from the cold-start split's train.json.
    const train = JSON.parse(fs.readFileSync(path.join(DEMO, '0-core/train.json'), 'utf8')) as Record<string, number[]>;
    const counts = new Array<number>(m.rows).fill(0);
    for (const list of Object.values(train)) for (const it of list) counts[it]++;
    expect(m.interactions).toEqual(counts);
    expect(m.cold).toEqual(counts.map((c) => c === 0));
    expect(m.cold!.filter(Boolean).length).toBeGreaterThan(0);
    // α: the argmax column of the stored attention and its value.
    const att = stored('attention', 'modality');
    expect(m.modalities).toEqual(att.columns);
    for (let r = 0; r < m.rows; r++) {
      const row = Array.from(att.data.subarray(r * att.cols, r * att.cols + att.cols));
      expect(m.dominant![r]).toBe(row.indexOf(Math.max(...row)));
      expect(m.alpha![r]).toBeCloseTo(Math.max(...row), 6);
    }
    expect(m.hasImage!.every(Boolean)).toBe(true);
  });

  it('UMAP: seeded and cached, and neighbours in the map are neighbours in the embedding space', async () => {
    const first = await api.embeddingMap({ runId, embedding: 'item_final', method: 'umap', nNeighbors: 10, minDist: 0.1, seed: 7 });
    expect(first).toMatchObject({ method: 'umap', cached: false, explained: null, params: { nNeighbors: 10, minDist: 0.1, seed: 7 } });
    const second = await api.embeddingMap({ runId, embedding: 'item_final', method: 'umap', nNeighbors: 10, minDist: 0.1, seed: 7 });
    expect(second.cached).toBe(true);
    expect(second.coords).toEqual(first.coords);
    const t = stored('embeddings', 'item_final');
    const n = t.rows;
    const norm = Array.from({ length: n }, (_, r) => Math.hypot(...t.data.subarray(r * t.cols, (r + 1) * t.cols)));
    const cos = (a: number, b: number) => t.data.subarray(a * t.cols, (a + 1) * t.cols).reduce((s, v, c) => s + v * t.data[b * t.cols + c], 0) / (norm[a] * norm[b]);
    const d2 = (a: number, b: number) => (first.coords[2 * a] - first.coords[2 * b]) ** 2 + (first.coords[2 * a + 1] - first.coords[2 * b + 1]) ** 2;
    // For each point: how many of its 10 nearest map neighbours are among its 20 nearest (cosine) in the table.
    let hits = 0;
    for (let a = 0; a < n; a++) {
      const others = Array.from({ length: n }, (_, b) => b).filter((b) => b !== a);
      const high = new Set([...others].sort((x, y) => cos(a, y) - cos(a, x)).slice(0, 20));
      hits += [...others].sort((x, y) => d2(a, x) - d2(a, y)).slice(0, 10).filter((b) => high.has(b)).length;
    }
    // A random layout would score 20 / 399 ≈ 5 %.
    expect(hits / (10 * n)).toBeGreaterThan(0.3);
    const other = await api.embeddingMap({ runId, embedding: 'item_final', method: 'umap', nNeighbors: 10, minDist: 0.1, seed: 8 });
    expect(other.cached).toBe(false);
    expect(other.coords).not.toEqual(first.coords);
  }, 120_000);

  it('user_final: the user side, coloured by train interactions per user', async () => {
    const m = await api.embeddingMap({ runId, embedding: 'user_final' });
    const train = JSON.parse(fs.readFileSync(path.join(DEMO, '0-core/train.json'), 'utf8')) as Record<string, number[]>;
    expect(m).toMatchObject({ side: 'user', titles: null, cold: null, dominant: null, category: null });
    expect(m.interactions).toEqual(m.ids.map((u) => train[String(u)]?.length ?? 0));
  });

  it('sample: a seeded subset of rows, projected on its own', async () => {
    const m = await api.embeddingMap({ runId, embedding: 'item_final', sample: 50, seed: 3 });
    expect(m.ids).toHaveLength(50);
    expect(new Set(m.ids).size).toBe(50);
    expect([...m.ids].sort((a, b) => a - b)).toEqual(m.ids);
    const t = stored('embeddings', 'item_final');
    const sub = Float32Array.from(m.ids.flatMap((r) => Array.from(t.data.subarray(r * t.cols, (r + 1) * t.cols))));
    const { values } = jacobi(covarianceOf(sub, 50, t.cols).cov);
    expect(m.explained![0]).toBeCloseTo(values[0] / values.reduce((s, v) => s + v, 0), 6);
    expect(m.titles![0]).toBe(demoItems()[m.ids[0]].title);
    expect((await api.embeddingMap({ runId, embedding: 'item_final', sample: 50, seed: 3 })).ids).toEqual(m.ids);
  });

  it('errors name the field: an unknown table, a model without embeddings, bad parameters', async () => {
    await expect(api.embeddingMap({ runId, embedding: 'nope' })).rejects.toThrow(/^embedding: run \d+ has no "nope" table \(has: .*item_final/);
    const pop = await api.startRun({ dataset: 'demo-cold', model: 'popularity' });
    await finished(service, pop.runId);
    await expect(api.embeddingMap({ runId: pop.runId })).rejects.toThrow(/has no embeddings: its model stores none/);
    await expect(api.embeddingMap({ runId, nNeighbors: 1 })).rejects.toThrow(/^nNeighbors: expected an integer between 2 and 100$/);
    await expect(api.embeddingMap({ runId, method: 'tsne' as 'pca' })).rejects.toThrow(/^method: expected one of pca, umap$/);
  });
});
