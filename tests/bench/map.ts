// `npm run bench -- --sections map`: the explorer, embedding map and user view at TikTok size
// through the in-process service (the code path of the app, the CLI and browser mode), on a
// synthetic run written into a temporary store: 6,710 items, 9,308 users, ~59.5k train
// interactions, 64-d item/user embeddings, α over two modalities, neighbour lists (k = 10;
// combined 20) with weights, an items file with titles and 20 categories. Prints median ms.
//   node --import tsx tests/bench/map.ts [--repeats 15]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkbenchService } from '../../src/main/api';
import { writeNpy } from '../../src/main/engine/data';
import { createRng } from '../../src/main/engine/data/random';
import { NEIGHBOUR_STAGES } from '../../src/shared/api';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '15' } } });
const REPEATS = Math.max(3, Number(values.repeats));
const ITEMS = 6710;
const USERS = 9308;
const TRAIN = 59_541;
const DIM = 64;
const K = 10;

const rng = createRng(11);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-bench-map-'));

/** A LATTICE folder of TikTok's shape (popularity skewed like real data: Zipf-ish item draws). */
function writeDataset(root: string): void {
  const train: Record<string, number[]> = {};
  const val: Record<string, number[]> = {};
  const test: Record<string, number[]> = {};
  const per = new Int32Array(USERS).fill(1);
  for (let r = USERS; r < TRAIN; r++) per[rng.int(USERS)]++;
  const draw = () => Math.min(ITEMS - 1, Math.floor(ITEMS * rng.next() ** 2.5));
  for (let u = 0; u < USERS; u++) {
    const s = new Set<number>();
    while (s.size < per[u] + 2) s.add(draw());
    const list = [...s];
    val[u] = [list.pop()!];
    test[u] = [list.pop()!];
    train[u] = list.sort((a, b) => a - b);
  }
  fs.mkdirSync(path.join(root, '5-core'), { recursive: true });
  for (const [name, v] of Object.entries({ train, val, test })) fs.writeFileSync(path.join(root, '5-core', `${name}.json`), JSON.stringify(v));
  for (const m of ['visual', 'textual']) writeNpy(path.join(root, `${m}_feat.npy`), Float32Array.from({ length: ITEMS * 16 }, () => rng.normal()), [ITEMS, 16], 'float32');
  fs.writeFileSync(path.join(root, 'micro.json'), JSON.stringify({ name: 'tiktok-shaped', layout: 'lattice', modalities: [{ name: 'visual', file: 'visual_feat.npy' }, { name: 'textual', file: 'textual_feat.npy' }] }));
  const rows = ['item,title,category,season'];
  for (let i = 0; i < ITEMS; i++) rows.push(`${i},Synthetic clip ${i},Category ${i % 20},s${i % 4}`);
  fs.writeFileSync(path.join(root, 'items.csv'), `${rows.join('\n')}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn: (i: number) => Promise<unknown>, n = REPEATS): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'cli' });
try {
  writeDataset(path.join(dir, 'data'));
  const api = service.api();
  const ds = await api.importDataset({ path: path.join(dir, 'data'), name: 'tiktok-shaped' });
  const store = service.store;
  const runId = store.createRun({ model: 'micro', datasetId: ds.id }).id;
  store.startRun(runId);
  const emb = (rows: number) => Float32Array.from({ length: rows * DIM }, () => rng.normal());
  for (const [name, rows] of [['item_final', ITEMS], ['user_final', USERS], ['h_item', ITEMS], ['h_user', USERS]] as const)
    store.putArtifact(runId, { kind: 'embeddings', name, format: 'f32', payload: emb(rows), shape: [rows, DIM] });
  const alpha = new Float32Array(ITEMS * 2);
  for (let i = 0; i < ITEMS; i++) {
    alpha[2 * i] = rng.next();
    alpha[2 * i + 1] = 1 - alpha[2 * i];
  }
  store.putArtifact(runId, { kind: 'attention', name: 'modality', format: 'f32', payload: alpha, shape: [ITEMS, 2], meta: { columns: ['visual', 'textual'] } });
  for (const m of ['visual', 'textual'])
    for (const stage of NEIGHBOUR_STAGES) {
      const k = stage === 'combined' ? 2 * K : K;
      const idx = Int32Array.from({ length: ITEMS * k }, () => rng.int(ITEMS));
      store.putNeighbours(runId, { modality: m, stage, payload: idx, shape: [ITEMS, k], format: 'i32', meta: { k } });
      store.putArtifact(runId, { kind: 'neighbour-weights', name: `${m}/${stage}`, format: 'f32', payload: Float32Array.from({ length: ITEMS * k }, () => rng.next() / 10), shape: [ITEMS, k] });
    }
  store.finishRun(runId, 'completed');

  // The dataset index loads once per dataset (in a task worker) and is cached: time it apart.
  const t0 = performance.now();
  await api.itemNeighbours({ runId, item: 0 });
  const firstIndexMs = performance.now() - t0;

  const rows: [string, string][] = [];
  const pcaFirst = await time(() => api.embeddingMap({ runId, embedding: 'item_final', method: 'pca' }), 1);
  rows.push(['embeddingMap item_final PCA, first call (projection computed)', pcaFirst.toFixed(0)]);
  rows.push(['embeddingMap item_final PCA, cached projection', (await time(() => api.embeddingMap({ runId, embedding: 'item_final', method: 'pca' }))).toFixed(0)]);
  rows.push(['embeddingMap user_final PCA, first call', (await time(() => api.embeddingMap({ runId, embedding: 'user_final', method: 'pca' }), 1)).toFixed(0)]);
  const umapFirst = await time(() => api.embeddingMap({ runId, embedding: 'item_final', method: 'umap' }), 1);
  rows.push(['embeddingMap item_final UMAP, first call (task worker)', umapFirst.toFixed(0)]);
  rows.push(['embeddingMap item_final UMAP, cached', (await time(() => api.embeddingMap({ runId, embedding: 'item_final', method: 'umap' }))).toFixed(0)]);
  rows.push(['itemNeighbours (combined, both modalities)', (await time((i) => api.itemNeighbours({ runId, item: (i * 397) % ITEMS }))).toFixed(0)]);
  rows.push(['userView (top 10, explanations, score parts)', (await time((i) => api.userView({ runId, user: (i * 613) % USERS, k: 10 }))).toFixed(0)]);

  console.log(`## Explorer, embedding map and user view at TikTok size (synthetic run: ${ITEMS.toLocaleString('en')} items, ${USERS.toLocaleString('en')} users, ${DIM}-d)`);
  console.log(`In-process service calls, median of ${REPEATS} (first calls: one). Target < 300 ms. The dataset index loaded once in ${firstIndexMs.toFixed(0)} ms (task worker, cached per dataset).\n`);
  console.log('| call | median ms |');
  console.log('|---|---|');
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms} |`);
  console.log('');
} finally {
  await service.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
