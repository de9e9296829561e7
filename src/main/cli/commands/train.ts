// `micro train` and `micro resume`: validate, then train in a worker thread (see hosted.ts).
import { Argument, Option, type Command } from 'commander';
import type { RunStore } from '../../store';
import { MODEL_KINDS, type ModelKind } from '../../engine/experiment';
import { datasetArg } from './dataset-arg';
import { parseCount, parseRunId, validatedSpec } from '../args';
import { withStore, type GlobalOpts } from '../context';
import { CliError } from '../errors';
import { metricsLine, out } from '../output';
import { trainHosted, type HostedResult } from '../hosted';

function report(g: GlobalOpts, res: HostedResult): void {
  const r = res.run;
  out(
    g,
    () =>
      `run ${r.id} ${r.status} (${r.model}/${r.preset}, backend ${r.backend}, best epoch ${r.bestEpoch ?? '-'}, ${Math.round(r.wallSeconds ?? 0)}s)\n` +
      `  val:  ${metricsLine(res.val)}\n  test: ${metricsLine(res.test)}`,
    res,
  );
}

/** Why a run cannot be resumed, or null when it can (interrupted/cancelled with a checkpoint). */
function notResumable(store: RunStore, id: number): string | null {
  const run = store.getRun(id);
  if (!run) return null;
  switch (run.status) {
    case 'completed':
      return `run ${id} is completed; there is nothing to resume`;
    case 'failed':
      return `run ${id} failed${run.error ? ` (${run.error})` : ''}; a failed run cannot be resumed, start a new one`;
    case 'running':
    case 'queued':
      return `run ${id} is still ${run.status}${run.pid ? ` (pid ${run.pid} on ${run.host ?? '?'})` : ''}`;
  }
  return store.latestCheckpoint(id) ? null : `run ${id} has no checkpoint to resume from (it stopped before its first epoch ended)`;
}

export function registerTrain(program: Command, g: () => GlobalOpts): void {
  program
    .command('train')
    .description('train a model (MICRO or a baseline) and record the run')
    .requiredOption('--dataset <nameOrFolder>', 'registered dataset name or folder')
    .addOption(new Option('--model <model>').choices([...MODEL_KINDS]).default('micro'))
    .addOption(new Option('--preset <preset>').choices(['paper', 'reference']).default('paper'))
    .addOption(new Option('--contrastive <mode>', 'MICRO contrastive loss: exact or sampled anchors').choices(['exact', 'sampled']))
    .option('--epochs <n>', 'maximum epochs', parseCount)
    .option('--seed <n>', 'random seed', parseCount, 123)
    .option('--name <name>', 'run name')
    .option('--set <key=value...>', 'override any hyperparameter, e.g. --set lambda=0.9 topK=20 lr=1e-3')
    .action(async (o: { dataset: string; model: ModelKind; preset: 'paper' | 'reference'; epochs?: number; seed: number; name?: string; set?: string[]; contrastive?: 'exact' | 'sampled' }) => {
      const spec = await validatedSpec(o);
      const res = await withStore(g(), (store) => {
        const rec = datasetArg(store, o.dataset);
        return trainHosted(g(), store, { dataset: rec.name, spec, name: o.name }, o.model);
      });
      report(g(), res);
    });

  program
    .command('resume')
    .description('resume an interrupted or cancelled run from its last checkpoint')
    .addArgument(new Argument('<runId>', 'run id').argParser(parseRunId))
    .action(async (id: number) => {
      const res = await withStore(g(), (store) => {
        const run = store.getRun(id);
        if (!run) throw new CliError('NOT_FOUND', `run ${id} not found`);
        const why = notResumable(store, id);
        if (why) throw new CliError('CONFLICT', why);
        const rec = run.datasetId !== null ? store.getDataset(run.datasetId) : null;
        if (!rec) throw new CliError('FAILED', `run ${id}: its dataset is no longer registered`);
        return trainHosted(g(), store, { dataset: rec.name, spec: { model: run.model as ModelKind }, resumeRunId: run.id }, run.model);
      });
      report(g(), res);
    });
}
