// JSON lexing over raw bytes: strings, numbers, whole values (the split-file scanner, splitjson.ts,
// uses them on its rare paths), and syntax errors reported as "line L, column C" — for split files
// and for every other JSON file (parseJsonText in validate.ts finds its error positions here).

import { DataError } from '../types';

const MAX_DEPTH = 10000;

export class Fail {
  constructor(readonly at: number) {}
}
export const fail = (at: number): never => {
  throw new Fail(at);
};

export function syntaxError(b: Uint8Array, at: number, file: string): DataError {
  let line = 1;
  let lineStart = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const end = Math.min(at, b.length);
  for (let p = lineStart; p < end; p++) {
    if (b[p] === 10) {
      line++;
      lineStart = p + 1;
    }
  }
  const column = Buffer.from(b.buffer, b.byteOffset + lineStart, end - lineStart).toString('utf8').length + 1;
  const near = Buffer.from(b.buffer, b.byteOffset + end, Math.min(80, b.length - end)).toString('utf8').slice(0, 20).split('\n')[0];
  const what = at >= b.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(near.slice(0, 1))}`;
  return new DataError(file, `invalid JSON: ${what}${near.length > 1 ? ` near ${JSON.stringify(near)}` : ''}`, `line ${line}, column ${column}`);
}

export const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** End of the JSON string starting at b[p] === '"' (escapes checked). */
export function scanString(b: Uint8Array, p: number): number {
  const n = b.length;
  p++;
  while (p < n) {
    const c = b[p];
    if (c === 34) return p + 1;
    if (c < 32) fail(p);
    if (c === 92) {
      const e = b[p + 1];
      if (e === 117) {
        for (let h = p + 2; h < p + 6; h++) {
          const x = b[h];
          if (!((x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102))) fail(p + 1);
        }
        p += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) p += 2;
      else fail(p + 1);
    } else p++;
  }
  return fail(n);
}

/** End of the JSON number at p (grammar as JSON.parse; stops before a malformed tail). */
export function scanNumber(b: Uint8Array, p: number): number {
  const start = p;
  const digit = (q: number) => b[q] >= 48 && b[q] <= 57;
  if (b[p] === 45) p++;
  if (b[p] === 48) p++;
  else if (digit(p)) while (digit(p)) p++;
  else fail(start);
  if (b[p] === 46 && digit(p + 1)) {
    p++;
    while (digit(p)) p++;
  }
  if (b[p] === 101 || b[p] === 69) {
    let q = p + 1;
    if (b[q] === 43 || b[q] === 45) q++;
    if (digit(q)) {
      while (digit(q)) q++;
      p = q;
    }
  }
  return p;
}

/** End of any JSON value at p (after whitespace), fully checked; used on the rare paths. */
export function skipValue(b: Uint8Array, p: number): number {
  const n = b.length;
  const stack: number[] = [];
  const ws = () => {
    while (p < n && isWs(b[p])) p++;
  };
  // An object member's `"key":` (at p, after whitespace), up to its value.
  const memberKey = () => {
    if (b[p] !== 34) fail(p);
    p = scanString(b, p);
    ws();
    if (b[p] !== 58) fail(p);
    p++;
  };
  for (;;) {
    ws();
    if (p >= n) fail(n);
    const c = b[p];
    if (c === 123 || c === 91) {
      if (stack.length >= MAX_DEPTH) fail(p);
      stack.push(c);
      p++;
      ws();
      if (b[p] === (c === 123 ? 125 : 93)) {
        stack.pop();
        p++;
      } else {
        if (c === 123) memberKey();
        continue;
      }
    } else if (c === 34) p = scanString(b, p);
    else if (c === 45 || (c >= 48 && c <= 57)) p = scanNumber(b, p);
    else if (c === 116 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) p += 4;
    else if (c === 102 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) p += 5;
    else if (c === 110 && b[p + 1] === 117 && b[p + 2] === 108 && b[p + 3] === 108) p += 4;
    else fail(p);
    // after a value: close containers or move to the next member/element
    for (;;) {
      if (stack.length === 0) return p;
      ws();
      const top = stack[stack.length - 1];
      if (b[p] === 44) {
        p++;
        if (top === 123) {
          ws();
          memberKey();
        }
        break;
      }
      if (b[p] === (top === 123 ? 125 : 93)) {
        stack.pop();
        p++;
        continue;
      }
      fail(p);
    }
  }
}

export function typeName(c: number): string {
  if (c === 110) return 'null';
  if (c === 91) return 'an array';
  if (c === 123) return 'object';
  if (c === 34) return 'string';
  if (c === 116 || c === 102) return 'boolean';
  return 'number';
}

/** Byte offset of the first JSON syntax error, or -1. */
export function firstSyntaxError(b: Uint8Array): number {
  try {
    let p = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    p = skipValue(b, p);
    while (p < b.length && isWs(b[p])) p++;
    return p < b.length ? p : -1;
  } catch (e) {
    if (e instanceof Fail) return e.at;
    throw e;
  }
}
