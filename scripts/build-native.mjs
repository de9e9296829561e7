#!/usr/bin/env node
// Builds the optional native InfoNCE kernels (src/main/engine/kernels/native) into
// build/native/micro_infonce.node with the system C compiler. Run by `npm ci` (postinstall) and
// `npm run build:native`. Without a compiler, or on a platform it does not know, it says so in one
// line and exits 0: training then runs the WebAssembly kernels, which give the same results to
// float rounding, 2-3× slower on the exact contrastive loss.
//
// Why a direct compiler call and not node-gyp: one C file per instruction-set level and a glue
// file, no Python, no header download (the Node-API headers come from the node-api-headers
// package), and it never fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/main/engine/kernels/native');
const outDir = join(root, 'build/native');
const out = join(outDir, 'micro_infonce.node');
const strict = process.argv.includes('--strict'); // fail loudly (CI, benchmarks)
rmSync(out, { force: true }); // a failed rebuild must not leave an older module behind

function skip(reason) {
  const msg = `native InfoNCE kernels not built: ${reason}; training uses the WebAssembly kernels (same results, slower exact loss)`;
  if (strict) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(msg);
  process.exit(0);
}

if (process.env.MICRO_SKIP_NATIVE === '1') skip('MICRO_SKIP_NATIVE=1');
if (process.platform === 'win32') skip('Windows needs node.lib to link an addon, not set up here');

function includeDir() {
  try {
    return createRequire(import.meta.url)('node-api-headers').include_dir;
  } catch {
    const bundled = join(dirname(process.execPath), '..', 'include', 'node');
    return existsSync(join(bundled, 'node_api.h')) ? bundled : null;
  }
}
const inc = includeDir();
if (!inc) skip('no Node-API headers (node-api-headers is not installed)');

const cc = process.env.CC || 'cc';
const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) skip(`no C compiler (${cc}); install gcc or clang, or set CC`);

const x86 = process.arch === 'x64';
const common = ['-O3', '-std=gnu11', '-fPIC', '-Wall', '-Wno-psabi', '-fno-math-errno'];
const objects = [];
mkdirSync(outDir, { recursive: true });
function compile(file, obj, flags) {
  const r = spawnSync(cc, [...common, ...flags, '-I', inc, '-c', join(src, file), '-o', obj], { encoding: 'utf8' });
  if (r.status !== 0) skip(`${cc} failed on ${file}:\n${(r.stderr || r.stdout || String(r.error)).trim()}`);
  objects.push(obj);
}
// One kernel set per x86-64 level (addon.c picks one at load); elsewhere the compiler's default.
const levels = x86 ? [['_base', ['-march=x86-64', '-mtune=generic']], ['_v3', ['-march=x86-64-v3', '-mtune=generic']], ['_v4', ['-march=x86-64-v4', '-mtune=generic']]] : [['_base', []]];
for (const [suffix, flags] of levels) {
  compile('infonce.c', join(outDir, `infonce${suffix}.o`), [`-DKSUFFIX=${suffix}`, ...flags]);
  // No fused multiply-add in propagation: its results stay bit-identical to the wasm kernel's.
  compile('sparse.c', join(outDir, `sparse${suffix}.o`), [`-DKSUFFIX=${suffix}`, '-ffp-contract=off', ...flags]);
  compile('topk.c', join(outDir, `topk${suffix}.o`), [`-DKSUFFIX=${suffix}`, ...flags]);
}
compile('addon.c', join(outDir, 'addon.o'), x86 ? ['-DHAVE_X86_LEVELS'] : []);
const linkFlags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
const link = spawnSync(cc, [...linkFlags, ...objects, '-o', out], { encoding: 'utf8' });
if (link.status !== 0) skip(`linking failed:\n${(link.stderr || link.stdout).trim()}`);
for (const o of objects) rmSync(o, { force: true });
console.log(`native InfoNCE kernels built: ${out.slice(root.length + 1)}`);
