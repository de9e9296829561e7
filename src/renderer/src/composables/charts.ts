// Chart options shared by the views: per-epoch curves with a legend that never overlaps the axes
// (legend on its own row above a grid that contains its labels), optional zoom and log axis, and
// TensorBoard-style EMA smoothing.
import { PALETTE } from '../format';

export interface CurveSeries {
  name: string;
  data: (number | null | undefined)[];
  color?: string;
  width?: number;
}

export interface CurveOptions {
  /** x values (epochs), one per data point. */
  x: (number | string)[];
  series: CurveSeries[];
  log?: boolean;
  /** dataZoom: mouse wheel / drag inside, and a slider under the axis. */
  zoom?: boolean;
  digits?: number;
  xName?: string;
}

export function curveOption(o: CurveOptions) {
  const usable = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) || (o.log && v <= 0) ? null : v);
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v === 'number' ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(o.digits ?? 4)) : '–') },
    legend: { top: 0, left: 0, right: 0, type: 'scroll', itemHeight: 10, textStyle: { fontSize: 11 } },
    grid: { left: 8, right: 18, top: 34, bottom: o.zoom ? 30 : 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    xAxis: { type: 'category', name: o.xName ?? 'epoch', nameLocation: 'middle', nameGap: 22, nameTextStyle: { color: '#64748b' }, boundaryGap: false, data: o.x },
    yAxis: { type: o.log ? 'log' : 'value', scale: true, axisLabel: { formatter: (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(3))) } },
    dataZoom: o.zoom ? [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }] : [],
    series: o.series.map((s, i) => ({
      name: s.name,
      type: 'line',
      connectNulls: true,
      symbolSize: o.x.length > 40 ? 0 : 5,
      showSymbol: o.x.length <= 40,
      data: s.data.map(usable),
      lineStyle: { width: s.width ?? 1.8 },
      itemStyle: { color: s.color ?? PALETTE[i % PALETTE.length] },
    })),
  };
}

/** Debiased exponential moving average (TensorBoard's smoothing); nulls stay null. */
export function ema(values: (number | null | undefined)[], smoothing: number): (number | null)[] {
  if (smoothing <= 0) return values.map((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === undefined || v === null || !Number.isFinite(v)) return null;
    last = last * smoothing + (1 - smoothing) * v;
    n++;
    return last / (1 - smoothing ** n);
  });
}
