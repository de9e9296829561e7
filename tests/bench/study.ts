// `npm run bench -- --sections study`: a 3-seed ablation study on the demo's cold split through the
// in-process service (the queue of the app, the CLI and browser mode) on a temporary store: the
// study's wall time, and per cell what the queue adds around training: (study wall − Σ the runs'
// training time, i.e. their epochs' stored seconds) / cells — worker start, TF.js init, dataset
// load, final val + test evaluation with per-user metrics, artifacts, bookkeeping — and the part
// of it inside each cell's own wall time (its run: final evaluations and artifacts).
//   node --import tsx tests/bench/study.ts [--seeds 3] [--epochs 10]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkbenchService } from '../../src/main/api';
import { DEMO } from '../helpers/paths';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, epochs: { type: 'string', default: '10' } } });
const seeds = Math.max(1, Number(values.seeds));
const epochs = Math.max(1, Number(values.epochs));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-bench-study-'));
const service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'browser' });
const api = service.api();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  await api.importDataset({ path: DEMO, name: 'demo-cold', setting: 'cold' });
  const d = await api.createStudy({ kind: 'ablation', dataset: 'demo-cold', seeds, epochs });
  const id = d.study.id;
  const ended = new Promise<void>((resolve) => {
    const off = service.onEvent((e) => {
      if (e.type === 'study-updated' && e.studyId === id && e.status !== 'running') {
        off();
        resolve();
      }
    });
  });
  const t0 = performance.now();
  await api.startStudy({ studyId: id });
  await ended;
  const wall = (performance.now() - t0) / 1000;
  const done = await api.getStudy({ studyId: id });
  if (done.study.status !== 'completed') throw new Error(`the study ended ${done.study.status}: ${done.study.error ?? ''}`);
  const overhead: number[] = [];
  const training: number[] = [];
  for (const c of done.cells) {
    const run = await api.getRun({ runId: c.runId! });
    const train = run.epochs.reduce((s, e) => s + (e.seconds ?? 0), 0);
    training.push(train);
    overhead.push((c.wallSeconds ?? NaN) - train);
  }
  console.log(`## 5. Study queue: ${d.definition.variants.length}-variant ablation × ${seeds} seeds (${done.cells.length} cells, ${epochs} epochs each) on demo-cold, one cell at a time`);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const perCell = (wall - sum(training)) / done.cells.length;
  console.log(`wall time ${wall.toFixed(1)} s; training ${sum(training).toFixed(1)} s (median ${median(training).toFixed(2)} s per cell); overhead per cell ${perCell.toFixed(2)} s = (wall − training) / cells, of which ${median(overhead).toFixed(2)} s (median) inside the cell's run (final evaluations, artifacts) and the rest between cells (worker start, TF.js init, dataset load)\n`);
} finally {
  await service.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
