// `micro datasets …`: import, list, info, split, diagnose — all through the API (its task workers
// parse the files); bad data is exit 3, naming the file and line.
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { DatasetInfo } from '../../../shared/api';
import { parseCount } from '../args';
import { withApi, type GlobalOpts } from '../context';
import { CliError, readingData } from '../errors';
import { note, out, table } from '../output';
import { datasetWithFiles, ensureDataset } from './dataset-arg';
import { registerItems } from './items';

/** What `datasets info --json` prints: the registered record's stats under the engine's names. */
function infoJson(d: DatasetInfo) {
  const s = d.stats;
  return {
    nUsers: s.users,
    nItems: s.items,
    nTrain: s.interactions.train,
    nVal: s.interactions.val,
    nTest: s.interactions.test,
    density: s.density,
    usersWithoutTrain: s.usersWithoutTrain ?? null,
    coldItems: s.coldItems,
    ...d,
  };
}

function printInfo(g: GlobalOpts, d: DatasetInfo): void {
  const s = d.stats;
  out(
    g,
    () =>
      `${d.name} (${d.layout}, ${d.setting})\n` +
      table([[s.users, s.items, s.interactions.train, s.interactions.val, s.interactions.test, s.density, s.coldItems, s.usersWithoutTrain ?? NaN]], ['users', 'items', 'train', 'val', 'test', 'density', 'cold items', 'users w/o train']) +
      `\nmodalities: ${d.modalities.map((m) => `${m.name} (${m.dim}-d)`).join(', ') || 'none'}\nfingerprint: ${d.fingerprint}` +
      (d.itemsWithMetadata ? `\nitem metadata: ${d.itemsWithMetadata} items (see: micro datasets items ${d.name})` : '') +
      (d.warnings.length ? `\n${d.warnings.length} warning(s):\n${d.warnings.map((w) => `  ${w}`).join('\n')}` : '') +
      (d.sourceExists === false ? `\nwarning: its files (${d.sourcePaths.join(', ')}) no longer exist; re-import it` : ''),
    infoJson(d),
  );
}

export function registerDatasets(program: Command, g: () => GlobalOpts): void {
  const ds = program.command('datasets').description('import, split, inspect and diagnose datasets');
  ds.command('import <folder>')
    .description('detect the layout (LATTICE/MICRO, MMRec, raw list), validate, and register')
    .option('--name <name>', 'dataset name')
    .addOption(new Option('--layout <layout>').choices(['auto', 'lattice', 'mmrec', 'raw']).default('auto'))
    .addOption(new Option('--setting <setting>', 'LATTICE folders with both: 5-core (warm) or 0-core (cold)').choices(['warm', 'cold']))
    .action(async (folder: string, o: { name?: string; layout: 'auto' | 'lattice' | 'mmrec' | 'raw'; setting?: 'warm' | 'cold' }) => {
      // Checked here too, so that the message names the argument as typed, before the store opens.
      if (!fs.existsSync(folder)) throw new CliError('DATA', `${folder}: dataset folder or file not found`);
      const d = await withApi(g(), (api) => readingData(api.importDataset({ path: folder, name: o.name, layout: o.layout, setting: o.setting })));
      out(
        g(),
        () =>
          `registered dataset "${d.name}" (${d.layout}, ${d.setting}): ${d.stats.users} users, ${d.stats.items} items, fingerprint ${d.fingerprint.slice(0, 12)}` +
          (d.itemsWithMetadata ? `\nitem metadata: ${d.itemsWithMetadata} items` : ''),
        d,
      );
      if (d.warnings.length) note(g(), `${d.warnings.length} warning(s):\n${d.warnings.map((w) => `  ${w}`).join('\n')}`);
    });

  ds.command('list')
    .description('registered datasets')
    .action(async () => {
      const list = await withApi(g(), (api) => api.listDatasets());
      out(
        g(),
        () => table(list.map((d) => [d.id, d.name, d.layout, d.setting, d.stats.users, d.stats.items, d.stats.interactions.train, d.runCount, d.modalities.map((m) => `${m.name}:${m.dim}`).join(' ')]), ['id', 'name', 'layout', 'setting', 'users', 'items', 'train', 'runs', 'modalities']),
        list,
      );
    });

  ds.command('info <nameOrFolder>')
    .description('statistics of a dataset (registered name or folder)')
    .action(async (target: string) => printInfo(g(), await withApi(g(), (api) => ensureDataset(api, target))));

  registerItems(ds, g);

  ds.command('split <nameOrFolder>')
    .description('build a warm (80/10/10 per user) or cold-start (20% items held out) split, or carve a test split from train')
    .addOption(new Option('--mode <mode>').choices(['warm', 'cold', 'carve-test']).makeOptionMandatory())
    .requiredOption('--out <folder>', 'where to write the LATTICE-layout split')
    .option('--name <name>', 'name of the new dataset')
    .option('--seed <n>', 'split seed', parseCount, 123)
    .action(async (target: string, o: { mode: 'warm' | 'cold' | 'carve-test'; out: string; name?: string; seed: number }) => {
      const d = await withApi(g(), async (api) => readingData(api.splitDataset({ dataset: (await datasetWithFiles(api, target)).name, mode: o.mode, out: o.out, name: o.name, seed: o.seed })));
      out(g(), () => `registered "${d.name}" (${d.setting}) in ${o.out}: train ${d.stats.interactions.train}, val ${d.stats.interactions.val}, test ${d.stats.interactions.test}`, d);
    });

  ds.command('diagnose <nameOrFolder>')
    .description("the paper's pilot studies per modality: do the features carry structure MICRO can use?")
    .action(async (target: string) => {
      const res = (await withApi(g(), async (api) => readingData(api.diagnoseDataset({ dataset: (await datasetWithFiles(api, target)).name })))).modalities;
      out(
        g(),
        () =>
          table(
            res.map((r) => [r.modality, r.meanAllPairs, r.meanCoInteracted, ...r.shareWithSimilarPair.map((s) => `${(100 * s.share).toFixed(1)}%`)]),
            ['modality', 'mean cos (all)', 'mean cos (co-interacted)', ...(res[0]?.shareWithSimilarPair.map((s) => `k=${s.k}`) ?? [])],
          ),
        res,
      );
    });
}
