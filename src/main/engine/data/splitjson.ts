// LATTICE split files, {"uid": [iid, ...], ...}, scanned straight from the file's bytes into
// Int32Arrays. Why not JSON.parse: it builds a JS array per user and keeps only the last of two
// equal keys (silently dropping a user's first list); a 200 MB file took ~0.75-1.3 GB. Why not
// an npm streaming JSON parser (stream-json, @streamparser/json, clarinet): they emit a token
// object or callback per value, several times slower than this loop, and still need the CSR
// building on top. This scanner validates the full JSON grammar for the shape it accepts, reports
// syntax errors as "line L, column C", and holds the file plus ~4 bytes per interaction.

import { DataError, type UserItems } from '../types';
import { clip, MAX_SPLIT_JSON_BYTES, quoted, readBytesFile } from './inputs';
import { Fail, fail, firstSyntaxError, scanNumber, scanString, skipValue, syntaxError, typeName } from './jsonscan';

export interface IdLocation {
  id: number;
  where: string;
}

export interface ParsedSplit {
  /** User id of each key in file order (keys are unique). */
  keyUsers: Int32Array;
  /** Items of key k are items[keyStart[k] .. keyStart[k + 1]). */
  keyStart: Int32Array;
  items: Int32Array;
  /** Max user id + 1 over keys, including users with empty lists (0 if none). */
  userBound: number;
  /** Max item id + 1 (0 if none). */
  itemBound: number;
  /** Where the largest user / item id occurs (for id-space errors). */
  maxUser: IdLocation | null;
  maxItem: IdLocation | null;
}

const MAX_ID = 2147483646;

const text = (b: Uint8Array, s: number, e: number) => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');

/** Parse the bytes of a split file. */
export function parseSplitBytes(b: Uint8Array, file: string): ParsedSplit {
  try {
    return scan(b, file);
  } catch (e) {
    if (e instanceof Fail) throw syntaxError(b, e.at, file);
    // a content error: a syntax error further on still comes first (as with JSON.parse)
    const at = firstSyntaxError(b);
    if (at >= 0) throw syntaxError(b, at, file);
    throw e;
  }
}

/** Read and parse a split file (regular files only). */
export function readSplitFile(file: string): ParsedSplit {
  return parseSplitBytes(readBytesFile(file, 'JSON file', MAX_SPLIT_JSON_BYTES), file);
}

function scan(b: Uint8Array, file: string): ParsedSplit {
  const n = b.length;
  // Upper bounds: every item but a list's last is followed by a comma; every key by a colon.
  let commas = 0;
  let colons = 0;
  for (let p = 0; p < n; p++) {
    const c = b[p];
    if (c === 44) commas++;
    else if (c === 58) colons++;
  }
  const items = new Int32Array(commas + 1);
  const keyUsers = new Int32Array(colons);
  const keyLines = new Int32Array(colons);
  const keyStart = new Int32Array(colons + 1);
  let nk = 0;
  let ni = 0;
  let userBound = 0;
  let itemBound = 0;
  let maxUserKey = -1;
  let maxItemKey = -1;
  let maxItemLine = 0;

  let i = n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let line = 1;
  const ws = () => {
    while (i < n) {
      const c = b[i];
      if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 10) {
        i++;
        line++;
      } else break;
    }
  };
  ws();
  if (i >= n) fail(n);
  if (b[i] !== 123) {
    const c = b[i];
    i = skipValue(b, i);
    ws();
    if (i < n) fail(i);
    throw new DataError(file, `expected a JSON object mapping user id -> list of item ids, got ${typeName(c)}`);
  }
  i++;
  ws();
  if (b[i] === 125) i++;
  else {
    for (;;) {
      ws();
      if (b[i] !== 34) fail(i);
      const keyLine = line;
      const ks = i;
      i = scanString(b, i);
      // fast path: a canonical decimal key without escapes
      let u = 0;
      let canonical = i - ks - 2 >= 1 && i - ks - 2 <= 10 && (b[ks + 1] !== 48 || i - ks - 2 === 1);
      for (let p = ks + 1; canonical && p < i - 1; p++) {
        const c = b[p];
        if (c < 48 || c > 57) canonical = false;
        else u = u * 10 + (c - 48);
      }
      if (!canonical) {
        const raw = text(b, ks, i);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (!/^(0|[1-9]\d*)$/.test(key)) {
          throw new DataError(file, `user id must be a non-negative integer, got ${quoted(key)}`, `user ${quoted(key)}`);
        }
        u = Number(key);
      }
      const userAt = `user "${u}"`;
      if (u > MAX_ID) throw new DataError(file, `user id ${u} is too large`, userAt);
      ws();
      if (b[i] !== 58) fail(i);
      i++;
      ws();
      if (i >= n) fail(n);
      if (b[i] !== 91) {
        const c = b[i];
        skipValue(b, i);
        throw new DataError(file, `expected a list of item ids, got ${typeName(c)}`, userAt);
      }
      keyUsers[nk] = u;
      keyLines[nk] = keyLine;
      keyStart[nk] = ni;
      nk++;
      if (u + 1 > userBound) {
        userBound = u + 1;
        maxUserKey = nk - 1;
      }
      i++;
      ws();
      if (b[i] === 93) i++;
      else {
        for (let j = 0; ; j++) {
          let c = b[i];
          let v = 0;
          const start = i;
          if (c >= 49 && c <= 57) {
            do {
              v = v * 10 + (c - 48);
              c = b[++i];
            } while (c >= 48 && c <= 57);
          } else if (c === 48) c = b[++i];
          else if (c !== 45) {
            if (c === 34 || c === 91 || c === 123 || c === 116 || c === 102 || c === 110) {
              const end = skipValue(b, i);
              throw new DataError(file, `item id must be an integer, got ${clip(text(b, i, end))}`, `${userAt}, index ${j}`);
            }
            fail(i);
          }
          if (c === 45 || c === 46 || c === 101 || c === 69) {
            // rare: negative, fractional or exponent form
            i = scanNumber(b, start);
            const t = text(b, start, i);
            v = Number(t);
            if (!Number.isInteger(v)) throw new DataError(file, `item id must be an integer, got ${clip(t)}`, `${userAt}, index ${j}`);
            if (v < 0) throw new DataError(file, `item id must be non-negative, got ${clip(t)}`, `${userAt}, index ${j}`);
            v = v === 0 ? 0 : v; // -0
          }
          if (v > MAX_ID) throw new DataError(file, `item id ${clip(text(b, start, i))} is too large`, `${userAt}, index ${j}`);
          items[ni++] = v;
          if (v >= itemBound) {
            itemBound = v + 1;
            maxItemKey = nk - 1;
            maxItemLine = line;
          }
          c = b[i];
          if (c === 32 || c === 9 || c === 10 || c === 13) {
            ws();
            c = b[i];
          }
          if (c === 44) {
            i++;
            c = b[i];
            if (c === 32 || c === 9 || c === 10 || c === 13) ws();
            continue;
          }
          if (c === 93) {
            i++;
            break;
          }
          fail(i);
        }
      }
      ws();
      if (b[i] === 44) {
        i++;
        continue;
      }
      if (b[i] === 125) {
        i++;
        break;
      }
      fail(i);
    }
  }
  ws();
  if (i < n) fail(i);
  keyStart[nk] = ni;
  checkDuplicateKeys(keyUsers.subarray(0, nk), keyLines, userBound, file);
  return {
    keyUsers: keyUsers.subarray(0, nk),
    keyStart: keyStart.subarray(0, nk + 1),
    items: items.subarray(0, ni),
    userBound,
    itemBound,
    maxUser: maxUserKey < 0 ? null : { id: userBound - 1, where: `user "${userBound - 1}", line ${keyLines[maxUserKey]}` },
    maxItem: maxItemKey < 0 ? null : { id: itemBound - 1, where: `user "${keyUsers[maxItemKey]}", line ${maxItemLine}` },
  };
}

/**
 * Refuse a user key given twice (JSON.parse would keep only the last list). A bitmap when the id
 * range is small next to the key count, else a sorted copy: memory stays ~ the number of keys.
 */
function checkDuplicateKeys(keys: Int32Array, keyLines: Int32Array, userBound: number, file: string): void {
  const nk = keys.length;
  let dup = -1; // a user id seen twice
  if (userBound <= 64 * nk + 65536) {
    const seen = new Uint8Array(userBound);
    for (let k = 0; k < nk && dup < 0; k++) {
      if (seen[keys[k]]) dup = keys[k];
      seen[keys[k]] = 1;
    }
  } else {
    const sorted = keys.slice().sort();
    for (let k = 1; k < nk; k++) {
      if (sorted[k] === sorted[k - 1]) {
        // report the repeat that comes first in the file
        const dups = new Set<number>();
        for (let q = 1; q < nk; q++) if (sorted[q] === sorted[q - 1]) dups.add(sorted[q]);
        const once = new Set<number>();
        for (let q = 0; q < nk && dup < 0; q++) {
          if (!dups.has(keys[q])) continue;
          if (once.has(keys[q])) dup = keys[q];
          once.add(keys[q]);
        }
        break;
      }
    }
  }
  if (dup < 0) return;
  const first = keys.indexOf(dup);
  const second = keys.indexOf(dup, first + 1);
  throw new DataError(
    file,
    `duplicate user id "${dup}" (first on line ${keyLines[first]}); a JSON reader would silently keep only the last list`,
    `line ${keyLines[second]}`,
  );
}

/**
 * CSR of a parsed split over nUsers users (>= userBound): items per user sorted, repeats
 * collapsed (counted in `duplicates`). Arrays are exactly sized.
 */
export function splitToUserItems(s: ParsedSplit, nUsers: number): { ui: UserItems; duplicates: number } {
  const nk = s.keyUsers.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let k = 0; k < nk; k++) indptr[s.keyUsers[k] + 1] = s.keyStart[k + 1] - s.keyStart[k];
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const total = indptr[nUsers];
  const out = new Int32Array(total);
  for (let k = 0; k < nk; k++) {
    const u = s.keyUsers[k];
    const a = s.keyStart[k];
    const e = s.keyStart[k + 1];
    if (e - a === 0) continue;
    out.set(s.items.subarray(a, e), indptr[u]);
    if (e - a > 1) out.subarray(indptr[u], indptr[u + 1]).sort();
  }
  let w = 0;
  let start = 0;
  for (let u = 0; u < nUsers; u++) {
    const end = indptr[u + 1];
    for (let p = start; p < end; p++) if (p === start || out[p] !== out[w - 1]) out[w++] = out[p];
    start = end;
    indptr[u + 1] = w;
  }
  return { ui: { nUsers, indptr, indices: w === total ? out : out.slice(0, w) }, duplicates: total - w };
}
