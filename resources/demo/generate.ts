// Deterministic generator of the embedded synthetic demo dataset (LATTICE layout).
//
//   node --import tsx resources/demo/generate.ts [outDir]
//
// Planted structure (so that item-item graphs built from features help):
// - 400 items in 20 latent topics; topics come in 5 coarse groups of 4.
// - visual (32-d)  = coarse-group centroid (strong) + topic offset (weak) + a topic-unrelated
//                    "style" component + noise: reliable about the group, vague about the topic.
// - textual (48-d) = topic centroid + heavier noise; 12% of items carry the centroid of a random
//                    other topic (mislabelled text): sharp about the topic, but sometimes wrong.
//   The two modalities are complementary; neither alone recovers topics perfectly.
// - 600 users with 1-3 preferred topics; ~85% of interactions fall in preferred topics, chosen
//   with a log-normal item popularity skew; the rest are popularity-driven across all items.
// Splits: warm (5-core/, the MICRO per-user rule) and cold-start (0-core/, 20% of items held
// out: their interactions are only in val/test, so they are reachable only via features).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldSplit, warmSplit } from '../../src/main/engine/data/splits';
import { saveLatticeDataset } from '../../src/main/engine/data/index';
import { makeDataset } from '../../src/main/engine/data/dataset';
import { userItemsFromLists } from '../../src/main/engine/data/csr';
import { createRng, type Rng } from '../../src/main/engine/data/random';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/main/engine/data/npy';
import type { Dataset, Modality, UserItems } from '../../src/main/engine/types';
import { writeDemoMetadata } from './metadata';

export const DEMO_SEED = 20240607;
export const DEMO_SPLIT_SEED = 123;

export interface DemoConfig {
  seed: number;
  nUsers: number;
  nItems: number;
  nTopics: number;
  nGroups: number;
  visualDim: number;
  textualDim: number;
}

export const DEMO_CONFIG: DemoConfig = {
  seed: DEMO_SEED,
  nUsers: 600,
  nItems: 400,
  nTopics: 20,
  nGroups: 5,
  visualDim: 32,
  textualDim: 48,
};

export interface DemoData {
  config: DemoConfig;
  /** Latent topic of each item. */
  itemTopic: Int32Array;
  /** Topic the item's text describes (≠ itemTopic for the ~12% mislabelled texts). */
  itemTextTopic: Int32Array;
  /** Topic-unrelated visual "style" component of each item (0..3). */
  itemStyle: Int32Array;
  /** All interactions (before splitting). */
  all: UserItems;
  modalities: Modality[];
}

function gaussianMatrix(rng: Rng, rows: number, dim: number, scale: number): Float32Array {
  const m = new Float32Array(rows * dim);
  for (let k = 0; k < m.length; k++) m[k] = rng.normal() * scale;
  return m;
}

function pickWeighted(rng: Rng, cum: Float64Array): number {
  const r = rng.next() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumsum(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
}

/** Generate the demo interactions and features (deterministic for a config). */
export function generateDemoData(config: DemoConfig = DEMO_CONFIG): DemoData {
  const rng = createRng(config.seed);
  const { nUsers, nItems, nTopics, nGroups, visualDim, textualDim } = config;
  const groupOf = (t: number) => t % nGroups;

  // Items: balanced topics, shuffled ids, log-normal popularity.
  const itemTopic = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) itemTopic[i] = i % nTopics;
  rng.shuffle(itemTopic);
  const pop = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) pop[i] = Math.exp(0.9 * rng.normal());
  const topicItems: number[][] = Array.from({ length: nTopics }, () => []);
  for (let i = 0; i < nItems; i++) topicItems[itemTopic[i]].push(i);
  const topicCum = topicItems.map((items) => cumsum(items.map((i) => pop[i])));
  const globalCum = cumsum(pop);

  // Features.
  const groupCentroidV = gaussianMatrix(rng, nGroups, visualDim, 1.0);
  const topicOffsetV = gaussianMatrix(rng, nTopics, visualDim, 0.45);
  const nStyles = 4;
  const styleV = gaussianMatrix(rng, nStyles, visualDim, 0.6);
  const topicCentroidT = gaussianMatrix(rng, nTopics, textualDim, 1.0);
  const visual = new Float32Array(nItems * visualDim);
  const textual = new Float32Array(nItems * textualDim);
  // Recorded for the metadata (titles, thumbnails); recording draws nothing from the stream.
  const itemTextTopic = new Int32Array(nItems);
  const itemStyle = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const t = itemTopic[i];
    const g = groupOf(t);
    const style = rng.int(nStyles);
    itemStyle[i] = style;
    for (let d = 0; d < visualDim; d++) {
      visual[i * visualDim + d] =
        groupCentroidV[g * visualDim + d] + topicOffsetV[t * visualDim + d] + styleV[style * visualDim + d] + 0.45 * rng.normal();
    }
    const textTopic = rng.next() < 0.12 ? rng.int(nTopics) : t;
    itemTextTopic[i] = textTopic;
    for (let d = 0; d < textualDim; d++) {
      textual[i * textualDim + d] = topicCentroidT[textTopic * textualDim + d] + 0.8 * rng.normal();
    }
  }

  // Users.
  const lists: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const r = rng.next();
    const k = r < 0.3 ? 1 : r < 0.75 ? 2 : 3;
    const prefs: number[] = [];
    while (prefs.length < k) {
      const t = rng.int(nTopics);
      if (!prefs.includes(t)) prefs.push(t);
    }
    const prefCum = cumsum(prefs.map(() => 0.3 + rng.next()));
    const n = Math.min(60, 6 + Math.floor(Math.exp(2.2 + 0.6 * rng.normal())));
    const chosen = new Set<number>();
    let guard = 0;
    while (chosen.size < n && guard++ < 20 * n) {
      let item: number;
      if (rng.next() < 0.85) {
        const t = prefs[pickWeighted(rng, prefCum)];
        item = topicItems[t][pickWeighted(rng, topicCum[t])];
      } else {
        item = pickWeighted(rng, globalCum);
      }
      chosen.add(item);
    }
    lists.push([...chosen]);
  }
  const all = userItemsFromLists(nUsers, lists);
  const modalities: Modality[] = [
    { name: 'visual', dim: visualDim, features: visual },
    { name: 'textual', dim: textualDim, features: textual },
  ];
  return { config, itemTopic, itemTextTopic, itemStyle, all, modalities };
}

/** Round features through float16 so in-memory data equals what the .npy files hold. */
function roundToFloat16(m: Modality): Modality {
  const f = new Float32Array(m.features.length);
  for (let k = 0; k < f.length; k++) f[k] = float16BitsToNumber(numberToFloat16Bits(m.features[k]));
  return { ...m, features: f };
}

export interface DemoDatasets {
  data: DemoData;
  warm: Dataset;
  cold: Dataset;
}

/** Build the warm and cold demo datasets in memory. */
export function buildDemoDatasets(config: DemoConfig = DEMO_CONFIG): DemoDatasets {
  const data = generateDemoData(config);
  const modalities = data.modalities.map(roundToFloat16);
  const { nUsers, nItems } = config;
  const warmS = warmSplit(data.all, DEMO_SPLIT_SEED);
  const coldS = coldSplit(data.all, nItems, DEMO_SPLIT_SEED);
  const base = { layout: 'lattice' as const, sourcePaths: [], nUsers, nItems, modalities };
  const warm = makeDataset({ ...base, name: 'demo', setting: 'warm', ...warmS });
  const cold = makeDataset({
    ...base,
    name: 'demo',
    setting: 'cold',
    train: coldS.train,
    val: coldS.val,
    test: coldS.test,
  });
  return { data, warm, cold };
}

/** Write resources/demo (or outDir): 5-core/, 0-core/, float16 features, micro.json. */
export function writeDemo(outDir: string, config: DemoConfig = DEMO_CONFIG): DemoDatasets {
  const d = buildDemoDatasets(config);
  fs.mkdirSync(outDir, { recursive: true });
  saveLatticeDataset(d.warm, outDir, { splitDir: '5-core', featureDtype: 'float16', manifest: false });
  saveLatticeDataset(d.cold, outDir, { splitDir: '0-core', featureDtype: 'float16', writeFeatures: false, manifest: false });
  const manifest = {
    name: 'demo',
    description: 'Synthetic MICRO Workbench demo dataset (see README.md). Warm split in 5-core/, cold-start split in 0-core/.',
    layout: 'lattice',
    modalities: d.warm.modalities.map((m) => ({ name: m.name, file: `${m.name}_feat.npy` })),
  };
  fs.writeFileSync(path.join(outDir, 'micro.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeDemoMetadata(outDir, d.data);
  return d;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = path.resolve(process.argv[2] ?? here);
  const d = writeDemo(out);
  const count = (ui: UserItems) => ui.indptr[ui.nUsers];
  console.log(
    `demo dataset written to ${out}: ${d.warm.nUsers} users, ${d.warm.nItems} items, ${count(d.data.all)} interactions`,
  );
  console.log(`  warm: train ${count(d.warm.train)}, val ${count(d.warm.val)}, test ${count(d.warm.test)}  fingerprint ${d.warm.fingerprint.slice(0, 16)}`);
  console.log(`  cold: train ${count(d.cold.train)}, val ${count(d.cold.val)}, test ${count(d.cold.test)}  fingerprint ${d.cold.fingerprint.slice(0, 16)}`);
}
