// Configuration values as text (run page, run config, parameter differences).
import { fmt } from '../format';

/** Lists comma-separated, absent as "–", numbers without trailing zeros. */
export function showValue(v: unknown): string {
  if (v === undefined || v === null) return '–';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : fmt(v, 6).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
