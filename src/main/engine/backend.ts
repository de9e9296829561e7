// Picks the TF.js backend at run time: tensorflow-gpu -> tensorflow -> wasm -> cpu.
// Native backends are optional dependencies (their install needs a libtensorflow download that
// may be impossible), so they are imported dynamically and a missing one is simply skipped.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients, and its ESM deep import of them does not load in plain
// Node; the @tensorflow/tfjs bundle registers them into the shared (global) registry.
import '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** The tfjs-registered backend name ('tensorflow' for both native flavours). */
  tfName: string;
  tried: { name: BackendName; error?: string }[];
}

let active: BackendInfo | null = null;
const require = createRequire(import.meta.url);

async function tryNative(pkg: string): Promise<void> {
  // The native packages bundle their own tfjs; they register 'tensorflow' on the shared engine
  // when the versions dedupe (both 4.22).
  await import(/* @vite-ignore */ pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} did not register a tensorflow backend`);
}

async function tryWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': path.join(dir, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': path.join(dir, 'tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
  });
  // The threaded build fails to initialise in Node; force the single-threaded SIMD build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
}

async function tryBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      return tryNative('@tensorflow/tfjs-node-gpu');
    case 'tensorflow':
      return tryNative('@tensorflow/tfjs-node');
    case 'wasm':
      return tryWasm();
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
  }
}

/**
 * Initialise TF.js. `requested` forces one backend (error if unavailable); otherwise the first
 * that works in BACKEND_ORDER wins. Env MICRO_BACKEND overrides the default order too.
 */
export async function initBackend(requested?: BackendName | 'auto'): Promise<BackendInfo> {
  const wanted = requested && requested !== 'auto' ? requested : (process.env.MICRO_BACKEND as BackendName | undefined);
  if (active && (!wanted || wanted === active.name)) return active;
  if (wanted && !BACKEND_ORDER.includes(wanted)) {
    throw new Error(`unknown backend "${wanted}"; expected one of ${BACKEND_ORDER.join(', ')}`);
  }
  // PROD silences the cpu backend's "install tfjs-node" banner; the choice is reported instead.
  tf.env().set('PROD', true);
  const order = wanted ? [wanted] : BACKEND_ORDER;
  const tried: BackendInfo['tried'] = [];
  for (const name of order) {
    try {
      await tryBackend(name);
      await tf.ready();
      active = { name, tfName: tf.getBackend(), tried: [...tried, { name }] };
      return active;
    } catch (e) {
      tried.push({ name, error: (e as Error).message.split('\n')[0] });
    }
  }
  const detail = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new Error(`no TF.js backend could be initialised (${detail})`);
}

export function activeBackend(): BackendInfo {
  if (!active) throw new Error('TF.js backend not initialised: call initBackend() first');
  return active;
}

export { tf };
