// `micro train` and `micro resume`: validate, then train through the API's worker (see hosted.ts).
import { Argument, Option, type Command } from 'commander';
import { PRESETS, type Preset } from '../../../shared/api';
import { ensureDataset } from './dataset-arg';
import { parseCount, parseRunId, validatedSpec } from '../args';
import { withApi, type GlobalOpts } from '../context';
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

export function registerTrain(program: Command, g: () => GlobalOpts): void {
  program
    .command('train')
    .description('train a model (MICRO or a baseline) and record the run')
    .requiredOption('--dataset <nameOrFolder>', 'registered dataset name or folder')
    .option('--model <model>', 'a model of the registry (see: micro models)', 'micro')
    .addOption(new Option('--preset <preset>').choices([...PRESETS]).default('paper'))
    .addOption(new Option('--contrastive <mode>', 'MICRO contrastive loss: exact or sampled anchors').choices(['exact', 'sampled']))
    .option('--epochs <n>', 'maximum epochs', parseCount)
    .option('--seed <n>', 'random seed', parseCount, 123)
    .option('--name <name>', 'run name')
    .option('--set <key=value...>', 'override any hyperparameter, e.g. --set lambda=0.9 topK=20 lr=1e-3')
    .action(async (o: { dataset: string; model: string; preset: Preset; epochs?: number; seed: number; name?: string; set?: string[]; contrastive?: 'exact' | 'sampled' }) => {
      const res = await withApi(g(), async (api, service) => {
        const run = await validatedSpec(api, o);
        const dataset = await ensureDataset(api, o.dataset);
        return trainHosted(g(), api, service, { run: { ...run, dataset: dataset.name, name: o.name } }, o.model);
      });
      report(g(), res);
    });

  program
    .command('resume')
    .description('resume an interrupted or cancelled run from its last checkpoint')
    .addArgument(new Argument('<runId>', 'run id').argParser(parseRunId))
    .action(async (id: number) => {
      const res = await withApi(g(), async (api, service) => trainHosted(g(), api, service, { resume: id }, (await api.getRun({ runId: id })).run.model));
      report(g(), res);
    });
}
