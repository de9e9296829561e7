// A tiny hash router: "#/explorer?run=3&item=10" → { view: 'explorer', query: { run: '3', item: '10' } }.
import { reactive } from 'vue';

/** The views in the navigation. */
export const VIEWS = ['datasets', 'train', 'runs', 'studies', 'explorer', 'users', 'map', 'export'] as const;
/** Every route: the navigation's views and pages reached through links (a run's page: #/run?id=3, a study's: #/study?id=2). */
export const ROUTES = [...VIEWS, 'run', 'study'] as const;
export type ViewName = (typeof ROUTES)[number];
/** The navigation entry a route belongs to (a run page belongs to Runs, a study page to Studies). */
export const NAV_OF: Partial<Record<ViewName, ViewName>> = { run: 'runs', study: 'studies' };

export const route = reactive<{ view: ViewName; query: Record<string, string> }>({ view: 'datasets', query: {} });

function parse(): void {
  const h = window.location.hash.replace(/^#\/?/, '');
  const [name, qs] = h.split('?');
  route.view = (ROUTES as readonly string[]).includes(name) ? (name as ViewName) : 'datasets';
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
