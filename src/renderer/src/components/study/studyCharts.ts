// Chart options of a study's results (ECharts; the custom series is registered by StudyChart.vue):
// bars with error bars for ablation / modalities / compare / coldstart, and for a sweep a line over
// the values with the 95% CI as a band (the paper's Figs 4-6). Error bars are the 95% t-interval
// over seeds (± std where a row has no interval); `*` marks a Holm-adjusted per-user p < 0.05
// against the reference. Pure functions of the API's StudyTable and StudyDefinition.
import type { StudyDefinition, StudyTable } from '../../../../shared/api';
import { formatP } from '../../../../shared/study-format';
import { PALETTE } from '../../format';

/** The significance level of the marks. */
export const ALPHA = 0.05;
const BAR = PALETTE[0];
const REFERENCE = '#64748b';
const INK = '#0f172a';

export interface ChartPoint {
  variant: string;
  label: string;
  reference: boolean;
  /** sweep: the value of the swept parameter (null for other kinds). */
  x: number | string | boolean | null;
  mean: number | null;
  /** The error bar's ends, and which interval they are (null: fewer than two seeds). */
  lo: number | null;
  hi: number | null;
  error: 'ci' | 'std' | null;
  /** Seeds with a value. */
  n: number;
  /** Per-user Wilcoxon p, Holm-adjusted (null for the reference or without per-user metrics). */
  pHolm: number | null;
  star: boolean;
}

/** The swept parameter's value of a variant (its model or training override). */
export function sweepValue(def: StudyDefinition, variant: string): number | string | boolean | null {
  const v = def.variants.find((x) => x.key === variant);
  if (!v || !def.param) return null;
  const raw = def.param in v.modelOverrides ? v.modelOverrides[def.param] : v.trainOverrides[def.param];
  return typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean' ? raw : null;
}

export function chartPoints(t: StudyTable, def: StudyDefinition): ChartPoint[] {
  return t.rows.map((r) => {
    const s = r.metrics[t.metric];
    const mean = s?.mean ?? null;
    let lo: number | null = null;
    let hi: number | null = null;
    let error: ChartPoint['error'] = null;
    if (mean !== null && s?.ci) [lo, hi, error] = [s.ci[0], s.ci[1], 'ci'];
    else if (mean !== null && s?.std !== null && s?.std !== undefined) [lo, hi, error] = [mean - s.std, mean + s.std, 'std'];
    const pHolm = r.perUser?.pHolm ?? null;
    return { variant: r.variant, label: r.label, reference: r.reference, x: def.kind === 'sweep' ? sweepValue(def, r.variant) : null, mean, lo, hi, error, n: s?.n ?? 0, pHolm, star: !r.reference && pHolm !== null && pHolm < ALPHA };
  });
}

/** What the error bars are, for the caption. */
export function errorCaption(points: ChartPoint[], band = false): string {
  const kinds = new Set(points.filter((p) => p.mean !== null).map((p) => p.error));
  const what = band ? 'band' : 'error bars';
  if (!kinds.size) return 'no completed cells yet';
  if (kinds.size === 1 && kinds.has(null)) return `one seed per variant: no ${what} (a 95% CI needs at least two seeds)`;
  const parts: string[] = [];
  if (kinds.has('ci')) parts.push('95% CI over seeds (t)');
  if (kinds.has('std')) parts.push(kinds.has('ci') ? '± std where a variant has no CI' : '± std over seeds (no CI)');
  if (kinds.has(null)) parts.push('none where a variant has one seed');
  return `${what}: ${parts.join('; ')}`;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const f4 = (x: number | null) => (x === null ? '–' : x.toFixed(4));

function tooltip(p: ChartPoint, metric: string): string {
  const lines = [`<b>${esc(p.label)}</b>${p.reference ? ' (reference)' : ''}`, `${esc(metric)}: ${f4(p.mean)} (${p.n} seed${p.n === 1 ? '' : 's'})`];
  if (p.error) lines.push(`${p.error === 'ci' ? '95% CI' : '± std'}: [${f4(p.lo)}, ${f4(p.hi)}]`);
  if (!p.reference) lines.push(`p users (Holm): ${formatP(p.pHolm)}${p.star ? ' *' : ''}`);
  return lines.join('<br>');
}

/** The subset of ECharts' custom-series API the renderers use (so tests can drive them). */
export interface RenderApi {
  value(dim: number): unknown;
  coord(value: number[]): number[];
  size?(value: number[]): number | number[];
}
interface RenderParams {
  dataIndex: number;
}
type Shape = { type: string; shape?: Record<string, unknown>; style?: Record<string, unknown>; silent?: boolean };

const line = (a: number[], b: number[], width = 1.3): Shape => ({ type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: { stroke: INK, lineWidth: width } });
const star = (at: number[]): Shape => ({ type: 'text', style: { text: '*', x: at[0], y: at[1] - 2, align: 'center', verticalAlign: 'bottom', fill: INK, font: 'bold 16px sans-serif' } });

/** Error-bar items: [x, lo, hi, mean, hasError (0/1), star (0/1)]. */
export function renderErrorBar(_params: RenderParams, api: RenderApi): { type: 'group'; children: Shape[] } {
  const [x, lo, hi, mean, has, sig] = [0, 1, 2, 3, 4, 5].map((d) => Number(api.value(d)));
  const children: Shape[] = [];
  const size = api.size?.([1, 0]);
  const cap = (Array.isArray(size) ? size[0] : (size ?? 40)) * 0.12;
  const top = api.coord([x, has ? hi : mean]);
  if (has) {
    const bottom = api.coord([x, lo]);
    children.push(line(bottom, top), line([top[0] - cap, top[1]], [top[0] + cap, top[1]]), line([bottom[0] - cap, bottom[1]], [bottom[0] + cap, bottom[1]]));
  }
  if (sig) children.push(star(top));
  return { type: 'group', children };
}

/** A band between consecutive points: items [x, lo, hi, hasBand (0/1)]; item i draws the piece to i + 1. */
export function bandRenderer(items: number[][], color: string) {
  return (params: RenderParams, api: RenderApi): { type: 'group'; children: Shape[] } => {
    const a = items[params.dataIndex];
    const b = items[params.dataIndex + 1];
    const children: Shape[] = [];
    if (a?.[3] && b?.[3]) {
      const points = [api.coord([a[0], a[1]]), api.coord([b[0], b[1]]), api.coord([b[0], b[2]]), api.coord([a[0], a[2]])];
      children.push({ type: 'polygon', shape: { points }, style: { fill: color, opacity: 0.18 }, silent: true });
    }
    // A thin whisker at each point, so a point whose neighbours have no band still shows its interval.
    if (a?.[3]) children.push({ ...line(api.coord([a[0], a[1]]), api.coord([a[0], a[2]]), 1), style: { stroke: color, lineWidth: 1, opacity: 0.6 } });
    return { type: 'group', children };
  };
}

const referenceLine = (points: ChartPoint[]) => {
  const ref = points.find((p) => p.reference && p.mean !== null);
  return ref ? { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: REFERENCE }, label: { formatter: 'reference', position: 'insideEndTop', color: REFERENCE, fontSize: 10 }, data: [{ yAxis: ref.mean }] } : undefined;
};

const yAxis = (metric: string, scale: boolean) => ({ type: 'value', name: metric, nameTextStyle: { color: '#64748b' }, scale, boundaryGap: [0, '10%'], axisLabel: { formatter: (v: number) => String(+v.toPrecision(3)) } });

/** Bars of the metric's mean per variant, error bars and significance marks. */
export function barOption(points: ChartPoint[], metric: string) {
  // Slanted labels only when they would not fit side by side (about 7 px a character, 900 px of axis).
  const crowded = points.some((p) => p.label.length * 7 > 900 / Math.max(1, points.length));
  const bars = {
    name: metric,
    type: 'bar',
    barMaxWidth: 56,
    data: points.map((p) => ({ value: p.mean, itemStyle: { color: p.reference ? REFERENCE : BAR } })),
    tooltip: { formatter: (q: { dataIndex: number }) => tooltip(points[q.dataIndex], metric) },
    markLine: referenceLine(points),
  };
  const errorBars = {
    name: 'error bars',
    type: 'custom',
    renderItem: renderErrorBar,
    encode: { x: 0, y: [1, 2] },
    z: 3,
    silent: true,
    tooltip: { show: false },
    data: points.map((p, i) => (p.mean === null ? [i, 0, 0, 0, 0, 0] : [i, p.lo ?? p.mean, p.hi ?? p.mean, p.mean, p.error ? 1 : 0, p.star ? 1 : 0])),
  };
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 16, top: 30, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    xAxis: { type: 'category', data: points.map((p) => p.label), axisLabel: { interval: 0, rotate: crowded ? 20 : 0, fontSize: 11 }, axisTick: { alignWithLabel: true } },
    yAxis: yAxis(metric, false),
    series: [bars, errorBars] as const,
  };
}

/** A sweep: the mean over the swept values (a value axis when every value is a number), the CI as a band. */
export function sweepOption(points: ChartPoint[], metric: string, param: string) {
  const usable = points.filter((p) => p.mean !== null && p.x !== null);
  const numeric = usable.every((p) => typeof p.x === 'number');
  const sorted = numeric ? [...usable].sort((a, b) => (a.x as number) - (b.x as number)) : usable;
  const xOf = (p: ChartPoint, i: number) => (numeric ? (p.x as number) : i);
  const band = sorted.map((p, i) => [xOf(p, i), p.lo ?? p.mean!, p.hi ?? p.mean!, p.error ? 1 : 0]);
  const noGraph = (p: ChartPoint) => param === 'topK' && p.x === 0;
  const bandSeries = { name: 'band', type: 'custom', renderItem: bandRenderer(band, BAR), encode: { x: 0, y: [1, 2] }, silent: true, tooltip: { show: false }, data: band, z: 1 };
  const means = {
    name: metric,
    type: 'line',
    z: 3,
    lineStyle: { width: 2, color: BAR },
    data: sorted.map((p, i) => {
      const text = [noGraph(p) ? p.label : '', p.star ? '*' : ''].filter(Boolean).join(' ');
      return {
        value: [xOf(p, i), p.mean],
        symbol: p.reference ? 'diamond' : 'circle',
        symbolSize: p.reference ? 12 : 7,
        itemStyle: { color: p.reference ? REFERENCE : BAR },
        // Labels at the ends of the axis point inwards (the grid would clip them).
        label: text ? { show: true, formatter: text, position: sorted.length < 2 ? 'top' : i === 0 ? 'right' : i === sorted.length - 1 ? 'left' : 'top', distance: 8, color: INK, fontSize: p.star && !noGraph(p) ? 16 : 11, fontWeight: p.star ? 'bold' : 'normal' } : undefined,
      };
    }),
    tooltip: { formatter: (q: { dataIndex: number }) => tooltip(sorted[q.dataIndex], metric) },
    markLine: referenceLine(sorted),
  };
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 24, top: 30, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    xAxis: numeric
      ? { type: 'value', name: param, nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: '#64748b' }, scale: true }
      : { type: 'category', name: param, nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: '#64748b' }, data: sorted.map((p) => String(p.x)), boundaryGap: true },
    yAxis: yAxis(metric, true),
    series: [bandSeries, means] as const,
  };
}
