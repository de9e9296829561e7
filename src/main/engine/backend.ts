// Picks the TF.js backend at run time: tensorflow-gpu -> webgpu -> tensorflow -> wasm -> cpu.
// Native backends are optional dependencies (their install needs a libtensorflow download that
// may be impossible), so they are imported dynamically and a missing one is simply skipped.
// webgpu (Dawn's Node bindings, npm `webgpu`, + @tensorflow/tfjs-backend-webgpu) runs on Vulkan,
// Metal or D3D12; in auto mode only a hardware adapter is taken (a software one, e.g. llvmpipe, is
// slower than wasm), a forced `--backend webgpu` accepts a software adapter too.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients, and its ESM deep import of them does not load in plain
// Node; the @tensorflow/tfjs bundle registers them into the shared (global) registry.
import '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BACKENDS, type BackendName } from '../../shared/vocabulary';
import type { AdapterInfo } from '../../shared/records';

export type { AdapterInfo, BackendName };
/** The order `auto` tries them in (the vocabulary's). */
export const BACKEND_ORDER: readonly BackendName[] = BACKENDS;

export interface BackendInfo {
  name: BackendName;
  /** The tfjs-registered backend name ('tensorflow' for both native flavours). */
  tfName: string;
  tried: { name: BackendName; error?: string }[];
  /** Set for webgpu. */
  adapter?: AdapterInfo;
}

let active: BackendInfo | null = null;
const require = createRequire(import.meta.url);
let adapterProbe: Promise<AdapterInfo> | null = null;

/** The little of the WebGPU API used here (the project does not compile against @webgpu/types). */
interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<{
    info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  } | null>;
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|warp/i;

/** Whether an adapter is a CPU implementation (the fallback flag, or the known software drivers' names). */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  if ((info.architecture ?? '').toLowerCase() === 'software') return true;
  return SOFTWARE_ADAPTER.test(`${info.vendor ?? ''} ${info.device ?? ''} ${info.description ?? ''}`);
}

/**
 * Installs Dawn as navigator.gpu (plain Node has none; a browser or a renderer already has one)
 * and asks it for an adapter. Memoised: Dawn is created once per process.
 */
export function probeWebgpuAdapter(): Promise<AdapterInfo> {
  adapterProbe ??= (async () => {
    const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
    if (!g.navigator?.gpu) {
      let mod: { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
      try {
        mod = (await import(/* @vite-ignore */ 'webgpu')) as unknown as typeof mod;
      } catch (e) {
        throw new Error(`the optional package "webgpu" is not installed or does not load (${(e as Error).message.split('\n')[0]})`);
      }
      Object.assign(globalThis, mod.globals);
      const gpu = mod.create([]);
      if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }
    const adapter = await g.navigator!.gpu!.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter (needs a Vulkan, Metal or D3D12 driver; on Linux e.g. NVIDIA\'s driver or Mesa ≥ 25)');
    const i = adapter.info ?? {};
    const info = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
    return { ...info, software: isSoftwareAdapter({ ...info, isFallbackAdapter: i.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter }) };
  })();
  return adapterProbe;
}

function describeAdapter(a: AdapterInfo): string {
  return [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' / ');
}

async function tryWebgpu(forced: boolean): Promise<AdapterInfo> {
  // Checked before Dawn is loaded: in auto mode a training process should neither load the
  // native module nor have Dawn print its adapter warnings for a backend it may not use.
  // Training reads asynchronously and works on webgpu, but webgpu stays opt-in in Node until
  // its speed on a hardware adapter is measured against wasm (on llvmpipe the atomic segment
  // sums of the sparse ops dominate an epoch).
  if (!forced && !hasSyncReadback()) {
    throw new Error('not tried in auto mode: webgpu is opt-in in Node (--backend webgpu; see micro doctor for the adapter)');
  }
  const adapter = await probeWebgpuAdapter();
  if (adapter.software && !forced) {
    throw new Error(`only a software adapter (${describeAdapter(adapter)}); force it with --backend webgpu`);
  }
  await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend failed to initialise');
  if (!hasSyncReadback()) guardReadSync();
  return adapter;
}

/**
 * tfjs-backend-webgpu reads synchronously through an OffscreenCanvas with a webgpu context
 * (browsers only); Node has none, and Dawn's buffer mapping only completes on the event loop, so
 * dataSync() cannot work there: only data() (async) does. Training, evaluation, checkpoints and
 * artifacts await every read; the wasm/cpu-only kernels (ops.ts) still read synchronously.
 */
function hasSyncReadback(): boolean {
  return typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'function';
}

/** Turns the backend's "OffscreenCanvas is not defined" into one line that says what happened. */
function guardReadSync(): void {
  const b = tf.backend() as unknown as { readSync(id: object): unknown; tensorMap: { get(id: object): { values?: unknown } | undefined } };
  const readSync = b.readSync.bind(b);
  b.readSync = (id: object) => {
    if (b.tensorMap.get(id)?.values != null) return readSync(id); // already on the CPU
    throw new Error('webgpu: a synchronous read (dataSync) of a GPU tensor is impossible in Node (Dawn maps buffers only on the event loop); this path needs await tensor.data()');
  };
}

/** Whether the active backend keeps tensors on a GPU (ops then avoid their JS/wasm kernels). */
export function onGpu(): boolean {
  return active?.tfName === 'webgpu';
}

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

async function tryBackend(name: BackendName, forced: boolean): Promise<AdapterInfo | undefined> {
  switch (name) {
    case 'webgpu':
      return tryWebgpu(forced);
    case 'tensorflow-gpu':
      await tryNative('@tensorflow/tfjs-node-gpu');
      return undefined;
    case 'tensorflow':
      await tryNative('@tensorflow/tfjs-node');
      return undefined;
    case 'wasm':
      await tryWasm();
      return undefined;
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
      return undefined;
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
      const adapter = await tryBackend(name, !!wanted);
      await tf.ready();
      active = { name, tfName: tf.getBackend(), tried: [...tried, { name }], ...(adapter ? { adapter } : {}) };
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
