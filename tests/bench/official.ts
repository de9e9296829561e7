// Side-by-side timing of the official MICRO code (github.com/CRIPAC-DIG/MICRO, PyTorch) on TikTok,
// on this machine's CPU, so that our seconds per epoch can be compared with it measured minutes
// apart on the same machine rather than with a figure from another VM:
//   node --import tsx tests/bench/official.ts --repo DIR [--epochs 1] [--data ../shared/data/tiktok]
//        [--python python3] [--work /tmp/micro-official]
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

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    epochs: { type: 'string', default: '1' },
    data: { type: 'string', default: path.join(import.meta.dirname, '../../../shared/data/tiktok') },
    python: { type: 'string', default: 'python3' },
    work: { type: 'string', default: '/tmp/micro-official' },
  },
});
if (!values.repo || !fs.existsSync(path.join(values.repo, 'codes', 'main.py'))) {
  console.error('official.ts: --repo must be a checkout of github.com/CRIPAC-DIG/MICRO (with codes/main.py)');
  process.exit(2);
}
const epochs = Number(values.epochs);
if (!(Number.isInteger(epochs) && epochs >= 1 && epochs < 5)) {
  console.error('official.ts: --epochs must be 1 to 4 (the 5th epoch would validate and test)');
  process.exit(2);
}

/** Replaces `from` in a file of the copy, failing loudly when the official code has changed. */
function patch(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`official.ts: ${path.basename(file)} no longer contains ${String(from)}; the official code changed`);
  fs.writeFileSync(file, next);
}

function prepare(work: string): string {
  fs.rmSync(work, { recursive: true, force: true });
  const codes = path.join(work, 'codes');
  fs.cpSync(path.join(values.repo!, 'codes'), codes, { recursive: true });
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
  fs.copyFileSync(path.join(values.data, 'train.json'), path.join(data, '5-core', 'train.json'));
  fs.copyFileSync(path.join(values.data, 'val.json'), path.join(data, '5-core', 'val.json'));
  fs.copyFileSync(path.join(values.data, 'val.json'), path.join(data, '5-core', 'test.json'));
  for (const [ours, theirs] of [['image_feat.npy', 'image_feat.npy'], ['audio_feat.npy', 'text_feat.npy']]) {
    const { data: table, shape } = readNpy(path.join(values.data, ours)); // float16 → Float32Array
    writeNpy(path.join(data, theirs), table as Float32Array, shape, 'float32');
  }
  return codes;
}

function runOfficial(codes: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(values.python!, ['main.py', '--dataset', 'tiktok', '--epoch', String(epochs)], { cwd: codes, stdio: ['ignore', 'pipe', 'pipe'] });
    const seconds: number[] = [];
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of chunk.toString().matchAll(/Epoch (\d+) \[([\d.]+)s\]/g)) {
        seconds.push(Number(m[2]));
        console.log(`official epoch ${Number(m[1]) + 1}: ${m[2]} s`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    // The run ends with an error after the last epoch (it logs a test result it never computed
    // below --verbose epochs): the epochs are what we came for.
    child.on('close', () => (seconds.length === epochs ? resolve(seconds) : reject(new Error(`official code stopped after ${seconds.length} of ${epochs} epochs:\n${out.slice(-2000)}`))));
  });
}

console.log(calibrationLine(await measureCalibration()));
const seconds = await runOfficial(prepare(values.work));
console.log(calibrationLine(await measureCalibration()));
console.log(`official MICRO (PyTorch, CPU): ${seconds.map((s) => s.toFixed(1)).join(', ')} s per TikTok epoch (training only)`);
