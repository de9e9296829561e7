// `micro runs …`, `micro eval`, `micro export`: reads and maintenance through the workbench API
// (the same summaries and final metrics the app shows); export writes files in-process.
import { Argument, Option, type Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_WHATS, RECOMMEND_SPLITS, RUN_STATUSES, type ExportFormat, type ExportWhat, type RunPage, type RunStatus } from '../../../shared/api';
import { parseCount, parseRunId } from '../args';
import { withApi, type GlobalOpts } from '../context';
import { CliError } from '../errors';
import { fmt, out, table } from '../output';

/** "backend: webgpu (adapter: nvidia / hopper / …)" or "backend: wasm (contrastive kernels: native …)" from the run's config.backendInfo, when recorded. */
function backendLine(backend: string | null, config: unknown): string {
  const info = (config as { backendInfo?: { adapter?: { vendor: string; architecture: string; description: string; device: string; software: boolean }; contrastiveKernels?: string } } | null)?.backendInfo;
  const a = info?.adapter;
  const parts: string[] = [];
  if (a) parts.push(`adapter: ${[a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' / ')}${a.software ? ', software adapter: smoke test, not GPU speed' : ''}`);
  if (info?.contrastiveKernels) parts.push(`contrastive kernels: ${info.contrastiveKernels}`);
  return parts.length ? `backend: ${backend ?? '?'} (${parts.join('; ')})\n` : '';
}

const shown = (v: unknown) => (v === undefined ? '-' : Array.isArray(v) ? v.join(',') : typeof v === 'number' ? fmt(v) : String(v));

/** `micro runs show` for people: what the run page of the app shows, as text. */
function runPageText(p: RunPage, config: unknown, lastEpochs: number): string {
  const r = p.run;
  const changed = p.params.filter((x) => x.changed);
  const lines = [
    `run ${r.id} "${r.name}": ${r.model} / ${r.preset ?? '-'} preset, ${r.status}${r.error ? ` (${r.error})` : ''}`,
    `dataset: ${p.dataset?.name ?? '-'} (${p.dataset?.setting ?? '-'}), fingerprint ${p.dataset?.fingerprint?.slice(0, 12) ?? '-'}; seed ${r.seed ?? '-'}; app ${p.appVersion ?? '-'}${p.host ? ` on ${p.host}` : ''}`,
    backendLine(r.backend, config) || `backend: ${r.backend ?? '-'}`,
    `wall ${r.wallSeconds !== null ? `${Math.round(r.wallSeconds)} s` : '-'}, ${p.secondsPerEpoch !== null ? `${fmt(p.secondsPerEpoch)} s/epoch` : '-'}, ${r.epochsRecorded} epoch(s), best epoch ${r.bestEpoch ?? '-'}${p.tags.length ? `; tags: ${p.tags.join(', ')}` : ''}`,
  ].filter(Boolean);
  if (p.notes) lines.push(`notes: ${p.notes}`);
  lines.push(
    `\nhyperparameters: ${p.params.length} resolved, ${changed.length} changed from the ${r.preset ?? ''} preset${changed.length ? '' : ' (none)'}`,
    ...(changed.length ? [table(changed.map((x) => [`${x.section}.${x.key}`, shown(x.value), shown(x.preset)]), ['option', 'value', 'preset'])] : []),
  );
  if (p.final.length)
    lines.push('\nfinal metrics:', table(p.final.filter((e) => e.k === 20).map((e) => [e.split, e.setting, `${e.metric}@${e.k}`, e.value]), ['split', 'setting', 'metric', 'value']));
  const epochs = p.epochs.slice(-lastEpochs);
  if (epochs.length)
    lines.push(`\nepochs${p.epochs.length > epochs.length ? ` (last ${epochs.length} of ${p.epochs.length})` : ''}:`, table(epochs.map((e) => [e.epoch, e.losses.total ?? NaN, e.metrics?.['recall@20'] ?? NaN, e.seconds ?? NaN]), ['epoch', 'loss', 'val R@20', 'seconds']));
  lines.push(`\nartifacts: ${p.artifacts.map((a) => `${a.kind}/${a.name}`).join(', ') || 'none'}`);
  return lines.join('\n');
}

const runIdArg = () => new Argument('<runId>', 'run id').argParser(parseRunId);

export function registerRuns(program: Command, g: () => GlobalOpts): void {
  program
    .command('eval')
    .description('show the final evaluations of a run (val/test, warm/cold, every K and metric)')
    .addArgument(runIdArg())
    .action(async (id: number) => {
      const evs = (await withApi(g(), (api) => api.getRun({ runId: id }))).final;
      out(g(), () => table(evs.map((e) => [e.split, e.setting, e.metric, e.k, e.value]), ['split', 'setting', 'metric', 'K', 'value']), evs);
    });

  const runs = program.command('runs').description('list, show, rename and delete runs');
  runs
    .command('list')
    .description('recorded runs, newest first')
    .addOption(new Option('--status <status>').choices([...RUN_STATUSES]))
    .option('--model <model>')
    .action(async (o: { status?: RunStatus; model?: string }) => {
      const list = await withApi(g(), (api) => api.listRuns({ status: o.status ? [o.status] : undefined, model: o.model ? [o.model] : undefined }));
      out(
        g(),
        () =>
          table(
            list.map((r) => [r.id, r.name, r.model, r.preset, r.status, r.backend, r.bestEpoch, r.metrics['val/recall@20'] ?? NaN, r.wallSeconds !== null ? `${Math.round(r.wallSeconds)}s` : '']),
            ['id', 'name', 'model', 'preset', 'status', 'backend', 'best', 'val R@20', 'wall'],
          ),
        list,
      );
    });

  runs
    .command('show')
    .description('one run: configuration against its preset, provenance, metrics, epochs, artifacts')
    .addArgument(runIdArg())
    .option('--epochs <n>', 'epochs to list (the last N)', parseCount, 10)
    .action(async (id: number, o: { epochs: number }) => {
      const [d, page] = await withApi(g(), (api) => Promise.all([api.getRun({ runId: id }), api.runPage({ runId: id })]));
      out(g(), () => runPageText(page, d.config, o.epochs), { ...d, page });
    });

  runs
    .command('rename')
    .addArgument(runIdArg())
    .argument('<name>', 'new name')
    .action(async (id: number, name: string) => {
      const r = await withApi(g(), (api) => api.renameRun({ runId: id, name }));
      out(g(), () => `renamed run ${id} to "${r.name}"`, r);
    });

  runs
    .command('delete')
    .addArgument(runIdArg())
    .option('--force', 'also delete a run recorded as running')
    .action(async (id: number, o: { force?: boolean }) => {
      // --force also removes a run another process left `running` (the API refuses one it trains itself).
      const deleted = (await withApi(g(), (api) => api.deleteRun({ runId: id, force: !!o.force }))).deleted;
      if (!deleted) throw new CliError('NOT_FOUND', `run ${id} not found`);
      out(g(), () => `deleted run ${id}`, { deleted: id });
    });

  program
    .command('export')
    .description('export embeddings, neighbour graphs, metrics, attention or top-K recommendations of a run')
    .addArgument(runIdArg())
    .addOption(new Option('--what <what>').choices([...EXPORT_WHATS]).default('embeddings'))
    .addOption(new Option('--format <format>', 'embeddings: npy (default), csv or projector (TensorBoard TSV + metadata); recommendations: csv (default) or jsonl; graphs, metrics, attention: csv').choices(['npy', 'csv', 'projector', 'jsonl']))
    .requiredOption('--out <folder>', 'output folder')
    .option('--embedding <name>', 'which embedding table (default: item_final)')
    .option('--k <n>', 'recommendations: top-K per user (1-1000)', parseCount, 20)
    .addOption(new Option('--split <split>', 'recommendations: users with test items, train masked (test) or every user, all known interactions masked (all)').choices([...RECOMMEND_SPLITS]).default('test'))
    .action(async (id: number, o: { what: ExportWhat; format?: ExportFormat; out: string; embedding?: string; k: number; split: 'test' | 'all' }) => {
      // Embeddings default to .npy; every other export is a table (csv).
      const format = o.format ?? (o.what === 'embeddings' ? 'npy' : 'csv');
      if (o.what === 'recommendations' && format !== 'csv' && format !== 'jsonl') throw new CliError('USAGE', `--format: recommendations export as csv or jsonl (got ${format})`, 'see: micro export --help');
      if (o.what !== 'recommendations' && format === 'jsonl') throw new CliError('USAGE', `--format jsonl: only recommendations export as jsonl`, 'see: micro export --help');
      if (o.k < 1 || o.k > 1000) throw new CliError('USAGE', `--k: expected an integer between 1 and 1000, got ${o.k}`, 'see: micro export --help');
      const res = await withApi(g(), (api) => api.exportRun({ runId: id, what: o.what, format, embedding: o.embedding, k: o.k, split: o.split }));
      const files = writeFiles(o.out, res.files);
      out(g(), () => files.map((f) => `wrote ${f}`).join('\n'), { files });
    });
}

/** Write the API's exported files (base64) into `dir`, creating it; returns their paths. */
function writeFiles(dir: string, files: { name: string; data?: string }[]): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return files.map((f) => {
      const p = path.join(dir, path.basename(f.name));
      fs.writeFileSync(p, Buffer.from(f.data ?? '', 'base64'));
      return p;
    });
  } catch (e) {
    throw new CliError('FAILED', `--out ${dir}: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}
