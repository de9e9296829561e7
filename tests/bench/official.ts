// Side-by-side timing of the official MICRO code (github.com/CRIPAC-DIG/MICRO, PyTorch) on TikTok,
// on this machine's CPU, so that our seconds per epoch can be compared with it measured minutes
// apart on the same machine rather than with a figure from another VM:
//   node --import tsx tests/bench/official.ts --repo DIR [--epochs 1] [--data ../shared/data/tiktok]
//        [--python python3] [--work /tmp/micro-official]
// or `npm run bench -- --official DIR`, which puts the ratio next to our epochs (run.ts).
// DIR is a checkout of the official repository (never copied into this project). Needs a Python
// with torch (CPU), numpy, scipy, scikit-learn and tqdm. The copy under --work gets the smallest
// changes that let it run here, none of which touches the training step:
//   - `.cuda()` removed (CPU run; torch uses all cores, here 2);
//   - a `torch_scatter.py` stand-in for the one scatter_add the graph normalisation uses (the
//     torch-scatter wheel needs a matching compiler toolchain);
//   - n_items = the feature table's rows (4 TikTok items appear in no split file; without this the
//     feature and ID tables disagree and the code stops);
//   - TikTok's audio features as the code's "text" modality (it knows image + text only), both
//     cast to float32; test.json = val.json (the official code loads a test file; the timing
//     runs `--epoch N` < `--verbose 5`, so neither validation nor test runs inside an epoch).
// Printed: the calibration line before and after (tests/bench/calibration.ts) and the official
// code's own per-epoch seconds ("Epoch k [Xs]", training only, as our stored epoch seconds minus
// validation).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readNpy, writeNpy } from '../../src/main/engine/data/npy';
import { calibrationLine, measureCalibration } from './calibration';

export interface OfficialOptions {
  /** A checkout of github.com/CRIPAC-DIG/MICRO. */
  repo: string;
  epochs?: number;
  /** The TikTok folder (train.json, val.json, image_feat.npy, audio_feat.npy). */
  data?: string;
  python?: string;
  /** Scratch folder for the patched copy and its data (emptied first). */
  work?: string;
  /** Each epoch's seconds as the official code prints them. */
  onEpoch?: (epoch: number, seconds: number) => void;
}

const DEFAULT_DATA = path.join(import.meta.dirname, '../../../shared/data/tiktok');

/** Seconds per epoch of the official code on this machine (training only, as it prints them). */
export async function timeOfficial(o: OfficialOptions): Promise<number[]> {
  const epochs = o.epochs ?? 1;
  if (!fs.existsSync(path.join(o.repo, 'codes', 'main.py'))) throw new Error(`official code: ${o.repo} is not a checkout of github.com/CRIPAC-DIG/MICRO (no codes/main.py)`);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs < 5)) throw new Error('official code: epochs must be 1 to 4 (the 5th epoch would validate and test)');
  const codes = prepare(o.repo, o.data ?? DEFAULT_DATA, o.work ?? '/tmp/micro-official');
  return runOfficial(codes, o.python ?? 'python3', epochs, o.onEpoch ?? (() => {}));
}

/** Replaces `from` in a file of the copy, failing loudly when the official code has changed. */
function patch(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`official.ts: ${path.basename(file)} no longer contains ${String(from)}; the official code changed`);
  fs.writeFileSync(file, next);
}

function prepare(repo: string, source: string, work: string): string {
  fs.rmSync(work, { recursive: true, force: true });
  const codes = path.join(work, 'codes');
  fs.cpSync(path.join(repo, 'codes'), codes, { recursive: true });
  fs.mkdirSync(path.join(codes, 'logs'), { recursive: true });
  patch(path.join(codes, 'main.py'), /\.cuda\(\)/g, '');
  patch(path.join(codes, 'Models.py'), /\.cuda\(\)/g, '');
  fs.writeFileSync(
    path.join(codes, 'torch_scatter.py'),
    '# Stand-in for torch_scatter.scatter_add as utility/norm.py calls it (1-D, dim 0).\nimport torch\n\n' +
      'def scatter_add(src, index, dim=0, dim_size=None):\n    return torch.zeros(dim_size, dtype=src.dtype, device=src.device).scatter_add_(0, index, src)\n',
  );
  patch(
    path.join(codes, 'utility', 'load_data.py'),
    '        self.n_items += 1\n',
    "        self.n_items += 1\n        self.n_items = max(self.n_items, np.load(path + '/image_feat.npy', mmap_mode='r').shape[0])\n",
  );
  const data = path.join(work, 'data', 'tiktok');
  fs.mkdirSync(path.join(data, '5-core'), { recursive: true });
  fs.copyFileSync(path.join(source, 'train.json'), path.join(data, '5-core', 'train.json'));
  fs.copyFileSync(path.join(source, 'val.json'), path.join(data, '5-core', 'val.json'));
  fs.copyFileSync(path.join(source, 'val.json'), path.join(data, '5-core', 'test.json'));
  for (const [ours, theirs] of [['image_feat.npy', 'image_feat.npy'], ['audio_feat.npy', 'text_feat.npy']]) {
    const { data: table, shape } = readNpy(path.join(source, ours)); // float16 → Float32Array
    writeNpy(path.join(data, theirs), table as Float32Array, shape, 'float32');
  }
  return codes;
}

function runOfficial(codes: string, python: string, epochs: number, onEpoch: (epoch: number, seconds: number) => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['main.py', '--dataset', 'tiktok', '--epoch', String(epochs)], { cwd: codes, stdio: ['ignore', 'pipe', 'pipe'] });
    const seconds: number[] = [];
    let out = '';
    // Per stream, whole lines only: an epoch line may span two chunks.
    const lines = () => {
      let pending = '';
      return (chunk: Buffer) => {
        out += chunk.toString();
        pending += chunk.toString();
        const end = pending.lastIndexOf('\n') + 1;
        for (const m of pending.slice(0, end).matchAll(/Epoch (\d+) \[([\d.]+)s\]/g)) {
          seconds.push(Number(m[2]));
          onEpoch(Number(m[1]) + 1, Number(m[2]));
        }
        pending = pending.slice(end);
      };
    };
    child.stdout.on('data', lines());
    child.stderr.on('data', lines());
    child.on('error', reject);
    // The run ends with an error after the last epoch (it logs a test result it never computed
    // below --verbose epochs): the epochs are what we came for.
    child.on('close', () => (seconds.length === epochs ? resolve(seconds) : reject(new Error(`official code stopped after ${seconds.length} of ${epochs} epochs:\n${out.slice(-2000)}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { repo: { type: 'string' }, epochs: { type: 'string', default: '1' }, data: { type: 'string' }, python: { type: 'string' }, work: { type: 'string' } },
  });
  if (!values.repo) throw new Error('usage: official.ts --repo <checkout of github.com/CRIPAC-DIG/MICRO> [--epochs 1] [--data DIR] [--python python3] [--work DIR]');
  console.log(calibrationLine(await measureCalibration()));
  const seconds = await timeOfficial({
    repo: values.repo,
    epochs: Number(values.epochs),
    data: values.data,
    python: values.python,
    work: values.work,
    onEpoch: (e, s) => console.log(`official epoch ${e}: ${s.toFixed(1)} s`),
  });
  console.log(calibrationLine(await measureCalibration()));
  console.log(`official MICRO (PyTorch, CPU): ${seconds.map((s) => s.toFixed(1)).join(', ')} s per TikTok epoch (training only)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exitCode = 2;
  });
}
