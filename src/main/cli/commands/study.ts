// `micro study …`: define and run a study (ablation, sweep, modalities, coldstart, compare), list
// studies, show one (progress and its results table: terminal, CSV, Markdown, LaTeX or --json),
// resume one. Everything goes through the workbench API; the queue lives behind it (study-run.ts).
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { EVAL_PROTOCOLS, parseStudyValues, PRESETS, PROTOCOL_LABELS, STUDY_KINDS, type EvalProtocol, STUDY_TABLE_FORMATS, type MicroApi, type Preset, type StudyDetails, type StudyKind, type StudyTableFormat } from '../../../shared/api';
import { formatStudyTable } from '../../../shared/study-format';
import { parseCount, parseSets } from '../args';
import { withApi, type GlobalOpts } from '../context';
import { CliError } from '../errors';
import { note, out, table } from '../output';
import { ensureDataset } from './dataset-arg';
import { progressLine, runStudyHosted } from './study-run';

interface ShowOpts {
  format: StudyTableFormat;
  metric: string;
  split: 'val' | 'test';
  protocol: EvalProtocol;
}

interface StudyOpts extends ShowOpts {
  dataset: string;
  seeds: number;
  seed: number;
  epochs?: number;
  preset: Preset;
  model?: string;
  set?: string[];
  param?: string;
  values?: string;
  models?: string;
  parallel: number;
  name?: string;
}

const studyIdArg = () =>
  new Argument('<studyId>', 'study id').argParser((v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a study id (a positive whole number), got "${v}"`);
    return Number(v);
  });

const parseParallel = (v: string) => {
  const n = parseCount(v);
  if (n < 1 || n > 8) throw new InvalidArgumentError(`expected 1 to 8 trainings at a time, got "${v}"`);
  return n;
};

function showOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'table output').choices([...STUDY_TABLE_FORMATS]).default('table'))
    .option('--metric <metric>', 'metric of the tests and columns (recall, ndcg, precision, hit @K)', 'recall@20')
    .addOption(new Option('--split <split>', 'evaluation split of the table').choices(['val', 'test']).default('test'))
    .addOption(new Option('--protocol <protocol>', `ranking protocol: ${EVAL_PROTOCOLS.map((p) => `${p} = ${PROTOCOL_LABELS[p]}`).join(', ')} (cold-start splits)`).choices([...EVAL_PROTOCOLS]).default('all'));
}

async function report(g: GlobalOpts, api: MicroApi, d: StudyDetails, o: ShowOpts): Promise<void> {
  const t = await api.studyTable({ studyId: d.study.id, metric: o.metric, split: o.split, protocol: o.protocol });
  out(
    g,
    () => {
      if (o.format !== 'table') return formatStudyTable(t, o.format);
      const head = `study ${d.study.id} "${d.study.name}": ${d.study.kind} on ${d.study.datasetName}, ${d.study.status} (${d.progress.completed}/${d.progress.total} cells); ${t.split} split, ${PROTOCOL_LABELS[t.protocol]}${d.study.error ? `\n  ${d.study.error}` : ''}`;
      return `${head}\n\n${formatStudyTable(t, 'table')}\n\n${t.notes.map((n) => `  ${n}`).join('\n')}`;
    },
    { study: d, table: t },
  );
}

/** After the table: a study whose queue ended failed is exit 1, naming what failed. */
function failedExit(d: StudyDetails): void {
  if (d.study.status === 'failed') throw new CliError('FAILED', `study ${d.study.id} failed: ${d.study.error ?? 'a cell did not complete'}; retry its cells with: micro study resume ${d.study.id}`);
}

export function registerStudy(program: Command, g: () => GlobalOpts): void {
  const study = program.command('study').description('studies: ablations, sweeps, modalities, cold start, model comparison, with seeds and significance');
  const describe: Record<StudyKind, string> = {
    ablation: "the paper's Table 5: full MICRO, w/o fusion, w/o specific, w/o preference, MICRO/feats, CF+feats",
    sweep: 'one hyperparameter over values (--param NAME --values a,b,c; topK=0: no item graph)',
    modalities: 'each modality alone against all of them',
    coldstart: 'MICRO against the baselines on a cold-start split',
    compare: 'a list of models (--models a,b; default: every model) on one protocol',
  };
  for (const kind of STUDY_KINDS) {
    showOptions(
      study
        .command(kind)
        .description(describe[kind])
        .requiredOption('--dataset <nameOrFolder>', 'registered dataset name or folder')
        .option('--seeds <n>', 'seeds per variant (base seed, base + 1, …)', parseCount, 3)
        .option('--seed <n>', 'base seed', parseCount, 123)
        .option('--epochs <n>', 'epoch budget of every cell', parseCount)
        .addOption(new Option('--preset <preset>').choices([...PRESETS]).default('paper'))
        .option('--model <model>', 'the model of an ablation, modalities or sweep study', undefined)
        .option('--set <key=value...>', 'override any hyperparameter in every cell, e.g. --set contrastiveMode=sampled')
        .option('--param <name>', 'sweep: the hyperparameter')
        .option('--values <list>', 'sweep: comma-separated values')
        .option('--models <list>', 'compare / coldstart: comma-separated models')
        .option('--parallel <n>', 'trainings at a time (1-8)', parseParallel, 1)
        .option('--name <name>', 'study name'),
    ).action(async (o: StudyOpts) => {
      await withApi(g(), async (api, service) => {
        const opts = await api.modelOptions();
        const trainKeys = new Set(opts.trainFields.map((f) => f.key));
        const modelOverrides: Record<string, unknown> = {};
        const trainOverrides: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(parseSets(o.set))) (trainKeys.has(k) ? trainOverrides : modelOverrides)[k] = v;
        if (kind === 'sweep' && (!o.param || !o.values)) throw new CliError('USAGE', '--param and --values: a sweep needs both (e.g. --param topK --values 0,5,10,20)', `see: micro study sweep --help`);
        const dataset = await ensureDataset(api, o.dataset);
        const d = await api.createStudy({
          kind,
          dataset: dataset.name,
          name: o.name,
          preset: o.preset,
          seeds: o.seeds,
          baseSeed: o.seed,
          epochs: o.epochs,
          model: o.model,
          modelOverrides,
          trainOverrides,
          param: o.param,
          values: o.values ? parseStudyValues(o.values) : undefined,
          models: o.models ? o.models.split(',').map((m) => m.trim()).filter(Boolean) : undefined,
        });
        note(g(), `study ${d.study.id}: ${d.definition.variants.length} variants × ${d.definition.seeds.length} seeds = ${d.progress.total} cells on ${dataset.name}; store ${service.store.path}`);
        for (const n of d.definition.notes) note(g(), `  ${n}`);
        const done = await runStudyHosted(g(), api, service, d.study.id, o.parallel);
        await report(g(), api, done, o);
        failedExit(done);
      });
    });
  }

  study
    .command('list')
    .description('recorded studies, newest first')
    .action(async () => {
      const list = await withApi(g(), (api) => api.listStudies());
      out(g(), () => (list.length ? table(list.map((s) => [s.id, s.name, s.kind, s.datasetName, s.status, `${s.completed}/${s.cells}`, s.createdAt.slice(0, 19)]), ['id', 'name', 'kind', 'dataset', 'status', 'cells', 'created']) : 'no studies yet'), list);
    });

  showOptions(study.command('show').description("a study's progress, cells and results table").addArgument(studyIdArg())).action(async (id: number, o: ShowOpts) => {
    await withApi(g(), async (api) => {
      const d = await api.getStudy({ studyId: id });
      if (!g().json && o.format === 'table') note(g(), progressLine(id, d.progress));
      await report(g(), api, d, o);
    });
  });

  showOptions(
    study
      .command('resume')
      .description('continue an interrupted, cancelled or failed study: finished cells are kept, stopped ones resume from their checkpoints')
      .addArgument(studyIdArg())
      .option('--parallel <n>', 'trainings at a time (1-8)', parseParallel, 1),
  ).action(async (id: number, o: ShowOpts & { parallel: number }) => {
    await withApi(g(), async (api, service) => {
      const done = await runStudyHosted(g(), api, service, id, o.parallel);
      await report(g(), api, done, o);
      failedExit(done);
    });
  });
}
