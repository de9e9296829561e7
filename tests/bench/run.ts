// `npm run bench`: MICRO training cost on this machine. Prints three tables:
//  1. TikTok (real ../shared/data/tiktok when present, else generated of the same shape): seconds
//     per epoch for each preset × contrastive mode, validation pass time, peak RSS.
//  2. Clothing-shaped generated set (23,033 items, 39,387 users, 197k train, 4,096-d + 1,024-d):
//     seconds per epoch per preset × mode, peak RSS (target < 3 GB).
//  3. kNN graph build (TF.js matMul tiles) at N = 23k × 4096-d and N = 100k × 128-d.
//  4. map: explorer, embedding map (PCA, UMAP) and user view calls at TikTok size (tests/bench/map.ts).
//  5. study: a 3-seed ablation on the demo through the study queue, and one cell's overhead (tests/bench/study.ts).
// First a calibration line (wasm matMul GFLOP/s, memory-copy GB/s) so that figures from two
// machines can be put side by side. TikTok epochs are timed WHOLE (every batch of one epoch) and,
// next to that, EXTRAPOLATED from a few batches: one first batch (it rebuilds the learned graphs,
// as every epoch's first batch does) + a warm-up batch + a few timed batches; epoch = first +
// (batches − 1) × mean. Clothing epochs are extrapolated only (--whole clothing also times them).
// Each section runs in a child process so its peak RSS is its own.
//   node --import tsx tests/bench/run.ts [--sections tiktok,clothing,knn,map,study] [--batches 3]
//        [--whole tiktok|all|none]  which datasets get whole epochs timed (default tiktok)
//        [--reference]   also time the reference (TF.js + JS) contrastive core on TikTok (slow)
//        [--json FILE]   also write the raw measurements
//        [--official DIR] first time one epoch of the official PyTorch code (a checkout of
//                         CRIPAC-DIG/MICRO; tests/bench/official.ts) on this machine, and give
//                         each TikTok epoch as a multiple of it
//        [--backend NAME] TF.js backend of every section (MICRO_BACKEND); on a software WebGPU
//                         adapter (llvmpipe) the figures are a smoke test, not GPU speed
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MICRO_PRESETS } from '../../src/main/engine/models/micro/config';
import { contrastiveMacs } from '../../src/main/engine/kernels/contrastive/plan';
import { chooseKernels, describeKernels } from '../../src/main/engine/kernels/choice';
import { calibrationLine } from './calibration';
import { timeOfficial } from './official';
import type { Calibration, EpochConfig, EpochMeasurement, KnnMeasurement, SectionSpec } from './section';

const { values } = parseArgs({
  options: {
    sections: { type: 'string', default: 'tiktok,clothing,knn,map,study' },
    batches: { type: 'string', default: '3' },
    reference: { type: 'boolean', default: false },
    json: { type: 'string' },
    backend: { type: 'string' },
    whole: { type: 'string', default: 'tiktok' },
    official: { type: 'string' },
  },
});
if (values.backend) process.env.MICRO_BACKEND = values.backend; // inherited by every section's child
const sections = new Set(values.sections.split(','));
const batches = Math.max(1, Number(values.batches));
const sectionScript = path.join(import.meta.dirname, 'section.ts');
const raw: unknown[] = [];

/** For webgpu: the adapter, and whether the figures are a smoke test (software adapter). */
async function backendLabel(): Promise<string> {
  if ((values.backend ?? process.env.MICRO_BACKEND) !== 'webgpu') return '';
  const { probeWebgpuAdapter } = await import('../../src/main/engine/backend');
  try {
    const a = await probeWebgpuAdapter();
    return ` — adapter ${a.vendor} / ${a.architecture} / ${a.description}${a.software ? ' — SOFTWARE ADAPTER: SMOKE FIGURES, NOT GPU SPEED' : ''}`;
  } catch (e) {
    return ` — no adapter (${(e as Error).message})`;
  }
}

/** Runs one section in a child process and returns its BENCH_RESULT. */
function runSection<T>(spec: SectionSpec, env: Record<string, string> = {}): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', sectionScript, JSON.stringify(spec)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (r.status !== 0 || !line) throw new Error(`bench section failed (${JSON.stringify(spec)}):\n${r.stderr || r.stdout}`);
  const out = JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
  raw.push({ spec, out });
  return out;
}

const f1 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
const mb = (x: number) => `${Math.round(x)} MB`;

function table(head: string[], rows: (string | number)[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

function configs(validate: boolean, whole: boolean): EpochConfig[] {
  const out: EpochConfig[] = [];
  for (const preset of ['paper', 'reference'] as const)
    for (const mode of ['exact', 'sampled'] as const) out.push({ preset, mode, batches: mode === 'sampled' ? batches + 2 : batches, validate, whole });
  return out;
}
const wholeFor = (dataset: 'tiktok' | 'clothing') => values.whole === 'all' || values.whole === dataset;

function epochRows(runs: EpochMeasurement[], withRss: boolean): (string | number)[][] {
  return runs.map((r) => [
    r.preset,
    r.mode === 'sampled' ? `sampled (${r.sampledAnchors} anchors)` : r.mode,
    f2(r.batchS),
    f1(r.firstBatchS),
    r.batchesPerEpoch,
    f1(r.wholeEpochS),
    f1(r.epochS),
    ...(withRss ? [f1(r.valS), mb(r.maxRssMB)] : []),
  ]);
}

console.log(`# MICRO bench — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const cal = runSection<Calibration>({ kind: 'calibrate', seconds: 2 });
console.log(calibrationLine(cal));
{
  const k = chooseKernels(); // MICRO_KERNELS, inherited by each section's child
  console.log(`contrastive-loss kernels: ${describeKernels(k)}${k.reason ? ` (native not used: ${k.reason})` : ''}`);
}
console.log(`contrastive helper threads: ${process.env.MICRO_CONTRASTIVE_THREADS ?? 'default (2)'}; "whole" = every batch of one epoch timed; "extrapolated" = first + warm-up batch, then ${batches} timed batches (${batches + 2} in sampled mode) × batches/epoch.`);
console.log(`default sampled anchors: ${MICRO_PRESETS.paper.sampledAnchors}`);
console.log(`backend: ${values.backend ?? process.env.MICRO_BACKEND ?? 'auto'}${await backendLabel()}\n`);
let officialS: number | undefined;
if (values.official) {
  const [s] = await timeOfficial({ repo: values.official });
  officialS = s;
  console.log(`official MICRO code (PyTorch, CPU) on this machine: ${f1(s)} s per TikTok epoch (training only, one epoch, just before our sections)\n`);
}

if (sections.has('tiktok')) {
  const runs: EpochMeasurement[] = [];
  for (const c of configs(true, wholeFor('tiktok'))) runs.push(...runSection<{ runs: EpochMeasurement[] }>({ kind: 'epoch', dataset: 'tiktok', configs: [c] }).runs);
  const d = runs[0];
  console.log(`## 1. TikTok (${d.real ? 'real data, ../shared/data/tiktok' : 'generated, same shape'}): 6,710 items, 9,308 users, 59,541 train, image + audio 128-d`);
  console.log('Target: exact ≥ 5× and sampled ≥ 20× faster than the official PyTorch code on the same machine (--official DIR measures it here; from outside: 179-211 s/epoch on a 2-core AMD EPYC, 2026-12-01).\n');
  const head = ['preset', 'contrastive', 's/batch', 'first batch s', 'batches/epoch', 's/epoch (whole)', 's/epoch (extrapolated)', 'validation s', 'peak RSS'];
  const rows = epochRows(runs, true);
  if (officialS !== undefined) {
    head.push('× official (whole)');
    rows.forEach((row, i) => row.push(runs[i].wholeEpochS ? `${f1(officialS! / runs[i].wholeEpochS!)}×` : '-'));
  }
  table(head, rows);
  // What the machine allows: the exact loss's multiply-adds (one call per modality and batch) at
  // the two-thread SIMD peak of the calibration line.
  // The floor of the kernels training used (chooseKernels: native when built, else wasm).
  const native = chooseKernels().kind === 'native' && cal.nativePeak2 !== undefined;
  const peak = native ? cal.nativePeak2! : cal.simdPeak2;
  const floorS = (2 * d.batchesPerEpoch * contrastiveMacs(6710, 64)) / (2 * peak * 1e9);
  console.log(`Exact contrastive alone at this machine's two-thread ${native ? `native ${cal.nativeIsa}` : 'wasm SIMD'} peak (${f1(peak)} GMAC/s per thread): ≥ ${f1(floorS)} s/epoch (2 modalities × ${d.batchesPerEpoch} batches × 4.5·N²·d multiply-adds).\n`);
  if (values.reference) {
    const ref = runSection<{ runs: EpochMeasurement[] }>(
      { kind: 'epoch', dataset: 'tiktok', configs: [{ preset: 'reference', mode: 'exact', batches: 1, validate: false }], contrastive: 'reference' },
    ).runs[0];
    console.log(`Reference (TF.js + JS softmax) contrastive core, reference preset, exact: ${f2(ref.batchS)} s/batch → ${f1(ref.epochS)} s/epoch (extrapolated).\n`);
  }
}

let res: { runs: EpochMeasurement[]; maxRssMB: number } | null = null;
if (sections.has('clothing')) {
  console.log('## 2. Clothing-shaped (generated): 23,033 items, 39,387 users, 197k train, image 4,096-d + text 1,024-d float32');
  try {
    res = runSection({ kind: 'epoch', dataset: 'clothing', configs: configs(false, wholeFor('clothing')).map((c) => ({ ...c, batches: c.mode === 'sampled' ? 3 : 1 })) });
  } catch (e) {
    // Keep going: the kNN section is independent. The first lines of the child's error explain it.
    console.log(`FAILED: ${String((e as Error).message).split('\n').slice(0, 4).join(' / ').slice(0, 600)}\n`);
  }
}
if (res) {
  console.log(`All four configurations in one process (they share the initial kNN graphs, built once in ${f1(res.runs[0].buildS)} s with the first model). Peak RSS of that process: ${mb(res.maxRssMB)} (target < 3 GB).\n`);
  table(['preset', 'contrastive', 's/batch', 'first batch s', 'batches/epoch', 's/epoch (whole)', 's/epoch (extrapolated)'], epochRows(res.runs, false));
}

if (sections.has('knn')) {
  const rows: (string | number)[][] = [];
  for (const [n, dim] of [
    [23033, 4096],
    [100000, 128],
  ]) {
    const r = runSection<KnnMeasurement>({ kind: 'knn', n, dim, k: 10, impl: 'tf' });
    rows.push([n.toLocaleString('en'), dim, 10, f1(r.seconds), mb(r.maxRssMB), mb((n * dim * 4) / 2 ** 20)]);
  }
  console.log('## 3. kNN graph build (cosine top-10, TF.js wasm matMul tiles, upper triangle, top-k in JS)');
  console.log('100k uses 128-d features (a 4,096-d table would be 1.6 GB by itself). Peak RSS is the whole process, input table included.\n');
  table(['N', 'dim', 'k', 'seconds', 'peak RSS', 'input table'], rows);
}

if (sections.has('map')) {
  // Its own script and process: it times API calls, not training (see tests/bench/map.ts).
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'map.ts')], { encoding: 'utf8', env: process.env, maxBuffer: 16 * 1024 * 1024 });
  console.log(r.status === 0 ? r.stdout : `## 4. map: FAILED: ${(r.stderr || r.stdout).split('\n').slice(0, 4).join(' / ').slice(0, 600)}\n`);
}

if (sections.has('study')) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'study.ts')], { encoding: 'utf8', env: process.env, maxBuffer: 16 * 1024 * 1024 });
  console.log(r.status === 0 ? r.stdout : `## 5. study: FAILED: ${(r.stderr || r.stdout).split('\n').slice(0, 4).join(' / ').slice(0, 600)}\n`);
}

if (values.json) fs.writeFileSync(values.json, JSON.stringify(raw, null, 2));
