// Child process of backend-parity.test.ts: one TF.js backend per process (TF.js keeps one global
// backend; Dawn is native and a crash must not take the test runner down). Prints one line
// `PARITY <json>`: per loss term its forward value, finite-difference gradient errors and the
// tensor count across repeats; kNN indices; optionally a 3-epoch demo training (--train).
// All reads are `await data()`: webgpu in Node has no synchronous readback.
//   node --import tsx tests/unit/engine/backend-parity.child.ts <backend> [--train]
import { activeBackend, initBackend, probeWebgpuAdapter, tf, type BackendName } from '../../../src/main/engine/backend';
import { edgeDots, gatherRows, propagate, spmm, type SparsePattern } from '../../../src/main/engine/ops';
import { contrastiveLoss } from '../../../src/main/engine/models/micro/contrastive';
import { orthogonalityLoss } from '../../../src/main/engine/models/micro/parts';
import { learnedGraphValues } from '../../../src/main/engine/models/micro/graphs';
import { bprLoss } from '../../../src/main/engine/models/common';
import { knnCosineTopKTf } from '../../../src/main/engine/graph/knn-tf';
import { knnCosineTopKGpuAsync } from '../../../src/main/engine/graph/knn-gpu';
import { createRng } from '../../../src/main/engine/data/random';

const name = process.argv[2] as BackendName;
const N = 48;
const D = 8;

function rand(shape: number[], seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.normal() * scale;
  return v;
}

function knnPattern(n: number, k: number, seed: number): SparsePattern {
  const rng = createRng(seed);
  const rows = new Int32Array(n * k);
  const cols = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const pick = rng.sample(n, k);
    for (let j = 0; j < k; j++) {
      rows[i * k + j] = i;
      cols[i * k + j] = pick[j];
    }
  }
  return { nRows: n, nCols: n, rows, cols };
}

interface Term {
  inputs: { shape: number[]; data: Float32Array }[];
  f: (...xs: tf.Tensor[]) => tf.Scalar;
}

const pat = knnPattern(N, 5, 11);
const anchors = createRng(3).sample(N, 16);
const w = (seed: number, shape: number[]) => tf.tensor(rand(shape, seed), shape);
const TERMS: Record<string, Term> = {
  contrastiveExact: { inputs: [{ shape: [N, D], data: rand([N, D], 1) }, { shape: [N, D], data: rand([N, D], 2) }], f: (a, c) => contrastiveLoss(a as tf.Tensor2D, c as tf.Tensor2D, 0.5) },
  contrastiveSampled: {
    inputs: [{ shape: [N, D], data: rand([N, D], 1) }, { shape: [N, D], data: rand([N, D], 2) }],
    f: (a, c) => contrastiveLoss(a as tf.Tensor2D, c as tf.Tensor2D, 0.5, anchors),
  },
  spmm: {
    inputs: [{ shape: [pat.rows.length], data: rand([pat.rows.length], 4) }, { shape: [N, D], data: rand([N, D], 5) }],
    f: (v, h) => tf.sum(tf.mul(spmm(pat, v as tf.Tensor1D, h as tf.Tensor2D), w(6, [N, D]))),
  },
  propagateLast: { inputs: [{ shape: [N, D], data: rand([N, D], 7) }], f: (h) => tf.sum(tf.mul(propagate(pat, rand([pat.rows.length], 8), h as tf.Tensor2D, 2, 'last'), w(9, [N, D]))) },
  propagateMean: { inputs: [{ shape: [N, D], data: rand([N, D], 7) }], f: (h) => tf.sum(tf.mul(propagate(pat, rand([pat.rows.length], 8), h as tf.Tensor2D, 2, 'mean'), w(9, [N, D]))) },
  gatherRows: { inputs: [{ shape: [N, D], data: rand([N, D], 10) }], f: (t) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, Int32Array.from([3, 3, 7, 0, 47])), w(12, [5, D]))) },
  edgeDots: { inputs: [{ shape: [N, D], data: rand([N, D], 13) }], f: (h) => tf.sum(tf.mul(edgeDots(h as tf.Tensor2D, pat), w(14, [pat.rows.length]))) },
  // Positive features keep every learned-graph degree > 0 (the 1/√0 → 0 branch is a kink).
  learnedGraphValues: { inputs: [{ shape: [N, D], data: rand([N, D], 15).map((x) => Math.abs(x) + 0.1) }], f: (h) => tf.sum(tf.mul(learnedGraphValues(h as tf.Tensor2D, pat), w(16, [pat.rows.length]))) },
  orthogonality: { inputs: [{ shape: [N, D], data: rand([N, D], 17) }, { shape: [N, D], data: rand([N, D], 18) }], f: (a, b) => orthogonalityLoss([a as tf.Tensor2D, b as tf.Tensor2D]) },
  bpr: {
    inputs: [{ shape: [16, D], data: rand([16, D], 19) }, { shape: [16, D], data: rand([16, D], 20) }, { shape: [16, D], data: rand([16, D], 21) }],
    f: (u, p, n) => bprLoss(u as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D),
  },
};

async function value(term: Term, data: Float32Array[]): Promise<number> {
  const xs = term.inputs.map((inp, i) => tf.tensor(data[i], inp.shape));
  const y = term.f(...xs);
  const v = (await y.data())[0];
  tf.dispose([y, ...xs]);
  return v;
}

/** Forward value, analytic gradient vs central differences (float32, eps 1e-2), tensors leaked per repeat. */
async function checkTerm(term: Term) {
  const data = term.inputs.map((x) => x.data);
  const forward = await value(term, data);
  const before = tf.memory().numTensors;
  let analytic: Float32Array[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const xs = term.inputs.map((inp, i) => tf.tensor(data[i], inp.shape));
    const gs = tf.grads((...a: tf.Tensor[]) => term.f(...a))(xs);
    analytic = await Promise.all(gs.map(async (g) => (await g.data()) as Float32Array));
    tf.dispose([...gs, ...xs]);
  }
  const leaked = tf.memory().numTensors - before;
  const eps = 1e-2;
  let maxRelErr = 0;
  const rng = createRng(99);
  for (let which = 0; which < data.length; which++) {
    for (let s = 0; s < 6; s++) {
      const c = rng.int(data[which].length);
      const at = async (delta: number) => {
        const moved = data.map((d) => d.slice());
        moved[which][c] += delta;
        return value(term, moved);
      };
      const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      const a = analytic[which][c];
      maxRelErr = Math.max(maxRelErr, Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-2));
    }
  }
  return { forward, maxRelErr, leaked };
}

async function knnIndices(): Promise<number[]> {
  const x = rand([N, D], 31);
  const r = activeBackend().tfName === 'webgpu' ? await knnCosineTopKGpuAsync(x, N, D, 5) : knnCosineTopKTf(x, N, D, 5);
  return Array.from(r.indices);
}

async function main(): Promise<void> {
  let adapter;
  try {
    if (name === 'webgpu') adapter = await probeWebgpuAdapter();
    await initBackend(name);
  } catch (e) {
    console.log(`PARITY ${JSON.stringify({ backend: name, available: false, reason: (e as Error).message.split('\n')[0] })}`);
    return;
  }
  const terms: Record<string, Awaited<ReturnType<typeof checkTerm>>> = {};
  for (const [k, t] of Object.entries(TERMS)) terms[k] = await checkTerm(t);
  const out: Record<string, unknown> = { backend: name, available: true, tfName: tf.getBackend(), adapter, terms, knn: await knnIndices() };
  if (process.argv.includes('--train')) out.train = await train();
  console.log(`PARITY ${JSON.stringify(out)}`);
}

/**
 * 3 epochs of MICRO (paper preset) on the demo data through the real trainer (awaited reads
 * only); val metrics of the best checkpoint, the per-epoch mean losses, the tensors left behind.
 * Batches of 4096 interactions (2 per epoch: a rebuild batch and a plain one) keep the software
 * adapter within ~30 s; 6 steps already put MICRO far above Popularity on this data.
 */
async function train() {
  const path = await import('node:path');
  const { loadDataset } = await import('../../../src/main/engine/data');
  const { resolveRun, runExperiment } = await import('../../../src/main/engine/experiment');
  const { REPO_ROOT } = await import('../../helpers/paths');
  const ds = loadDataset(path.join(REPO_ROOT, 'resources/demo'), { setting: 'warm' });
  const before = tf.memory().numTensors;
  const started = Date.now();
  const micro = await runExperiment(ds, resolveRun({ model: 'micro', preset: 'paper', seed: 123, train_overrides: { epochs: 3, batchSize: 4096 } }));
  const seconds = (Date.now() - started) / 1000;
  micro.model.dispose();
  const leaked = tf.memory().numTensors - before;
  const pop = await runExperiment(ds, resolveRun({ model: 'popularity', seed: 123 }));
  pop.model.dispose();
  return {
    recall20: micro.val!['recall@20'],
    ndcg20: micro.val!['ndcg@20'],
    popularityRecall20: pop.val!['recall@20'],
    losses: micro.train.history.map((h) => h.losses.total),
    epochSeconds: micro.train.history.map((h) => h.seconds),
    seconds,
    leaked,
  };
}

main().then(
  () => process.exit(0),
  (e) => {
    console.log(`PARITY ${JSON.stringify({ backend: name, available: true, error: (e as Error).message.split('\n')[0] })}`);
    process.exit(1);
  },
);
