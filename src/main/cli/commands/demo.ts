// `micro demo`: MICRO vs LightGCN (and popularity) on the embedded demo's warm and cold splits,
// one run after another, each in a worker thread; Ctrl-C stops the current run and the demo (130).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseCount, parsePositive } from '../args';
import { withApi, type GlobalOpts } from '../context';
import { note, out, table } from '../output';
import { ensureDataset } from './dataset-arg';
import { trainHosted } from '../hosted';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const DEMO_DIR = path.join(repoRoot, 'resources', 'demo');

interface DemoResult {
  setting: string;
  model: string;
  test: Record<string, number> | null;
  runId: number;
}

export function registerDemo(program: Command, g: () => GlobalOpts): void {
  program
    .command('demo')
    .description('train MICRO and baselines on the embedded demo dataset (warm + cold) and print test metrics')
    .option('--epochs <n>', 'maximum epochs per model', parseCount, 60)
    .option('--lr <x>', 'learning rate for every model', parsePositive, 1e-3)
    .option('--seed <n>', 'random seed', parseCount, 123)
    .action(async (o: { epochs: number; lr: number; seed: number }) => {
      const results: DemoResult[] = [];
      await withApi(g(), async (api, service) => {
        note(g(), `MICRO Workbench demo — store ${service.store.path}`);
        for (const setting of ['warm', 'cold'] as const) {
          const name = `demo-${setting}`;
          await ensureDataset(api, name, { path: DEMO_DIR, name, setting });
          for (const model of ['micro', 'lightgcn', 'popularity'] as const) {
            const res = await trainHosted(
              g(),
              api,
              service,
              // Same learning rate and epoch budget for every model, early stopping on val Recall@20.
              { run: { dataset: name, model, preset: 'paper', seed: o.seed, trainOverrides: { epochs: o.epochs, lr: o.lr }, name: `demo ${setting} ${model}` } },
              `${setting}/${model}`,
            );
            results.push({ setting, model, test: res.test, runId: res.run.id });
          }
        }
      });
      out(
        g(),
        () =>
          `\nTest metrics on the synthetic demo dataset (full ranking over all items, train items masked;\n` +
          `cold: the last column ranks only the cold candidates, the items without train interactions):\n` +
          table(
            results.map((r) => [r.setting, r.model, r.test?.['recall@20'] ?? NaN, r.test?.['ndcg@20'] ?? NaN, r.test?.['precision@20'] ?? NaN, r.test?.['hit@20'] ?? NaN, r.test?.['cold-only:recall@20'] ?? '', r.runId]),
            ['setting', 'model', 'recall@20', 'ndcg@20', 'precision@20', 'hit@20', 'cold-only R@20', 'run'],
          ),
        results,
      );
    });
}
