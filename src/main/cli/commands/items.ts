// `micro datasets items` (item metadata, FTS5 title search) and `micro explore` (an item's
// neighbours per modality with weights and titles). Both read through the workbench API.
import { Argument, Option, type Command } from 'commander';
import { NEIGHBOUR_STAGES, type ItemMeta, type NeighbourStage } from '../../../shared/api';
import { parseCount, parseRunId } from '../args';
import { withApi, type GlobalOpts } from '../context';
import { out, table } from '../output';

const clipText = (s: string | undefined, max = 48) => (s && s.length > max ? `${s.slice(0, max - 1)}…` : (s ?? ''));

/** "title (category)" for a header line. */
function named(m: ItemMeta): string {
  return m.title ? ` "${m.title}"${m.category ? ` (${m.category})` : ''}` : m.category ? ` (${m.category})` : '';
}

export function registerItems(datasets: Command, g: () => GlobalOpts): void {
  datasets
    .command('items <dataset>')
    .description('item metadata of a registered dataset (items.csv/.tsv/.jsonl): search titles and categories')
    .option('--search <text>', 'words to match in titles and categories (prefix match, all words required); an item id matches that item')
    .option('--limit <n>', 'rows to show (1-1000)', parseCount, 20)
    .action(async (dataset: string, o: { search?: string; limit: number }) => {
      const r = await withApi(g(), (api) => api.searchItems({ dataset, query: o.search ?? '', limit: Math.max(1, Math.min(o.limit, 1000)) }));
      out(
        g(),
        () => {
          if (r.total === 0) return `dataset "${r.dataset}" has no item metadata (add items.csv, items.tsv or items.jsonl beside its files and re-import it)`;
          const head = o.search ? `${r.items.length} item(s) matching ${JSON.stringify(o.search)} in "${r.dataset}" (${r.total} with metadata)` : `items of "${r.dataset}" (${r.total} with metadata; first ${r.items.length})`;
          if (!r.items.length) return head;
          return `${head}\n${table(
            r.items.map((i) => [i.item, clipText(i.title), clipText(i.category, 24), i.image ?? '', clipText(i.meta ? JSON.stringify(i.meta) : '', 40)]),
            ['item', 'title', 'category', 'image', 'metadata'],
          )}`;
        },
        r,
      );
    });
}

export function registerExplore(program: Command, g: () => GlobalOpts): void {
  program
    .command('explore')
    .description("an item's neighbours per modality in a run's item graphs, with weights and titles")
    .addArgument(new Argument('<runId>', 'run id').argParser(parseRunId))
    .requiredOption('--item <id>', 'item id (the dataset\'s dense id)', parseCount)
    .addOption(new Option('--stage <stage>', 'initial (raw features), learned, or combined (λ-mix)').choices([...NEIGHBOUR_STAGES]).default('combined'))
    .option('--modality <name>', 'one modality (default: all)')
    .action(async (runId: number, o: { item: number; stage: NeighbourStage; modality?: string }) => {
      const r = await withApi(g(), (api) => api.itemNeighbours({ runId, item: o.item, stage: o.stage, modality: o.modality }));
      out(
        g(),
        () =>
          `item ${r.item}${r.label ? ` [${r.label}]` : ''}${named(r)}${r.cold ? ' · cold' : ''} — run ${r.runId}, ${r.stage} graph\n` +
          r.modalities
            .map(
              (m) =>
                `\n${m.modality}:\n` +
                table(
                  m.neighbours.map((n, q) => [q + 1, n.label ? `${n.item} [${n.label}]` : n.item, n.weight, clipText(n.title), clipText(n.category, 24), n.cold ? 'cold' : '']),
                  ['#', 'item', 'weight', 'title', 'category', ''],
                ),
            )
            .join('\n'),
        r,
      );
    });
}
