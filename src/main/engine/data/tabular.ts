// Delimited-text helpers shared by the MMRec (.inter) and raw list loaders.

import { DataError } from '../types';
import { clip, quoted } from './inputs';

export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/**
 * Non-blank lines one at a time with their 1-based numbers (\n, \r\n, UTF-8 BOM), so a big
 * file is not turned into an array of line objects first.
 */
export class LineCursor {
  private readonly src: string;
  private start = 0;
  private line = 1;

  constructor(text: string) {
    this.src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  next(): TextLine | null {
    const { src } = this;
    const n = src.length;
    while (this.start <= n) {
      let end = src.indexOf('\n', this.start);
      if (end < 0) end = n;
      let t = src.slice(this.start, end);
      if (t.endsWith('\r')) t = t.slice(0, -1);
      const line = this.line++;
      this.start = end + 1;
      if (t.trim() !== '') return { line, text: t };
    }
    return null;
  }
}

/** All non-blank lines (small files: item-order lists). */
export function splitLines(text: string): TextLine[] {
  const cur = new LineCursor(text);
  const out: TextLine[] = [];
  for (let l = cur.next(); l; l = cur.next()) out.push(l);
  return out;
}

export type Delimiter = '\t' | ',' | ';' | ' ';

/** Pick the delimiter from the first line: tab, then comma, semicolon, else whitespace. */
export function detectDelimiter(lines: readonly (TextLine | null)[]): Delimiter {
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
    if (v > 2147483646) throw new DataError(file, `id ${clip(value)} is too large`, where);
    return v;
  }
  if (/^-\d+$/.test(value)) throw new DataError(file, `id must be non-negative, got ${clip(value)}`, where);
  if (/^-?\d*\.\d+([eE][+-]?\d+)?$|^-?\d+[eE][+-]?\d+$/.test(value)) {
    throw new DataError(file, `id must be an integer, got ${clip(value)}`, where);
  }
  throw new DataError(file, `expected an integer id, got ${quoted(value)}`, where);
}

/** Parse a finite number field (rating, timestamp). */
export function parseNumberField(value: string | undefined, file: string, line: number, column: string): number {
  const where = `line ${line}, column '${column}'`;
  if (value === undefined || value === '') throw new DataError(file, `missing value for '${column}'`, where);
  const v = Number(value);
  if (!Number.isFinite(v)) throw new DataError(file, `expected a number, got ${quoted(value)}`, where);
  return v;
}
