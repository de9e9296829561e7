// Summarises a V8 .cpuprofile (node --cpu-prof) of an engine run:
//   node --import tsx tests/bench/cpuprofile-summary.ts <file.cpuprofile> [fn1,fn2,…]
// Self time by category (TF.js wasm kernels, our SIMD kernels, TF.js JS, our engine files, GC, …),
// the top functions by self time, and the inclusive time of named functions (default: the engine's
// main steps), each function counted once per stack (recursion is not double-counted).
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, names] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-summary.ts <file.cpuprofile> [functionNames,comma-separated]');
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const wanted = (
  names ??
  [
    'trainStep', 'prepareGraphs', 'buildKnnGraphAsync', 'learnedGraphHost', 'batchLoss', 'forward', 'rebuildGraph', 'itemGraphConv',
    'modalityAttention', 'fuse', 'orthogonalityLoss', 'lightgcnPropagate', 'l2Normalize', 'spmm', 'gatherRows', 'bprLoss', 'batchL2',
    'contrastiveLoss', 'contrastiveCoreFast', 'Engine.gradients', 'backpropagateGradients', 'AdamOptimizer.applyGradients',
    'readScalars', 'evaluateModel', 'scorerFrom', 'evaluateRankingAsync', 'propagateSimd', 'spmmSimd', 'spmmBackwardSimd', 'Engine.disposeTensor',
  ].join(',')
).split(',');

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
// timeDeltas[i] is the time before sample i: charge it to the sample it leads to.
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
const total = [...self.values()].reduce((s, x) => s + x, 0);

/** Wasm code is named after the first JS frame above it: TF.js's module, or one of our generated ones. */
function wasmCategory(id: number): string {
  for (let n = parent.get(id); n !== undefined; n = parent.get(n)) {
    const url = byId.get(n)!.callFrame.url;
    if (!url || url.startsWith('wasm://')) continue;
    if (url.includes('tfjs-backend-wasm')) return 'TF.js wasm kernels';
    const m = url.match(/engine\/(kernels\/[a-z]+)/);
    return m ? `our SIMD (${m[1]})` : `wasm called from ${url.split('/').pop()}`;
  }
  return 'wasm (no JS caller)';
}

function category(id: number): string {
  const cf = byId.get(id)!.callFrame;
  const { url, functionName } = cf;
  if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle), (root)
  if (url.startsWith('wasm://') || /^(js-to-wasm|wasm-to-js|GenericJSToWasmWrapper)/.test(functionName)) return wasmCategory(id);
  if (url.includes('tfjs-backend-wasm')) return 'TF.js wasm backend JS';
  if (url.includes('tfjs-core') || url.includes('@tensorflow')) return 'TF.js core JS';
  const m = url.match(/src\/main\/engine\/(.*)$/);
  if (m) return `engine/${m[1]}`;
  if (url.includes('node_modules')) return 'other node_modules';
  return url ? 'node / other' : 'native / builtins';
}

const ms = (x: number) => `${(x / 1000).toFixed(2)} s`.padStart(9);
const pct = (x: number) => `${((100 * x) / total).toFixed(1)}%`.padStart(6);

const cats = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, t] of self) {
  const cf = byId.get(id)!.callFrame;
  const c = category(id);
  cats.set(c, (cats.get(c) ?? 0) + t);
  const key = `${cf.functionName || '(anonymous)'}  ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
}
console.log(`total sampled ${ms(total)}`);
console.log('\nself time by category');
for (const [c, t] of [...cats].sort((a, b) => b[1] - a[1])) if (t / total > 0.002) console.log(`${ms(t)} ${pct(t)}  ${c}`);
console.log('\ntop functions by self time');
for (const [f, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${ms(t)} ${pct(t)}  ${f}`);

// Inclusive: each sample charges every distinct wanted function on its stack once.
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const name = byId.get(n)!.callFrame.functionName;
    if (wanted.includes(name) && !seen.has(name)) {
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + t);
    }
  }
}
console.log('\ninclusive time of named functions');
for (const name of wanted) if (incl.has(name)) console.log(`${ms(incl.get(name)!)} ${pct(incl.get(name)!)}  ${name}`);
