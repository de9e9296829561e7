// `micro datasets …`: import, list, info, split, diagnose. Listing and info of registered datasets
// come from the API; parsing folders stays in-process so bad data keeps its own exit code (3).
import { Option, type Command } from 'commander';
import type { DatasetInfo, DatasetStats as ApiStats } from '../../../shared/api';
import { computeStats } from '../../engine/data';
import type { DatasetStats } from '../../engine/types';
import { importDataset, splitDataset, type SplitMode } from '../../runs/datasets';
import { diagnoseDataset } from '../../runs/diagnose';
import { parseCount } from '../args';
import { withApi, withStore, type GlobalOpts } from '../context';
import { note, out, table } from '../output';
import { loadDatasetArg } from './dataset-arg';
import { registerItems } from './items';

/** The registered record's stats in the shape `computeStats` gives (what `datasets info --json` prints). */
function statsOf(d: DatasetInfo): DatasetStats {
  const s: ApiStats = d.stats;
  return {
    nUsers: s.users,
    nItems: s.items,
    nTrain: s.interactions.train,
    nVal: s.interactions.val,
    nTest: s.interactions.test,
    density: s.density,
    usersWithoutTrain: s.usersWithoutTrain ?? NaN,
    coldItems: s.coldItems,
    modalities: d.modalities.map((m) => ({ name: m.name, dim: m.dim })),
  };
}

function printInfo(
  g: GlobalOpts,
  s: DatasetStats,
  d: { name: string; layout: string; setting: string; fingerprint: string; sourceExists?: boolean; sourcePaths?: string[]; warnings?: readonly string[]; itemsWithMetadata?: number },
): void {
  out(
    g,
    () =>
      `${d.name} (${d.layout}, ${d.setting})\n` +
      table([[s.nUsers, s.nItems, s.nTrain, s.nVal, s.nTest, s.density, s.coldItems, s.usersWithoutTrain]], ['users', 'items', 'train', 'val', 'test', 'density', 'cold items', 'users w/o train']) +
      `\nmodalities: ${s.modalities.map((m) => `${m.name} (${m.dim}-d)`).join(', ') || 'none'}\nfingerprint: ${d.fingerprint}` +
      (d.itemsWithMetadata ? `\nitem metadata: ${d.itemsWithMetadata} items (see: micro datasets items ${d.name})` : '') +
      (d.warnings?.length ? `\n${d.warnings.length} warning(s):\n${d.warnings.map((w) => `  ${w}`).join('\n')}` : '') +
      (d.sourceExists === false ? `\nwarning: its files (${d.sourcePaths?.join(', ')}) no longer exist; re-import it` : ''),
    { ...s, ...d },
  );
}

export function registerDatasets(program: Command, g: () => GlobalOpts): void {
  const ds = program.command('datasets').description('import, split, inspect and diagnose datasets');
  ds.command('import <folder>')
    .description('detect the layout (LATTICE/MICRO, MMRec, raw list), validate, and register')
    .option('--name <name>', 'dataset name')
    .addOption(new Option('--layout <layout>').choices(['auto', 'lattice', 'mmrec', 'raw']).default('auto'))
    .addOption(new Option('--setting <setting>', 'LATTICE folders with both: 5-core (warm) or 0-core (cold)').choices(['warm', 'cold']))
    .action(async (folder: string, o) => {
      const { record, items } = await withStore(g(), (store) => {
        const rec = importDataset(store, folder, o).record;
        return { record: rec, items: store.countItems(rec.id) };
      });
      out(
        g(),
        () =>
          `registered dataset "${record.name}" (${record.layout}, ${record.setting}): ${record.stats.users} users, ${record.stats.items} items, fingerprint ${record.fingerprint.slice(0, 12)}` +
          (items ? `\nitem metadata: ${items} items` : ''),
        record,
      );
      if (record.warnings.length) note(g(), `${record.warnings.length} warning(s):\n${record.warnings.map((w) => `  ${w}`).join('\n')}`);
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
    .action(async (target: string) => {
      const info = await withApi(g(), (api, service) => (service.store.getDataset(target) ? api.datasetInfo({ dataset: target }) : null));
      if (info) return printInfo(g(), statsOf(info), info);
      // Not registered: a folder, imported on the fly (as `train` does).
      await withStore(g(), (store) => {
        const { record: rec, dataset } = loadDatasetArg(store, target);
        const stored = store.getDataset(rec.id);
        printInfo(g(), computeStats(dataset), { name: rec.name, layout: dataset.layout, setting: dataset.setting, fingerprint: dataset.fingerprint, warnings: stored?.warnings ?? [], itemsWithMetadata: store.countItems(rec.id) });
      });
    });

  registerItems(ds, g);

  ds.command('split <nameOrFolder>')
    .description('build a warm (80/10/10 per user) or cold-start (20% items held out) split, or carve a test split from train')
    .addOption(new Option('--mode <mode>').choices(['warm', 'cold', 'carve-test']).makeOptionMandatory())
    .requiredOption('--out <folder>', 'where to write the LATTICE-layout split')
    .option('--name <name>', 'name of the new dataset')
    .option('--seed <n>', 'split seed', parseCount, 123)
    .action(async (target: string, o: { mode: SplitMode; out: string; name?: string; seed: number }) => {
      const record = await withStore(g(), (store) => splitDataset(store, loadDatasetArg(store, target).dataset, o.mode, o.out, { seed: o.seed, name: o.name }).record);
      out(g(), () => `registered "${record.name}" (${record.setting}) in ${o.out}: train ${record.stats.interactions.train}, val ${record.stats.interactions.val}, test ${record.stats.interactions.test}`, record);
    });

  ds.command('diagnose <nameOrFolder>')
    .description("the paper's pilot studies per modality: do the features carry structure MICRO can use?")
    .action(async (target: string) => {
      const res = await withStore(g(), (store) => diagnoseDataset(loadDatasetArg(store, target).dataset));
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
