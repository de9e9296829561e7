// NumPy .npy reader/writer, hand-written.
//
// Why not an npm package: the npy libraries on npm (npyjs, numpy-parser, ...) are browser/fetch
// oriented, load whole files through ArrayBuffer fetches, and none converts float16 -> float32
// (the TikTok features are '<f2'). This file implements the format spec
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html) directly:
//   magic "\x93NUMPY", major/minor version, header length (uint16 LE for 1.0, uint32 LE for
//   2.0/3.0), a Python-literal dict {'descr': ..., 'fortran_order': ..., 'shape': (...)}, padding
//   to a multiple of 64 bytes, then the raw data.
//
// Reading: float16/float32/float64 (little- or big-endian) -> Float32Array; int8/16/32/64 and
// uint8/16/32 -> Int32Array (64-bit values must fit in int32). C order only; Fortran order,
// object / structured / other dtypes and truncated files raise a DataError naming the file.
// Writing: float32, float16 (from float32 values) and int32, any C-order shape (1-D/2-D in use).

import * as fs from 'node:fs';
import { DataError } from '../types';
import { checkInputFile, clip } from './inputs';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  /** Format version, e.g. [1, 0]. */
  version: [number, number];
  /** The dtype string as written, e.g. '<f2'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
  /** Element byte size. */
  itemSize: number;
  /** 'f' float, 'i' signed int, 'u' unsigned int. */
  kind: 'f' | 'i' | 'u';
  littleEndian: boolean;
}

export interface NpyArray {
  header: NpyHeader;
  shape: number[];
  /** Float dtypes become Float32Array; integer dtypes Int32Array. Row-major (C order). */
  data: Float32Array | Int32Array;
}

// ---------------------------------------------------------------------------------------------
// float16 <-> float32

let f16Table: Float32Array | null = null;

/** Convert one IEEE-754 half (as uint16 bits) to a JS number, exactly (incl. subnormals, inf, nan). */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function getF16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = float16BitsToNumber(i);
  }
  return f16Table;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Convert a number to IEEE-754 half bits, round-to-nearest-even (overflow -> inf, NaN kept). */
export function numberToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is correct
  return sign | half;
}

// ---------------------------------------------------------------------------------------------
// Header

function describeDtype(descr: string): string {
  const names: Record<string, string> = {
    O: 'object', b: 'bool', '?': 'bool', c: 'complex', U: 'unicode string', S: 'byte string',
    a: 'byte string', V: 'void/structured', M: 'datetime', m: 'timedelta',
  };
  const k = descr.replace(/^[<>|=]/, '')[0] ?? '';
  return names[k] ? `${names[k]} dtype '${clip(descr)}'` : `dtype '${clip(descr)}'`;
}

function parseDescr(descr: string, file: string): Pick<NpyHeader, 'itemSize' | 'kind' | 'littleEndian'> {
  const m = /^([<>|=]?)([fiu])(\d+)$/.exec(descr);
  if (!m) {
    throw new DataError(file, `unsupported ${describeDtype(descr)} (expected float16/32/64 or integer)`, "header 'descr'");
  }
  const order = m[1];
  const kind = m[2] as 'f' | 'i' | 'u';
  const itemSize = Number(m[3]);
  const ok =
    (kind === 'f' && (itemSize === 2 || itemSize === 4 || itemSize === 8)) ||
    (kind === 'i' && (itemSize === 1 || itemSize === 2 || itemSize === 4 || itemSize === 8)) ||
    (kind === 'u' && (itemSize === 1 || itemSize === 2 || itemSize === 4));
  if (!ok) throw new DataError(file, `unsupported dtype '${clip(descr)}'`, "header 'descr'");
  const littleEndian = order === '>' ? false : order === '<' || order === '|' || itemSize === 1 ? true : isHostLE();
  return { itemSize, kind, littleEndian };
}

function isHostLE(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Parse the header of an .npy file from its first bytes (must contain the whole header). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10) throw new DataError(file, `truncated .npy file: ${bytes.length} bytes, too short for a header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new DataError(file, 'not a NumPy .npy file (bad magic bytes)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(file, 'truncated .npy header');
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 16777216;
    start = 12;
  } else {
    throw new DataError(file, `unsupported .npy format version ${major}.${minor}`);
  }
  if (bytes.length < start + headerLen) {
    throw new DataError(file, `truncated .npy header: needs ${start + headerLen} bytes, file has ${bytes.length}`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  if (/['"]descr['"]\s*:\s*\[/.test(text)) {
    throw new DataError(file, 'structured (record) dtypes are not supported', "header 'descr'");
  }
  const descrM = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrM || !fortranM || !shapeM) {
    const missing = [!descrM && 'descr', !fortranM && 'fortran_order', !shapeM && 'shape'].filter(Boolean).join(', ');
    throw new DataError(file, `malformed .npy header (missing ${missing}): ${clip(text.trim())}`);
  }
  const descr = descrM[1];
  const fortranOrder = fortranM[1] === 'True';
  const shape: number[] = [];
  for (const part of shapeM[1].split(',')) {
    const p = part.trim().replace(/L$/, '');
    if (p === '') continue;
    if (!/^\d+$/.test(p)) throw new DataError(file, `malformed shape '(${clip(shapeM[1])})' in .npy header`, "header 'shape'");
    shape.push(Number(p));
  }
  if (fortranOrder) {
    throw new DataError(
      file,
      'Fortran-order (column-major) arrays are not supported; re-save with np.save(path, np.ascontiguousarray(a))',
      "header 'fortran_order'",
    );
  }
  const d = parseDescr(descr, file);
  return { version: [major, minor], descr, fortranOrder, shape, dataOffset: start + headerLen, ...d };
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// ---------------------------------------------------------------------------------------------
// Decoding

function decodeInto(h: NpyHeader, raw: Uint8Array, count: number, file: string): Float32Array | Int32Array {
  const { kind, itemSize, littleEndian } = h;
  const hostLE = isHostLE();
  const aligned = raw.byteOffset % itemSize === 0;
  if (kind === 'f') {
    const out = new Float32Array(count);
    if (itemSize === 4) {
      if (littleEndian === hostLE) {
        new Uint8Array(out.buffer).set(raw.subarray(0, count * 4));
      } else {
        const dv = new DataView(raw.buffer, raw.byteOffset, count * 4);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, littleEndian);
      }
    } else if (itemSize === 2) {
      const table = getF16Table();
      if (littleEndian === hostLE && aligned) {
        const u16 = new Uint16Array(raw.buffer, raw.byteOffset, count);
        for (let i = 0; i < count; i++) out[i] = table[u16[i]];
      } else {
        const dv = new DataView(raw.buffer, raw.byteOffset, count * 2);
        for (let i = 0; i < count; i++) out[i] = table[dv.getUint16(i * 2, littleEndian)];
      }
    } else {
      if (littleEndian === hostLE && aligned) {
        const f64 = new Float64Array(raw.buffer, raw.byteOffset, count);
        for (let i = 0; i < count; i++) out[i] = f64[i];
      } else {
        const dv = new DataView(raw.buffer, raw.byteOffset, count * 8);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, littleEndian);
      }
    }
    return out;
  }
  const out = new Int32Array(count);
  const dv = new DataView(raw.buffer, raw.byteOffset, count * itemSize);
  for (let i = 0; i < count; i++) {
    const o = i * itemSize;
    let v: number;
    switch (itemSize) {
      case 1: v = kind === 'i' ? dv.getInt8(o) : dv.getUint8(o); break;
      case 2: v = kind === 'i' ? dv.getInt16(o, littleEndian) : dv.getUint16(o, littleEndian); break;
      case 4: v = kind === 'i' ? dv.getInt32(o, littleEndian) : dv.getUint32(o, littleEndian); break;
      default: {
        const big = dv.getBigInt64(o, littleEndian);
        if (big > 2147483647n || big < -2147483648n) {
          throw new DataError(file, `int64 value ${big} does not fit in int32`, `element ${i}`);
        }
        v = Number(big);
      }
    }
    if (v > 2147483647) throw new DataError(file, `uint32 value ${v} does not fit in int32`, `element ${i}`);
    out[i] = v;
  }
  return out;
}

/** Parse a whole .npy file held in memory. `file` is used in error messages. */
export function parseNpy(bytes: Uint8Array, file = '<buffer>'): NpyArray {
  const header = parseNpyHeader(bytes, file);
  const count = elementCount(header.shape);
  const need = count * header.itemSize;
  const have = bytes.length - header.dataOffset;
  if (have < need) {
    throw new DataError(
      file,
      `truncated .npy data: shape (${header.shape.join(', ')}) of '${header.descr}' needs ${need} bytes, file has ${have}`,
    );
  }
  const raw = bytes.subarray(header.dataOffset, header.dataOffset + need);
  return { header, shape: header.shape, data: decodeInto(header, raw, count, file) };
}

/** Read only the header of an .npy file (cheap; used for layout detection and dims). */
export function readNpyHeader(file: string): NpyHeader {
  const fd = openOrThrow(file);
  try {
    const first = Buffer.alloc(12);
    const n = fs.readSync(fd, first, 0, 12, 0);
    let len = 0;
    if (n >= 10 && first[6] === 1) len = 10 + (first[8] | (first[9] << 8));
    else if (n >= 12) len = 12 + first.readUInt32LE(8);
    const size = fs.fstatSync(fd).size;
    len = Math.min(Math.max(len, n), size, 1 << 24);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, 0);
    return parseNpyHeader(buf, file);
  } finally {
    fs.closeSync(fd);
  }
}

function openOrThrow(file: string): number {
  // a FIFO would block openSync forever and a device never ends: regular files only
  checkInputFile(file, '.npy file');
  try {
    return fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === 'ENOENT' ? 'file not found' : `cannot open: ${(e as Error).message}`);
  }
}

/**
 * Read an .npy file from disk. Large float32 little-endian files are read straight into the
 * result buffer (no second copy); float16/float64 are converted while reading.
 */
export function readNpy(file: string): NpyArray {
  const header = readNpyHeader(file);
  const count = elementCount(header.shape);
  const need = count * header.itemSize;
  const fd = openOrThrow(file);
  try {
    const have = fs.fstatSync(fd).size - header.dataOffset;
    if (have < need) {
      throw new DataError(
        file,
        `truncated .npy data: shape (${header.shape.join(', ')}) of '${header.descr}' needs ${need} bytes, file has ${have}`,
      );
    }
    let data: Float32Array | Int32Array;
    try {
      if (header.kind === 'f' && header.itemSize === 4 && header.littleEndian === isHostLE()) {
        const out = new Float32Array(count);
        readFully(fd, new Uint8Array(out.buffer), header.dataOffset, file);
        data = out;
      } else {
        const raw = new Uint8Array(need);
        readFully(fd, raw, header.dataOffset, file);
        data = decodeInto(header, raw, count, file);
      }
    } catch (e) {
      // typed-array allocation failures ("Array buffer allocation failed", invalid length)
      if (e instanceof RangeError) throw new DataError(file, `array of shape (${header.shape.join(', ')}) is too large to load into memory`);
      throw e;
    }
    return { header, shape: header.shape, data };
  } finally {
    fs.closeSync(fd);
  }
}

function readFully(fd: number, target: Uint8Array, position: number, file: string): void {
  let off = 0;
  const CHUNK = 1 << 26;
  while (off < target.length) {
    const n = fs.readSync(fd, target, off, Math.min(CHUNK, target.length - off), position + off);
    if (n <= 0) throw new DataError(file, `truncated .npy data: read stopped at byte ${position + off}`);
    off += n;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

export type NpyWriteDtype = 'float32' | 'float16' | 'int32';

/** Encode an array as a version 1.0 .npy file (C order, little-endian). */
export function encodeNpy(
  data: Float32Array | Int32Array,
  shape: readonly number[],
  dtype: NpyWriteDtype = data instanceof Int32Array ? 'int32' : 'float32',
): Uint8Array {
  const count = elementCount([...shape]);
  if (count !== data.length) {
    throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) has ${count} elements, data has ${data.length}`);
  }
  if (dtype === 'int32' && !(data instanceof Int32Array)) throw new TypeError('encodeNpy: int32 output needs an Int32Array');
  const descr = dtype === 'float32' ? '<f4' : dtype === 'float16' ? '<f2' : '<i4';
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const itemSize = dtype === 'float16' ? 2 : 4;
  let total = 10 + dict.length + 1;
  const pad = (64 - (total % 64)) % 64;
  dict += ' '.repeat(pad) + '\n';
  total = 10 + dict.length;
  if (dict.length > 65535) throw new RangeError('encodeNpy: header too long for format 1.0');
  const out = new Uint8Array(total + count * itemSize);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = dict.length & 0xff;
  out[9] = dict.length >>> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  const dv = new DataView(out.buffer, total);
  if (dtype === 'float16') {
    for (let i = 0; i < count; i++) dv.setUint16(i * 2, numberToFloat16Bits(data[i]), true);
  } else if (dtype === 'float32') {
    for (let i = 0; i < count; i++) dv.setFloat32(i * 4, data[i], true);
  } else {
    for (let i = 0; i < count; i++) dv.setInt32(i * 4, data[i], true);
  }
  return out;
}

/** Write an array to an .npy file (see encodeNpy). */
export function writeNpy(
  file: string,
  data: Float32Array | Int32Array,
  shape: readonly number[],
  dtype?: NpyWriteDtype,
): void {
  fs.writeFileSync(file, encodeNpy(data, shape, dtype));
}
