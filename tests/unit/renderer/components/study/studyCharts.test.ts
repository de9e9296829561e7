// Chart options of a study's results: the points taken from a StudyTable (CI, else ± std, marks
// only for a Holm p < 0.05 of a non-reference row), the caption naming what the bars are, the
// custom renderers' geometry through a fake coordinate system, and a sweep's axis (value axis and
// sorted x for numbers, category axis otherwise, the k = 0 point labelled).
import { describe, expect, it } from 'vitest';
import type { MetricStat, StudyDefinition, StudyRow, StudyTable, StudyVariant } from '../../../../../src/shared/api';
import { bandRenderer, barOption, chartPoints, errorCaption, renderErrorBar, sweepOption, sweepValue, type RenderApi } from '../../../../../src/renderer/src/components/study/studyCharts';

const stat = (values: number[]): MetricStat => {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : null;
  // t(0.975, 1) = 12.706: two seeds' interval, by hand.
  const ci: [number, number] | null = n === 2 ? [mean - (12.706 * std!) / Math.SQRT2, mean + (12.706 * std!) / Math.SQRT2] : null;
  return { n, mean, std, ci };
};
const row = (variant: string, values: number[], o: Partial<StudyRow> = {}): StudyRow => ({
  variant,
  label: variant,
  reference: false,
  seeds: values.length,
  metrics: { 'recall@20': stat(values) },
  perUser: null,
  acrossSeeds: null,
  ...o,
});
const table = (rows: StudyRow[], kind: StudyTable['kind'] = 'ablation'): StudyTable => ({ studyId: 1, name: 's', kind, dataset: 'demo', setting: 'warm', split: 'test', protocol: 'all', metric: 'recall@20', metrics: ['recall@20'], rows, notes: [] });
const variant = (key: string, set: Record<string, unknown>, reference = false, train = false): StudyVariant => ({ key, label: key, model: 'micro', modelOverrides: train ? {} : set, trainOverrides: train ? set : { epochs: 1 }, reference });
const definition = (variants: StudyVariant[], kind: StudyDefinition['kind'] = 'ablation', param: string | null = null): StudyDefinition => ({ kind, dataset: 'demo', preset: 'paper', seeds: [123, 124], epochs: 1, modelOverrides: {}, trainOverrides: {}, param, values: null, models: null, variants, notes: [] });
const test = (pHolm: number) => ({ n: 600, meanDiff: -0.01, p: pHolm / 2, pHolm, method: 'normal' });

describe('chartPoints', () => {
  const t = table([
    row('full', [0.1, 0.12], { reference: true, perUser: test(0.001) }),
    row('no-fusion', [0.08, 0.09], { perUser: test(0.01) }),
    row('feats', [0.11, 0.1], { perUser: test(0.2) }),
    row('single', [0.07]),
  ]);
  const points = chartPoints(t, definition([]));

  it('takes the mean and 95% CI of the metric, and marks only a significant non-reference row', () => {
    [0.11, 0.085, 0.105, 0.07].forEach((m, i) => expect(points[i].mean).toBeCloseTo(m, 12));
    // std of (0.08, 0.09) = 0.005·√2, so the half-width is t · std / √2 = 12.706 · 0.005.
    expect(points[1].lo).toBeCloseTo(0.085 - 12.706 * 0.005, 9);
    expect(points[1].hi).toBeCloseTo(0.085 + 12.706 * 0.005, 9);
    expect(points.map((p) => p.error)).toEqual(['ci', 'ci', 'ci', null]);
    expect(points.map((p) => p.star)).toEqual([false, true, false, false]);
    expect(points[3]).toMatchObject({ n: 1, lo: null, hi: null });
  });

  it('falls back to ± std where a row has a spread but no interval', () => {
    const r = row('x', [0.1, 0.2]);
    r.metrics['recall@20'] = { n: 2, mean: 0.15, std: 0.05, ci: null };
    const [p] = chartPoints(table([r]), definition([]));
    expect(p).toMatchObject({ error: 'std' });
    expect(p.lo).toBeCloseTo(0.1, 12);
    expect(p.hi).toBeCloseTo(0.2, 12);
  });

  it('says what the error bars are', () => {
    expect(errorCaption(points)).toBe('error bars: 95% CI over seeds (t); none where a variant has one seed');
    expect(errorCaption(points.slice(0, 3))).toBe('error bars: 95% CI over seeds (t)');
    expect(errorCaption([points[3]], true)).toBe('one seed per variant: no band (a 95% CI needs at least two seeds)');
    expect(errorCaption([])).toBe('no completed cells yet');
  });
});

/** A fake cartesian system: x → 100 px per unit, y → 1000 px per unit, upwards. */
const fakeApi = (values: number[]): RenderApi => ({
  value: (d) => values[d],
  coord: ([x, y]) => [x * 100, 1000 - y * 1000],
  size: () => [100, 0],
});

describe('renderers', () => {
  it('draws a whisker with caps from lo to hi, and the mark above it', () => {
    const g = renderErrorBar({ dataIndex: 0 }, fakeApi([2, 0.1, 0.3, 0.2, 1, 1]));
    const [whisker, topCap, bottomCap, mark] = g.children;
    expect(whisker.shape).toEqual({ x1: 200, y1: 900, x2: 200, y2: 700 });
    expect(topCap.shape).toEqual({ x1: 188, y1: 700, x2: 212, y2: 700 });
    expect(bottomCap.shape).toEqual({ x1: 188, y1: 900, x2: 212, y2: 900 });
    expect(mark.style).toMatchObject({ text: '*', x: 200, y: 698 });
  });

  it('without an interval: only the mark, above the bar', () => {
    expect(renderErrorBar({ dataIndex: 0 }, fakeApi([1, 0.2, 0.2, 0.2, 0, 0])).children).toEqual([]);
    const g = renderErrorBar({ dataIndex: 0 }, fakeApi([1, 0.2, 0.2, 0.2, 0, 1]));
    expect(g.children.map((c) => c.type)).toEqual(['text']);
    expect(g.children[0].style).toMatchObject({ x: 100, y: 798 });
  });

  it('fills the band between consecutive points that both have one', () => {
    const items = [
      [0, 0.1, 0.2, 1],
      [10, 0.2, 0.4, 1],
      [20, 0.3, 0.3, 0],
    ];
    const render = bandRenderer(items, '#123456');
    const first = render({ dataIndex: 0 }, fakeApi([]));
    expect(first.children[0]).toMatchObject({ type: 'polygon', shape: { points: [[0, 900], [1000, 800], [1000, 600], [0, 800]] }, style: { fill: '#123456' } });
    // The second point has a band but its neighbour has none: a whisker only.
    const second = render({ dataIndex: 1 }, fakeApi([]));
    expect(second.children.map((c) => c.type)).toEqual(['line']);
    expect(second.children[0].shape).toEqual({ x1: 1000, y1: 800, x2: 1000, y2: 600 });
    expect(render({ dataIndex: 2 }, fakeApi([])).children).toEqual([]);
  });
});

describe('options', () => {
  it('bars: one per variant, the reference in its own colour, error-bar items beside', () => {
    const t = table([row('full', [0.1, 0.12], { reference: true }), row('no-fusion', [0.08, 0.09], { perUser: test(0.01) })]);
    const o = barOption(chartPoints(t, definition([])), 'recall@20');
    const [bars, errors] = o.series;
    expect(o.xAxis.data).toEqual(['full', 'no-fusion']);
    expect(bars.data.map((d) => d.itemStyle.color)).toEqual(['#64748b', '#2563eb']);
    expect(bars.markLine?.data).toEqual([{ yAxis: 0.11 }]);
    expect((errors.data as number[][]).map((d) => [d[0], d[4], d[5]])).toEqual([
      [0, 1, 0],
      [1, 1, 1],
    ]);
  });

  it('a numeric sweep: value axis, points sorted by value, k = 0 labelled, the default the reference', () => {
    const def = definition([variant('topK=20', { topK: 20 }), variant('topK=0', { topK: 0 }), variant('topK=10', { topK: 10 }, true)], 'sweep', 'topK');
    const t = table([row('topK=20', [0.1, 0.11]), row('topK=0', [0.05, 0.06], { perUser: test(0.001) }), row('topK=10', [0.12, 0.13], { reference: true })], 'sweep');
    t.rows[1].label = 'k=0 (no item graph)';
    expect(sweepValue(def, 'topK=0')).toBe(0);
    const o = sweepOption(chartPoints(t, def), 'recall@20', 'topK');
    expect(o.xAxis.type).toBe('value');
    const line = o.series[1];
    expect(line.data.map((d) => d.value[0])).toEqual([0, 10, 20]);
    // The leftmost label points right, into the grid.
    expect(line.data[0].label).toMatchObject({ show: true, formatter: 'k=0 (no item graph) *', position: 'right' });
    expect(line.data[1]).toMatchObject({ symbol: 'diamond', label: undefined });
    expect((o.series[0].data as number[][]).map((d) => d[0])).toEqual([0, 10, 20]);
  });

  it('a sweep of a non-numeric or training value: category axis in table order', () => {
    const def = definition([variant('sampler=user', { sampler: 'user' }, false, true), variant('sampler=interaction', { sampler: 'interaction' }, true, true)], 'sweep', 'sampler');
    expect(sweepValue(def, 'sampler=user')).toBe('user');
    const t = table([row('sampler=user', [0.1, 0.12]), row('sampler=interaction', [0.11, 0.13], { reference: true })], 'sweep');
    const o = sweepOption(chartPoints(t, def), 'recall@20', 'sampler');
    expect(o.xAxis).toMatchObject({ type: 'category', data: ['user', 'interaction'] });
    expect(o.series[1].data.map((d) => d.value[0])).toEqual([0, 1]);
  });
});
