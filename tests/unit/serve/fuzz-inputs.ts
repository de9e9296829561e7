// Inputs for the API fuzz: a plausible template per method (so that calls get past validation
// and into the handlers), then one hostile mutation. Guards keep the fuzz from deleting the
// seeded data, from writing outside its temporary folder and from reading hostile paths (/dev,
// /proc, FIFOs: another test's job); it only uses paths that fail or finish quickly.
import fs from 'node:fs';
import path from 'node:path';
import { MODEL_KINDS } from '../../../src/main/engine/registry';
import { EXPORT_FORMATS, EXPORT_WHATS, LAYOUTS, NEIGHBOUR_STAGES, PRESETS, RUN_SORT_KEYS, RUN_STATUSES, SETTINGS, SPLIT_MODES } from '../../../src/shared/api';

/** Models by name (the contract no longer lists them; an unknown one is part of the fuzz). */
const MODELS = [...MODEL_KINDS, 'bert4rec'];

export interface FuzzContext {
  dataset: string;
  datasetId: number;
  /** Finished runs seeded before the fuzz: MICRO (1 epoch) and Popularity. */
  runIds: number[];
  dir: string;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

const WEIRD_STRINGS = ['', ' ', '\u0000', 'NaN', 'Infinity', '-1', '1e999', '0x10', ' 1 ', '☃', '\ud800', '💥'.repeat(500), 'a'.repeat(5000), 'a'.repeat(200_000), '%00', '../../../../nowhere', '<script>alert(1)</script>', "'; DROP TABLE runs; --", 'null', 'true', '__proto__', 'constructor', 'ǅ\u202e\u200b'];
const WEIRD_VALUES: (() => unknown)[] = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -1,
  () => -0,
  () => 1.5,
  () => 1e308,
  () => -1e308,
  () => 2 ** 53 + 2,
  () => Number.MAX_SAFE_INTEGER,
  () => 5e-324,
  () => [],
  () => [1, 2, 3],
  () => ['a', null, {}],
  () => ({}),
  () => ({ nested: { deeper: [1, { x: 'y' }] } }),
  () => nested(3000, 1, false),
  () => nested(2000, 'x', true),
  () => Array.from({ length: 50_000 }, (_, i) => i),
];

/** One hostile JSON value. */
export function weird(rng: () => number): unknown {
  return rng() < 0.45 ? pick(rng, WEIRD_STRINGS) : pick(rng, WEIRD_VALUES)();
}

let outCounter = 0;

function templates(rng: () => number, c: FuzzContext): Record<string, () => unknown> {
  const ref = () => pick(rng, [c.dataset, c.datasetId, 'no-such-dataset', 4242, ` ${c.dataset} `]);
  const runId = () => pick(rng, [...c.runIds, ...c.runIds, 999, 2 ** 31]);
  const item = () => pick(rng, [0, 7, 399, 400, 10 ** 9]);
  const importPaths = ['/nonexistent/micro-fuzz', 'relative/garbage/../nowhere', 'no-such-dir-☃', path.join(c.dir, 'empty'), path.join(c.dir, 'junk'), path.join(c.dir, 'junk', 'train.json'), path.join(c.dir, 'junk', 'notes.txt')];
  const name = () => pick(rng, [undefined, 'fuzz', 'ünïcødé 名前', 'x'.repeat(200), 'a/b\\c', `fuzz-${Math.floor(rng() * 1e6)}`]);
  const overrides = () => pick(rng, [{}, { epochs: 1 }, { epochs: 1e9 }, { epochs: -3 }, { lr: 'NaN' }, { batchSize: 0 }, { nope: 1 }, { k: 1e6 }, { modalities: ['nope'] }, { embeddingSize: 2 ** 40 }]);
  return {
    appInfo: () => undefined,
    listDatasets: () => pick(rng, [undefined, {}]),
    modelOptions: () => undefined,
    doctor: () => ({ seconds: 0.1 }),
    activeRuns: () => undefined,
    listTasks: () => pick(rng, [undefined, {}]),
    importDataset: () => ({ path: pick(rng, importPaths), name: name(), layout: pick(rng, LAYOUTS), setting: pick(rng, [...SETTINGS, undefined]) }),
    datasetInfo: () => ({ dataset: ref() }),
    splitDataset: () => ({ dataset: ref(), mode: pick(rng, [...SPLIT_MODES, 'sideways']), name: name(), out: path.join(c.dir, 'splits', `s${outCounter++}`), seed: pick(rng, [1, 0]) }),
    diagnoseDataset: () => ({ dataset: ref(), ks: pick(rng, [[5], [1, 2], [], [0], [10 ** 9], Array.from({ length: 11 }, (_, i) => i + 1)]) }),
    deleteDataset: () => ({ dataset: pick(rng, ['no-such-dataset', 4242]) }),
    validateRun: () => ({ dataset: ref(), model: pick(rng, MODELS), preset: pick(rng, PRESETS), seed: 1, modelOverrides: overrides(), trainOverrides: overrides() }),
    startRun: () => ({ dataset: ref(), model: pick(rng, MODELS), preset: pick(rng, PRESETS), trainOverrides: pick(rng, [{ epochs: 1 }, { epochs: 0 }, { epochs: 'x' }, { epochs: 1, batchSize: -1 }]), modelOverrides: overrides() }),
    listRuns: () => ({ status: [pick(rng, RUN_STATUSES)], model: [pick(rng, MODELS)], datasetId: pick(rng, [c.datasetId, 4242]), search: pick(rng, ['', 'micro', '%', '_', "'"]), sortBy: pick(rng, RUN_SORT_KEYS), order: pick(rng, ['asc', 'desc']) }),
    getRun: () => ({ runId: runId() }),
    cancelRun: () => ({ runId: runId() }),
    resumeRun: () => ({ runId: runId() }),
    deleteRun: () => ({ runId: pick(rng, [999, 4242]) }),
    renameRun: () => ({ runId: runId(), name: pick(rng, ['renamed', 'ünïcødé', 'x'.repeat(200)]) }),
    compareRuns: () => ({ runIds: pick(rng, [c.runIds, [c.runIds[0], c.runIds[0]], [999], [...c.runIds, 999]]) }),
    runPage: () => ({ runId: runId() }),
    setRunTags: () => ({ runId: runId(), tags: pick(rng, [['a', 'b'], [], ['x'.repeat(41)], ['<script>'], ['ünïcødé', ' a ']]) }),
    setRunNotes: () => ({ runId: runId(), notes: pick(rng, ['', 'note', "'; DROP TABLE runs; --", 'x'.repeat(10_001)]) }),
    compareTable: () => ({ runIds: pick(rng, [c.runIds, [c.runIds[0], c.runIds[0]], [999], [...c.runIds, 999]]) }),
    itemNeighbours: () => ({ runId: runId(), item: item(), modality: pick(rng, [undefined, 'visual', 'textual', 'nope']), stage: pick(rng, NEIGHBOUR_STAGES) }),
    itemAttention: () => ({ runId: runId(), item: item() }),
    itemGraphDiff: () => ({ runId: runId(), item: item() }),
    attentionDistribution: () => ({ runId: runId(), bins: pick(rng, [2, 20, 100]), tail: pick(rng, [undefined, 0, 5, 50]) }),
    userView: () => ({ runId: runId(), user: pick(rng, [0, 5, 10 ** 9]), k: pick(rng, [1, 10, 100]) }),
    exportRun: () => ({ runId: runId(), what: pick(rng, EXPORT_WHATS), format: pick(rng, EXPORT_FORMATS), embedding: pick(rng, [undefined, 'item_final', 'user_final', 'h_visual', 'nope']) }),
    cancelTask: () => ({ taskId: pick(rng, [1, 2, 999]) }),
    searchItems: () => ({ dataset: ref(), query: pick(rng, ['', 'rye', '"', 'a AND b*', 'NEAR(x', 'ünïcødé']), limit: pick(rng, [1, 50, 1000]) }),
    itemImage: () => ({ dataset: ref(), item: item() }),
    createStudy: () => ({ kind: pick(rng, ['ablation', 'sweep', 'modalities', 'coldstart', 'compare', 'grid']), dataset: ref(), seeds: pick(rng, [1, 3, 0, 21]), epochs: pick(rng, [undefined, 1, 0]), param: pick(rng, [undefined, 'topK', 'lambda', 'nope']), values: pick(rng, [undefined, [0, 10], [], ['x'], [0.5, 0.9]]), models: pick(rng, [undefined, ['micro', 'popularity'], ['bert4rec'], []]), modelOverrides: overrides(), trainOverrides: pick(rng, [{}, { epochs: 1 }, { nope: 1 }]) }),
    startStudy: () => ({ studyId: pick(rng, [1, 999, 2 ** 31]), parallel: pick(rng, [1, 8, 0, 9]) }),
    cancelStudy: () => ({ studyId: pick(rng, [1, 999]) }),
    listStudies: () => pick(rng, [undefined, {}]),
    getStudy: () => ({ studyId: pick(rng, [1, 999]) }),
    studyTable: () => ({ studyId: pick(rng, [1, 999]), metric: pick(rng, [undefined, 'recall@20', 'ndcg@10', 'recall', 'auc@20', 'hit@0']), split: pick(rng, ['val', 'test', 'train']) }),
    embeddingMap: () => ({ runId: runId(), embedding: pick(rng, [undefined, 'item_final', 'user_final', 'h_visual', 'nope']), method: pick(rng, ['pca', 'pca', 'umap']), nNeighbors: pick(rng, [undefined, 2, 15]), minDist: pick(rng, [undefined, 0, 0.5]), sample: pick(rng, [undefined, 10, 50]) }),
  };
}

/** Keep the fuzz from destroying its own baseline or touching paths outside its remit. */
function guard(method: string, input: unknown, c: FuzzContext): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const o = { ...(input as Record<string, unknown>) };
  if (method === 'deleteRun' && typeof o.runId === 'number' && c.runIds.includes(o.runId)) o.runId = 4242;
  // A started study would train its cells: only ever start one that does not exist.
  if (method === 'startStudy') o.studyId = 4242;
  if (method === 'deleteDataset') {
    const d = o.dataset;
    if (d === c.datasetId || (typeof d === 'string' && d.trim() === c.dataset)) o.dataset = 'no-such-dataset';
  }
  // importDataset: a string path is used only when it does not exist or is one of ours (quick today).
  if (method === 'importDataset' && typeof o.path === 'string' && !o.path.startsWith(c.dir) && fs.existsSync(path.resolve(o.path))) o.path = '/nonexistent/micro-fuzz';
  if (method === 'splitDataset') {
    // Splits are written only into fresh folders of our own.
    if (typeof o.out === 'string' && !o.out.startsWith(path.join(c.dir, 'splits'))) o.out = path.join(c.dir, 'splits', `s${outCounter++}`);
    // A name of dots only would put the default split folder at or above the store's (see the report).
    if (typeof o.name === 'string' && /^[\s.]*$/.test(o.name) && o.name.trim()) o.name = 'dots';
  }
  return o;
}

/** A template input for `method` with one hostile mutation. */
export function inputFor(rng: () => number, method: string, c: FuzzContext): unknown {
  const t = templates(rng, c)[method];
  if (!t) throw new Error(`fuzz: no template for API method ${method} (add one)`);
  const base = t();
  const r = rng();
  // 30% the template as is (mostly valid: reaches the handler), else one mutation.
  if (r < 0.3) return guard(method, base, c);
  if (r >= 0.85) return weird(rng);
  const o = { ...((base ?? {}) as Record<string, unknown>) };
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  if (r < 0.6 && keys.length) o[pick(rng, keys)] = weird(rng);
  else if (r < 0.7 && keys.length) delete o[pick(rng, keys)];
  // An own key (plain assignment to __proto__ would set the prototype and vanish from the JSON).
  else Object.defineProperty(o, pick(rng, ['extra', '__proto__', 'constructor', 'toString', '名前']), { value: weird(rng), enumerable: true, configurable: true, writable: true });
  return guard(method, o, c);
}
