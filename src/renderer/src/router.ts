// A tiny hash router: "#/explorer?run=3&item=10" → { view: 'explorer', query: { run: '3', item: '10' } }.
import { reactive } from 'vue';

export const VIEWS = ['datasets', 'train', 'runs', 'explorer', 'users', 'export'] as const;
export type ViewName = (typeof VIEWS)[number];

export const route = reactive<{ view: ViewName; query: Record<string, string> }>({ view: 'datasets', query: {} });

function parse(): void {
  const h = window.location.hash.replace(/^#\/?/, '');
  const [name, qs] = h.split('?');
  route.view = (VIEWS as readonly string[]).includes(name) ? (name as ViewName) : 'datasets';
  route.query = Object.fromEntries(new URLSearchParams(qs ?? ''));
}

window.addEventListener('hashchange', parse);
parse();

export function href(view: ViewName, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

export function navigate(view: ViewName, query: Record<string, string | number | undefined> = {}): void {
  window.location.hash = href(view, query);
}
