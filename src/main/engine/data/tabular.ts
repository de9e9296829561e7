// Delimited-text helpers shared by the MMRec (.inter) and raw list loaders.

import { DataError } from '../types';

export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** Non-blank lines with their 1-based numbers; handles \n, \r\n and a UTF-8 BOM. */
export function splitLines(text: string): TextLine[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: TextLine[] = [];
  let start = 0;
  let line = 1;
  const n = src.length;
  while (start <= n) {
    let end = src.indexOf('\n', start);
    if (end < 0) end = n;
    let t = src.slice(start, end);
    if (t.endsWith('\r')) t = t.slice(0, -1);
    if (t.trim() !== '') out.push({ line, text: t });
    line++;
    start = end + 1;
  }
  return out;
}

export type Delimiter = '\t' | ',' | ';' | ' ';

/** Pick the delimiter from the first line: tab, then comma, semicolon, else whitespace. */
export function detectDelimiter(lines: readonly TextLine[]): Delimiter {
  const first = lines[0]?.text ?? '';
  for (const d of ['\t', ',', ';'] as const) if (first.includes(d)) return d;
  return ' ';
}

export function splitFields(text: string, delim: Delimiter): string[] {
  if (delim === ' ') return text.trim().split(/\s+/);
  return text.split(delim).map((f) => f.trim());
}

export function delimiterName(d: Delimiter): string {
  return d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : 'whitespace';
}

const NON_NEG_INT = /^\d+$/;

/** Parse a non-negative integer id field; errors name the file, line and column. */
export function parseIdField(value: string | undefined, file: string, line: number, column: string): number {
  const where = `line ${line}, column '${column}'`;
  if (value === undefined || value === '') throw new DataError(file, `missing value for '${column}'`, where);
  if (NON_NEG_INT.test(value)) {
    const v = Number(value);
    if (v > 2147483646) throw new DataError(file, `id ${value} is too large`, where);
    return v;
  }
  if (/^-\d+$/.test(value)) throw new DataError(file, `id must be non-negative, got ${value}`, where);
  if (/^-?\d*\.\d+([eE][+-]?\d+)?$|^-?\d+[eE][+-]?\d+$/.test(value)) {
    throw new DataError(file, `id must be an integer, got ${value}`, where);
  }
  throw new DataError(file, `expected an integer id, got ${JSON.stringify(value)}`, where);
}

/** Parse a finite number field (rating, timestamp). */
export function parseNumberField(value: string | undefined, file: string, line: number, column: string): number {
  const where = `line ${line}, column '${column}'`;
  if (value === undefined || value === '') throw new DataError(file, `missing value for '${column}'`, where);
  const v = Number(value);
  if (!Number.isFinite(v)) throw new DataError(file, `expected a number, got ${JSON.stringify(value)}`, where);
  return v;
}
