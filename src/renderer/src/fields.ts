// Client-side checks of one hyperparameter against its FieldSpec (the server validates again).
import type { FieldSpec } from '../../shared/api';

export function fieldError(f: FieldSpec, v: unknown): string {
  if (f.type === 'integer' || f.type === 'number') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'expected a number';
    if (f.type === 'integer' && !Number.isInteger(v)) return 'expected an integer';
    if (f.min !== undefined && v < f.min) return `must be ≥ ${f.min}`;
    if (f.max !== undefined && v > f.max) return `must be ≤ ${f.max}`;
    if (f.exclusiveMin !== undefined && v <= f.exclusiveMin) return `must be > ${f.exclusiveMin}`;
    if (f.exclusiveMax !== undefined && v >= f.exclusiveMax) return `must be < ${f.exclusiveMax}`;
  }
  if (f.type === 'integer[]' && Array.isArray(v) && v.some((x) => !Number.isInteger(x) || (x as number) < 1)) return 'expected positive integers, comma-separated';
  if (f.type === 'string' && f.pattern && typeof v === 'string' && !new RegExp(f.pattern).test(v)) return `does not match ${f.pattern}`;
  return '';
}
