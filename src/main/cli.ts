// `micro` — the command-line face of the engine and run store.
// Exit codes: 0 success; 1 failure (one-line reason on stderr); 2 usage error; 3 bad input data;
// 4 run store refused to open; 130 cancelled (Ctrl-C).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { RunStore, resolveStorePath, isStoreError, type RunRecord } from './store';
import { initBackend, BACKEND_ORDER, type BackendName } from './engine/backend';
import { DataError, type ProgressEvent } from './engine/types';
import { computeStats } from './engine/data';
import { MODEL_KINDS, type ModelKind, type RunSpec } from './engine/experiment';
import { executeRun } from './runs/execute';
import { importDataset, loadRegistered, resolveDataset, splitDataset, type SplitMode } from './runs/datasets';
import { exportRun, type ExportWhat, type ExportFormat } from './runs/export';
import { diagnoseDataset } from './runs/diagnose';
import { APP_VERSION } from './version';

const EXIT = { ok: 0, fail: 1, usage: 2, data: 3, store: 4, cancelled: 130 } as const;

interface GlobalOpts {
  store?: string;
  json?: boolean;
  backend?: BackendName | 'auto';
  quiet?: boolean;
}

class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_DIR = path.join(repoRoot, 'resources', 'demo');

function out(g: GlobalOpts, human: () => string, data: unknown): void {
  if (g.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

function openStore(g: GlobalOpts): RunStore {
  const p = resolveStorePath(g.store);
  try {
    return RunStore.open(p, { appVersion: APP_VERSION });
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.store);
  }
}

function table(rows: (string | number)[][], header: string[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  return cells
    .map((r, j) => {
      const line = r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ');
      return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(4);
}

/** Progress bar on a TTY; occasional plain lines otherwise (logs, CI). */
function progressReporter(g: GlobalOpts, label: string): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  if (g.json || g.quiet) return { onProgress: () => {}, stop: () => {} };
  const tty = process.stderr.isTTY;
  let bar: SingleBar | null = null;
  let lastLine = 0;
  return {
    onProgress(e) {
      if (e.phase === 'train' && e.batch && e.batches) {
        const loss = e.losses?.total !== undefined ? e.losses.total.toFixed(4) : '';
        const eta = e.etaSeconds !== undefined ? `${Math.round(e.etaSeconds)}s` : '?';
        if (tty) {
          if (!bar) {
            bar = new SingleBar({ format: `${label} |{bar}| epoch {epoch}/{epochs} batch {value}/{total} loss {loss} eta {eta}`, stream: process.stderr }, Presets.shades_classic);
            bar.start(e.batches, 0, { epoch: e.epoch, epochs: e.epochs, loss, eta });
          }
          bar.setTotal(e.batches);
          bar.update(e.batch, { epoch: e.epoch, epochs: e.epochs, loss, eta });
        } else if (Date.now() - lastLine > 10_000) {
          lastLine = Date.now();
          process.stderr.write(`${label}: epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${loss} eta ${eta}\n`);
        }
      } else if (e.phase === 'epoch' && e.metrics && !tty) {
        process.stderr.write(`${label}: epoch ${e.epoch} val recall@20 ${fmt(e.metrics['recall@20'] ?? NaN)}\n`);
      }
    },
    stop() {
      (bar as SingleBar | null)?.stop();
    },
  };
}

/** `--set key=value` overrides: numbers, booleans and comma lists parsed; validated later by zod. */
function parseSets(sets: string[] = []): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new CliError(`--set expects key=value, got "${s}"`, EXIT.usage);
    const key = s.slice(0, eq);
    const raw = s.slice(eq + 1);
    const one = (v: string): unknown => (v === 'true' ? true : v === 'false' ? false : v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);
    o[key] = key === 'modalities' || key === 'ks' ? (raw ? raw.split(',').map(one) : []) : one(raw);
  }
  return o;
}

const TRAIN_KEYS = new Set(['epochs', 'batchSize', 'sampler', 'lr', 'lrDecayRate', 'lrDecayEvery', 'evalEvery', 'patience', 'criterion', 'ks']);

function splitOverrides(sets: Record<string, unknown>): { model: Record<string, unknown>; train: Record<string, unknown> } {
  const model: Record<string, unknown> = {};
  const train: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sets)) (TRAIN_KEYS.has(k) ? train : model)[k] = v;
  return { model, train };
}

function metricsLine(m: Record<string, number> | null): string {
  if (!m) return '(no held-out interactions)';
  return ['recall@20', 'ndcg@20', 'precision@20', 'hit@20', 'ndcg_ref@20'].map((k) => `${k} ${fmt(m[k] ?? NaN)}`).join('  ');
}

function runRow(r: RunRecord, store: RunStore): (string | number)[] {
  const ev = store.getEvaluations(r.id, { split: 'val', metric: 'recall', k: 20 }).filter((e) => e.epoch === r.bestEpoch || e.epoch === null);
  const val = ev.length ? ev[ev.length - 1].value : NaN;
  return [r.id, r.name, r.model, r.preset ?? '', r.status, r.backend ?? '', r.bestEpoch ?? '', Number.isNaN(val) ? '' : val, r.wallSeconds !== null ? `${Math.round(r.wallSeconds)}s` : ''];
}

async function trainCommand(g: GlobalOpts, opts: {
  dataset: string;
  model: ModelKind;
  preset: 'paper' | 'reference';
  epochs?: number;
  seed: number;
  name?: string;
  set?: string[];
  contrastive?: 'exact' | 'sampled';
}): Promise<number> {
  const store = openStore(g);
  try {
    const backend = await initBackend(g.backend);
    const { record, dataset } = resolveDataset(store, opts.dataset);
    const sets = splitOverrides(parseSets(opts.set));
    if (opts.epochs !== undefined) sets.train.epochs = opts.epochs;
    if (opts.contrastive) sets.model.contrastiveMode = opts.contrastive;
    const spec: RunSpec = { model: opts.model, preset: opts.preset, seed: opts.seed, model_overrides: sets.model, train_overrides: sets.train };
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const prog = progressReporter(g, opts.model);
    if (!g.json && !g.quiet) process.stderr.write(`backend: ${backend.name}; dataset ${record.name} (${dataset.setting}); store ${store.path}\n`);
    try {
      const res = executeRun({ store, dataset, datasetRecord: record, spec, name: opts.name, signal: abort.signal, onProgress: prog.onProgress });
      prog.stop();
      out(
        g,
        () =>
          `run ${res.run.id} ${res.run.status} (${res.run.model}/${res.run.preset}, backend ${res.run.backend}, best epoch ${res.run.bestEpoch ?? '-'}, ${Math.round(res.run.wallSeconds ?? 0)}s)\n` +
          `  val:  ${metricsLine(res.val)}\n  test: ${metricsLine(res.test)}`,
        { run: res.run, val: res.val, test: res.test },
      );
      return res.run.status === 'cancelled' ? EXIT.cancelled : EXIT.ok;
    } finally {
      prog.stop();
      process.off('SIGINT', onSigint);
    }
  } finally {
    store.close();
  }
}

/** Quick start: MICRO vs LightGCN (and popularity) on the demo's warm and cold splits. */
async function demoCommand(g: GlobalOpts, opts: { epochs: number; seed: number; lr: number }): Promise<number> {
  const store = openStore(g);
  const results: { setting: string; model: string; test: Record<string, number> | null; runId: number }[] = [];
  try {
    const backend = await initBackend(g.backend);
    if (!g.json) process.stderr.write(`MICRO Workbench demo — backend ${backend.name}, store ${store.path}\n`);
    for (const setting of ['warm', 'cold'] as const) {
      const name = `demo-${setting}`;
      const existing = store.getDataset(name);
      const { record, dataset } = existing ? { record: existing, dataset: loadRegistered(existing) } : importDataset(store, DEMO_DIR, { name, setting });
      for (const model of ['micro', 'lightgcn', 'popularity'] as const) {
        const prog = progressReporter(g, `${setting}/${model}`);
        const res = executeRun({
          store,
          dataset,
          datasetRecord: record,
          // Same learning rate and epoch budget for every model, early stopping on val Recall@20.
          spec: { model, preset: 'paper', seed: opts.seed, train_overrides: { epochs: opts.epochs, lr: opts.lr } },
          name: `demo ${setting} ${model}`,
          onProgress: prog.onProgress,
        });
        prog.stop();
        results.push({ setting, model, test: res.test, runId: res.run.id });
      }
    }
  } finally {
    store.close();
  }
  out(
    g,
    () =>
      `\nTest metrics on the synthetic demo dataset (full ranking, train items masked):\n` +
      table(
        results.map((r) => [r.setting, r.model, r.test?.['recall@20'] ?? NaN, r.test?.['ndcg@20'] ?? NaN, r.test?.['precision@20'] ?? NaN, r.test?.['hit@20'] ?? NaN, r.runId]),
        ['setting', 'model', 'recall@20', 'ndcg@20', 'precision@20', 'hit@20', 'run'],
      ),
    results,
  );
  return EXIT.ok;
}

export function buildProgram(): Command {
  const program = new Command('micro')
    .description('MICRO Workbench: train and inspect MICRO multimedia recommenders')
    .version(APP_VERSION)
    .option('--store <path>', 'run store file (default: $MICRO_STORE or the app-data folder)')
    .option('--json', 'machine-readable JSON output')
    .option('-q, --quiet', 'no progress output')
    .addOption(new Option('--backend <name>', 'TF.js backend').choices(['auto', ...BACKEND_ORDER]).default('auto'))
    .exitOverride()
    .showHelpAfterError();
  const g = () => program.opts<GlobalOpts>();

  program
    .command('demo')
    .description('train MICRO and baselines on the embedded demo dataset (warm + cold) and print test metrics')
    .option('--epochs <n>', 'maximum epochs per model', (v) => parseInt(v, 10), 60)
    .option('--lr <x>', 'learning rate for every model', parseFloat, 1e-3)
    .option('--seed <n>', 'random seed', (v) => parseInt(v, 10), 123)
    .action(async (o) => {
      process.exitCode = await demoCommand(g(), o);
    });

  const ds = program.command('datasets').description('import, split, inspect and diagnose datasets');
  ds.command('import <folder>')
    .description('detect the layout (LATTICE/MICRO, MMRec, raw list), validate, and register')
    .option('--name <name>', 'dataset name')
    .addOption(new Option('--layout <layout>').choices(['auto', 'lattice', 'mmrec', 'raw']).default('auto'))
    .addOption(new Option('--setting <setting>', 'LATTICE folders with both: 5-core (warm) or 0-core (cold)').choices(['warm', 'cold']))
    .action((folder, o) => {
      const store = openStore(g());
      try {
        const { record } = importDataset(store, folder, o);
        out(g(), () => `registered dataset "${record.name}" (${record.layout}, ${record.setting}): ${record.stats.users} users, ${record.stats.items} items, fingerprint ${record.fingerprint.slice(0, 12)}`, record);
      } finally {
        store.close();
      }
    });
  ds.command('list')
    .description('registered datasets')
    .action(() => {
      const store = openStore(g());
      try {
        const list = store.listDatasets();
        out(g(), () => table(list.map((d) => [d.id, d.name, d.layout, d.setting, d.stats.users, d.stats.items, d.stats.interactions.train, d.modalities.map((m) => `${m.name}:${m.dim}`).join(' ')]), ['id', 'name', 'layout', 'setting', 'users', 'items', 'train', 'modalities']), list);
      } finally {
        store.close();
      }
    });
  ds.command('info <nameOrFolder>')
    .description('statistics of a dataset (registered name or folder)')
    .action((target) => {
      const store = openStore(g());
      try {
        const { dataset, record } = resolveDataset(store, target);
        const s = computeStats(dataset);
        out(
          g(),
          () =>
            `${record.name} (${dataset.layout}, ${dataset.setting})\n` +
            table([[s.nUsers, s.nItems, s.nTrain, s.nVal, s.nTest, s.density, s.coldItems, s.usersWithoutTrain]], ['users', 'items', 'train', 'val', 'test', 'density', 'cold items', 'users w/o train']) +
            `\nmodalities: ${s.modalities.map((m) => `${m.name} (${m.dim}-d)`).join(', ') || 'none'}\nfingerprint: ${dataset.fingerprint}`,
          { ...s, name: record.name, fingerprint: dataset.fingerprint, setting: dataset.setting, layout: dataset.layout },
        );
      } finally {
        store.close();
      }
    });
  ds.command('split <nameOrFolder>')
    .description('build a warm (80/10/10 per user) or cold-start (20% items held out) split, or carve a test split from train')
    .addOption(new Option('--mode <mode>').choices(['warm', 'cold', 'carve-test']).makeOptionMandatory())
    .requiredOption('--out <folder>', 'where to write the LATTICE-layout split')
    .option('--name <name>', 'name of the new dataset')
    .option('--seed <n>', 'split seed', (v) => parseInt(v, 10), 123)
    .action((target, o) => {
      const store = openStore(g());
      try {
        const { dataset } = resolveDataset(store, target);
        const { record } = splitDataset(store, dataset, o.mode as SplitMode, o.out, { seed: o.seed, name: o.name });
        out(g(), () => `registered "${record.name}" (${record.setting}) in ${o.out}: train ${record.stats.interactions.train}, val ${record.stats.interactions.val}, test ${record.stats.interactions.test}`, record);
      } finally {
        store.close();
      }
    });
  ds.command('diagnose <nameOrFolder>')
    .description("the paper's pilot studies per modality: do the features carry structure MICRO can use?")
    .action((target) => {
      const store = openStore(g());
      try {
        const { dataset } = resolveDataset(store, target);
        const res = diagnoseDataset(dataset);
        out(
          g(),
          () =>
            table(
              res.map((r) => [r.modality, r.meanAllPairs, r.meanCoInteracted, ...r.shareWithSimilarPair.map((s) => `${(100 * s.share).toFixed(1)}%`)]),
              ['modality', 'mean cos (all)', 'mean cos (co-interacted)', ...res[0]?.shareWithSimilarPair.map((s) => `k=${s.k}`) ?? []],
            ),
          res,
        );
      } finally {
        store.close();
      }
    });

  program
    .command('train')
    .description('train a model (MICRO or a baseline) and record the run')
    .requiredOption('--dataset <nameOrFolder>', 'registered dataset name or folder')
    .addOption(new Option('--model <model>').choices([...MODEL_KINDS]).default('micro'))
    .addOption(new Option('--preset <preset>').choices(['paper', 'reference']).default('paper'))
    .addOption(new Option('--contrastive <mode>', 'MICRO contrastive loss: exact or sampled anchors').choices(['exact', 'sampled']))
    .option('--epochs <n>', 'maximum epochs', (v) => parseInt(v, 10))
    .option('--seed <n>', 'random seed', (v) => parseInt(v, 10), 123)
    .option('--name <name>', 'run name')
    .option('--set <key=value...>', 'override any hyperparameter, e.g. --set lambda=0.9 topK=20 lr=1e-3')
    .action(async (o) => {
      process.exitCode = await trainCommand(g(), o);
    });

  program
    .command('resume <runId>')
    .description('resume an interrupted or cancelled run from its last checkpoint')
    .action(async (id) => {
      const store = openStore(g());
      try {
        await initBackend(g().backend);
        const run = store.getRun(Number(id));
        if (!run) throw new CliError(`run ${id} not found`, EXIT.fail);
        const rec = run.datasetId !== null ? store.getDataset(run.datasetId) : null;
        if (!rec) throw new CliError(`run ${id}: its dataset is no longer registered`, EXIT.fail);
        const prog = progressReporter(g(), run.model);
        const res = executeRun({ store, dataset: loadRegistered(rec), datasetRecord: rec, spec: { model: run.model as ModelKind }, resumeRunId: run.id, onProgress: prog.onProgress });
        prog.stop();
        out(g(), () => `run ${res.run.id} ${res.run.status}\n  val:  ${metricsLine(res.val)}\n  test: ${metricsLine(res.test)}`, res);
      } finally {
        store.close();
      }
    });

  program
    .command('eval <runId>')
    .description('show the stored evaluations of a run (val/test, warm/cold, every K and metric)')
    .action((id) => {
      const store = openStore(g());
      try {
        const run = store.getRun(Number(id));
        if (!run) throw new CliError(`run ${id} not found`, EXIT.fail);
        const evs = store.getEvaluations(run.id).filter((e) => e.epoch === run.bestEpoch || e.epoch === null || run.bestEpoch === null);
        out(g(), () => table(evs.map((e) => [e.split, e.setting, e.metric, e.k, e.value]), ['split', 'setting', 'metric', 'K', 'value']), evs);
      } finally {
        store.close();
      }
    });

  const runs = program.command('runs').description('list, show, rename and delete runs');
  runs
    .command('list')
    .option('--status <status>')
    .option('--model <model>')
    .action((o) => {
      const store = openStore(g());
      try {
        const list = store.listRuns({ status: o.status, model: o.model, sortBy: 'id', order: 'desc' });
        out(g(), () => table(list.map((r) => runRow(r, store)), ['id', 'name', 'model', 'preset', 'status', 'backend', 'best', 'val R@20', 'wall']), list);
      } finally {
        store.close();
      }
    });
  runs.command('show <runId>').action((id) => {
    const store = openStore(g());
    try {
      const run = store.getRun(Number(id));
      if (!run) throw new CliError(`run ${id} not found`, EXIT.fail);
      const epochs = store.getEpochs(run.id);
      const artifacts = store.listArtifacts(run.id).map((a) => ({ kind: a.kind, name: a.name, shape: a.shape, bytes: a.bytes }));
      out(
        g(),
        () =>
          `${JSON.stringify({ ...run, config: undefined }, null, 2)}\nconfig: ${JSON.stringify(run.config)}\n` +
          table(epochs.map((e) => [e.epoch, e.losses.total ?? NaN, e.metrics?.['recall@20'] ?? '', e.seconds ?? ''] as (string | number)[]), ['epoch', 'loss', 'val R@20', 'seconds']) +
          `\nartifacts: ${artifacts.map((a) => `${a.kind}/${a.name}`).join(', ')}`,
        { run, epochs, artifacts },
      );
    } finally {
      store.close();
    }
  });
  runs.command('rename <runId> <name>').action((id, name) => {
    const store = openStore(g());
    try {
      out(g(), () => `renamed run ${id}`, store.renameRun(Number(id), name));
    } finally {
      store.close();
    }
  });
  runs
    .command('delete <runId>')
    .option('--force', 'also delete a running run')
    .action((id, o) => {
      const store = openStore(g());
      try {
        if (!store.deleteRun(Number(id), { force: o.force })) throw new CliError(`run ${id} not found`, EXIT.fail);
        out(g(), () => `deleted run ${id}`, { deleted: Number(id) });
      } finally {
        store.close();
      }
    });

  program
    .command('export <runId>')
    .description('export embeddings, neighbour graphs or metrics of a run')
    .addOption(new Option('--what <what>').choices(['embeddings', 'graphs', 'metrics', 'attention']).default('embeddings'))
    .addOption(new Option('--format <format>', 'npy, csv or projector (TensorBoard TSV + metadata)').choices(['npy', 'csv', 'projector']).default('npy'))
    .requiredOption('--out <folder>', 'output folder')
    .option('--embedding <name>', 'which embedding table (default: item_final)')
    .action((id, o) => {
      const store = openStore(g());
      try {
        const files = exportRun(store, Number(id), { what: o.what as ExportWhat, format: o.format as ExportFormat, out: o.out, embedding: o.embedding });
        out(g(), () => files.map((f) => `wrote ${f}`).join('\n'), { files });
      } finally {
        store.close();
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const err = e as Error;
    const code = e instanceof CliError ? e.code : e instanceof DataError ? EXIT.data : isStoreError(e) ? EXIT.store : EXIT.fail;
    process.stderr.write(`micro: ${err.message.split('\n')[0]}\n`);
    if (process.env.MICRO_DEBUG) process.stderr.write(`${err.stack}\n`);
    return code;
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
