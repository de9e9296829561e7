// `micro models [model]`: the registry's models (what each stores, trainable or fitted), and for
// one model every hyperparameter with its type, bounds, preset defaults and help — the same
// schema text the Train form shows.
import type { Command } from 'commander';
import type { FieldSpec, ModelOption } from '../../../shared/api';
import { withApi, type GlobalOpts } from '../context';
import { CliError } from '../errors';
import { out, table } from '../output';

function range(f: FieldSpec): string {
  if (f.options) return f.options.join('|');
  const lo = f.exclusiveMin !== undefined ? `>${f.exclusiveMin}` : f.min !== undefined ? `≥${f.min}` : '';
  const hi = f.exclusiveMax !== undefined ? `<${f.exclusiveMax}` : f.max !== undefined ? `≤${f.max}` : '';
  return [lo, hi].filter(Boolean).join(', ');
}

const shown = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));

function capabilities(m: ModelOption): string {
  return Object.entries(m.capabilities)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(', ');
}

export function registerModels(program: Command, g: () => GlobalOpts): void {
  program
    .command('models [model]')
    .description('the models of the registry; with a model: its hyperparameters, bounds, preset defaults and help')
    .action(async (name?: string) => {
      const opts = await withApi(g(), (api) => api.modelOptions());
      if (!name) {
        out(g(), () => table(opts.models.map((m) => [m.model, m.label, m.trainable ? 'trained' : 'fitted', capabilities(m) || '-']), ['model', 'label', 'how', 'stores']), opts.models);
        return;
      }
      const m = opts.models.find((x) => x.model === name);
      if (!m) throw new CliError('USAGE', `no model "${name}" (models: ${opts.models.map((x) => x.model).join(', ')})`, 'see: micro models');
      const rows = (fields: FieldSpec[], defaults: Record<string, Record<string, unknown>>) =>
        fields.map((f) => [f.key, f.type, range(f), shown(defaults.paper?.[f.key]), shown(defaults.reference?.[f.key]), f.help ?? '']);
      const header = ['option', 'type', 'range', 'paper', 'reference', 'help'];
      out(
        g(),
        () =>
          `${m.model}: ${m.label} — ${m.description}\n\nmodel hyperparameters (--set key=value):\n${table(rows(m.fields, m.defaults), header)}\n\n` +
          `training options (--set key=value):\n${table(rows(opts.trainFields, m.trainDefaults), header)}`,
        { ...m, trainFields: opts.trainFields },
      );
    });
}
