// Reading user input files safely: only regular files (a FIFO would block forever, /dev/zero
// would grow memory without end), with a size cap where the reader must hold the whole file as
// one string, and with offending content clipped before it goes into an error message.

import * as fs from 'node:fs';
import { DataError } from '../types';

/** V8 cannot build a string longer than ~512 Mi chars; text readers hold a file as one string. */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;
/** Split JSON files are scanned as bytes (memory ~ 1.5x the file); beyond this, refuse. */
export const MAX_SPLIT_JSON_BYTES = 2 * 1024 * 1024 * 1024;
/** Manifests are a few hundred bytes; anything huge is not one. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** At most `max` characters of `s`, with an ellipsis when cut. */
export function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** JSON-quoted, clipped (for quoting user values in messages). */
export function quoted(s: string, max = 40): string {
  return JSON.stringify(clip(s, max));
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "a JSON file", "an interaction list" */
const a = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * Check that `file` is a regular file (symlinks followed) no larger than `maxBytes`; returns its
 * size. fs.statSync opens nothing, so a FIFO or device is refused without blocking on it.
 */
export function checkInputFile(file: string, what: string, maxBytes = Infinity): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError(file, `${what} not found`);
    throw new DataError(file, `cannot read ${what}: ${(e as Error).message}`);
  }
  if (st.isDirectory()) throw new DataError(file, `expected ${a(what)}, found a directory`);
  if (!st.isFile()) throw new DataError(file, `expected ${a(what)}, found ${kindOf(st)}; only regular files are read`);
  if (st.size > maxBytes) {
    throw new DataError(file, `${what} is ${mb(st.size)}, over the ${mb(maxBytes)} this reader can hold in memory`);
  }
  return st.size;
}

function readOrThrow<T>(file: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(file, `cannot read ${what}: ${(e as Error).message}`);
  }
}

/** Read a regular text file as UTF-8 (size-capped). */
export function readTextFile(file: string, what = 'file', maxBytes = MAX_TEXT_BYTES): string {
  checkInputFile(file, what, maxBytes);
  return readOrThrow(file, what, () => fs.readFileSync(file, 'utf8'));
}

/** Read a regular file's bytes (size-capped). */
export function readBytesFile(file: string, what = 'file', maxBytes = MAX_SPLIT_JSON_BYTES): Buffer {
  checkInputFile(file, what, maxBytes);
  return readOrThrow(file, what, () => fs.readFileSync(file));
}
