// Parity of the TF.js backends (cpu, wasm, webgpu when an adapter exists): every loss term's
// forward value within 1e-4 relative of wasm's, its gradient against central differences, no
// tensor leaked per repeat, the same kNN neighbours, and (cpu, wasm) a 3-epoch demo training
// whose val Recall@20 is within 0.03 of wasm's and beats Popularity.
// Each backend runs in its own child process (backend-parity.child.ts): TF.js has one global
// backend per process, and Dawn is native code that must not take the test runner down.
// webgpu is skipped only outside CI when no adapter exists; in CI (Mesa ≥ 25's lavapipe is
// installed by .ci/run) a missing adapter fails. webgpu trains nothing here: the trainer reads
// synchronously and Dawn in Node can only read asynchronously (see the webgpu test below).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths';

interface TermResult {
  forward: number;
  maxRelErr: number;
  leaked: number;
}
interface ParityResult {
  backend: string;
  available: boolean;
  reason?: string;
  error?: string;
  tfName?: string;
  adapter?: { vendor: string; architecture: string; description: string; software: boolean };
  terms?: Record<string, TermResult>;
  knn?: number[];
  train?: { recall20: number; popularityRecall20: number; losses: number[] };
}

const child = path.join(import.meta.dirname, 'backend-parity.child.ts');

function runChild(backend: string, train: boolean): ParityResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, backend, ...(train ? ['--train'] : [])], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, MICRO_BACKEND: '' },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('PARITY '));
  if (!line) throw new Error(`parity child for ${backend} printed no result (status ${r.status}): ${r.stderr.slice(-800)}`);
  return JSON.parse(line.slice('PARITY '.length)) as ParityResult;
}

const cache = new Map<string, ParityResult>();
const result = (backend: string): ParityResult => {
  if (!cache.has(backend)) cache.set(backend, runChild(backend, backend !== 'webgpu'));
  return cache.get(backend)!;
};

const FORWARD_REL = 1e-4;
const GRAD_REL = 2e-2; // float32 central differences with eps 1e-2
const RECALL_TOL = 0.03;

function expectParity(r: ParityResult, ref: ParityResult): void {
  expect(r.error, r.error).toBeUndefined();
  for (const [term, t] of Object.entries(ref.terms!)) {
    const mine = r.terms![term];
    const rel = Math.abs(mine.forward - t.forward) / Math.max(Math.abs(t.forward), 1e-6);
    expect(rel, `${r.backend} ${term} forward ${mine.forward} vs wasm ${t.forward}`).toBeLessThan(FORWARD_REL);
    expect(mine.maxRelErr, `${r.backend} ${term} gradient vs finite differences`).toBeLessThan(GRAD_REL);
    expect(mine.leaked, `${r.backend} ${term} tensors leaked over 3 gradient repeats`).toBe(0);
  }
  expect(r.knn).toEqual(ref.knn);
}

describe('backend parity', () => {
  it('wasm: gradients match finite differences, no leaks, demo training beats Popularity', { timeout: 600_000 }, () => {
    const w = result('wasm');
    expect(w.available, w.reason).toBe(true);
    expect(w.error, w.error).toBeUndefined();
    for (const [term, t] of Object.entries(w.terms!)) {
      expect(t.maxRelErr, term).toBeLessThan(GRAD_REL);
      expect(t.leaked, term).toBe(0);
    }
    expect(w.train!.recall20).toBeGreaterThan(w.train!.popularityRecall20);
  });

  it('cpu matches wasm (losses, gradients, kNN, 3-epoch demo val Recall@20)', { timeout: 600_000 }, () => {
    const c = result('cpu');
    const w = result('wasm');
    expect(c.available, c.reason).toBe(true);
    expectParity(c, w);
    console.log(`demo val R@20 after 3 epochs: cpu ${c.train!.recall20.toFixed(4)}, wasm ${w.train!.recall20.toFixed(4)}`);
    expect(Math.abs(c.train!.recall20 - w.train!.recall20)).toBeLessThan(RECALL_TOL);
  });

  it('webgpu matches wasm (losses, gradients, kNN on the GPU ops)', { timeout: 600_000 }, (ctx) => {
    const g = result('webgpu');
    if (!g.available) {
      // CI installs a software adapter: there a missing one is a failure, never a skip.
      if (process.env.CI) throw new Error(`webgpu unavailable in CI: ${g.reason}`);
      ctx.skip(`webgpu unavailable: ${g.reason}`);
    }
    expect(g.tfName).toBe('webgpu');
    expect(g.adapter?.description).toBeTruthy();
    console.log(`webgpu adapter: ${g.adapter!.vendor} / ${g.adapter!.architecture} / ${g.adapter!.description}${g.adapter!.software ? ' (software)' : ''}`);
    expectParity(g, result('wasm'));
  });
});
