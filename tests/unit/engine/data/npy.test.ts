import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeNpy,
  float16BitsToNumber,
  numberToFloat16Bits,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
} from '../../../../src/main/engine/data/npy';
import { dataError, rawNpy, tmpDir } from './helpers';

const u16le = (vals: number[]) => {
  const b = new Uint8Array(vals.length * 2);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint16(i * 2, v, true));
  return b;
};

describe('float16 conversion', () => {
  const known: [number, number][] = [
    [0x3c00, 1],
    [0xc000, -2],
    [0x3800, 0.5],
    [0x7bff, 65504],
    [0x0001, 2 ** -24], // smallest subnormal, ~5.96e-8
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14], // smallest normal
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x0000, 0],
  ];
  it('decodes known bit patterns exactly', () => {
    for (const [bits, v] of known) expect(float16BitsToNumber(bits)).toBe(v);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
    expect(float16BitsToNumber(0x2e66)).toBeCloseTo(0.1, 4);
  });
  it('encodes with round-to-nearest-even, overflow to inf, subnormals', () => {
    for (const [bits, v] of known) expect(numberToFloat16Bits(v)).toBe(bits);
    expect(numberToFloat16Bits(6e-8)).toBe(0x0001);
    expect(numberToFloat16Bits(1e-9)).toBe(0x0000);
    expect(numberToFloat16Bits(70000)).toBe(0x7c00);
    expect(numberToFloat16Bits(0.1)).toBe(0x2e66);
    expect(numberToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(numberToFloat16Bits(NaN) & 0x3ff).not.toBe(0);
    // 1 + 2^-11 is halfway between 1 and 1+2^-10: ties to even (1)
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // round-trips every finite half exactly
    for (let h = 0; h < 0x7c00; h += 7) expect(numberToFloat16Bits(float16BitsToNumber(h))).toBe(h);
  });
});

describe('npy read', () => {
  it('reads a little-endian float16 2-D file incl. subnormal/inf/nan', () => {
    const bytes = rawNpy({ descr: '<f2', shape: [2, 3], data: u16le([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]) });
    const a = parseNpy(bytes, 'x.npy');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual([1, -2, 0.5, 65504, Math.fround(2 ** -24), Infinity]);
    const n = parseNpy(rawNpy({ descr: '<f2', shape: [1], data: u16le([0x7e00]) }));
    expect(n.data[0]).toBeNaN();
  });

  it('reads float32/float64, big-endian, 1-D, and format versions 2.0 and 3.0', () => {
    const f64 = new Uint8Array(new Float64Array([1.5, -2.25, 1e300]).buffer);
    const a = parseNpy(rawNpy({ descr: '<f8', shape: [3], data: f64 }));
    expect(Array.from(a.data)).toEqual([1.5, -2.25, Infinity]);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 3.5, false);
    new DataView(be.buffer).setFloat32(4, -1, false);
    expect(Array.from(parseNpy(rawNpy({ descr: '>f4', shape: [1, 2], data: be })).data)).toEqual([3.5, -1]);
    const beh = new Uint8Array([0x3c, 0x00, 0xc0, 0x00]);
    expect(Array.from(parseNpy(rawNpy({ descr: '>f2', shape: [2], data: beh })).data)).toEqual([1, -2]);
    const f32 = new Uint8Array(new Float32Array([7, 8]).buffer);
    for (const version of [2, 3] as const) {
      const r = parseNpy(rawNpy({ descr: '<f4', shape: [2, 1], data: f32, version }));
      expect(r.header.version[0]).toBe(version);
      expect(Array.from(r.data)).toEqual([7, 8]);
    }
  });

  it('reads integer dtypes into Int32Array', () => {
    const i8 = new Uint8Array(new BigInt64Array([5n, -3n]).buffer);
    const a = parseNpy(rawNpy({ descr: '<i8', shape: [2], data: i8 }));
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual([5, -3]);
    const big = new Uint8Array(new BigInt64Array([1n << 40n]).buffer);
    expect(dataError(() => parseNpy(rawNpy({ descr: '<i8', shape: [1], data: big }), 'ids.npy')).message).toMatch(/ids\.npy.*does not fit in int32/);
    expect(Array.from(parseNpy(rawNpy({ descr: '|u1', shape: [2], data: new Uint8Array([200, 1]) })).data)).toEqual([200, 1]);
  });

  it('rejects Fortran order, object/structured/unsupported dtypes, bad magic and truncation, naming the file', () => {
    const f32 = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const fort = dataError(() => parseNpy(rawNpy({ descr: '<f4', shape: [2, 2], data: f32, fortran: true }), 'feat.npy'));
    expect(fort.file).toBe('feat.npy');
    expect(fort.message).toMatch(/feat\.npy.*fortran_order.*Fortran-order/);
    const obj = dataError(() => parseNpy(rawNpy({ descr: '|O', shape: [1], data: new Uint8Array(8) }), 'o.npy'));
    expect(obj.message).toMatch(/o\.npy.*object dtype/);
    const rec = dataError(() =>
      parseNpy(rawNpy({ descr: '', shape: [1], data: new Uint8Array(8), headerOverride: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }" }), 's.npy'),
    );
    expect(rec.message).toMatch(/s\.npy.*structured/);
    expect(dataError(() => parseNpy(rawNpy({ descr: '<c8', shape: [1], data: new Uint8Array(8) }), 'c.npy')).message).toMatch(/c\.npy.*complex/);
    expect(dataError(() => parseNpy(rawNpy({ descr: '<f16', shape: [1], data: new Uint8Array(16) }), 'q.npy')).message).toMatch(/unsupported dtype '<f16'/);
    expect(dataError(() => parseNpy(new TextEncoder().encode('hello world, not npy'), 'bad.npy')).message).toMatch(/bad\.npy.*magic/);
    const trunc = dataError(() => parseNpy(rawNpy({ descr: '<f4', shape: [3, 2], data: f32 }), 't.npy'));
    expect(trunc.message).toMatch(/t\.npy.*truncated.*needs 24 bytes, file has 16/);
    const full = rawNpy({ descr: '<f4', shape: [2, 2], data: f32 });
    expect(dataError(() => parseNpy(full.subarray(0, 40), 'h.npy')).message).toMatch(/h\.npy.*truncated .npy header/);
  });

  it('readNpy from disk agrees with parseNpy and reports missing/truncated files', () => {
    const dir = tmpDir();
    const data = new Float32Array(5 * 7).map((_, i) => i * 0.25 - 3);
    const f = path.join(dir, 'a.npy');
    writeNpy(f, data, [5, 7]);
    const r = readNpy(f);
    expect(r.shape).toEqual([5, 7]);
    expect(Array.from(r.data)).toEqual(Array.from(data));
    expect(readNpyHeader(f).descr).toBe('<f4');
    const h = path.join(dir, 'h.npy');
    writeNpy(h, data, [5, 7], 'float16');
    expect(Array.from(readNpy(h).data)).toEqual(Array.from(data)); // exactly representable in half
    const t = path.join(dir, 't.npy');
    fs.writeFileSync(t, fs.readFileSync(f).subarray(0, 100));
    expect(dataError(() => readNpy(t)).message).toMatch(/t\.npy.*truncated/);
    expect(dataError(() => readNpy(path.join(dir, 'none.npy'))).message).toMatch(/none\.npy.*not found/);
  });
});

describe('npy write', () => {
  it('writes a v1.0 header padded to 64 bytes, float32 / float16 / int32, 1-D and 2-D', () => {
    const b = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const hl = b[8] | (b[9] << 8);
    expect((10 + hl) % 64).toBe(0);
    const header = new TextDecoder().decode(b.subarray(10, 10 + hl));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const i = parseNpy(encodeNpy(new Int32Array([-1, 0, 7]), [3]));
    expect(i.header.descr).toBe('<i4');
    expect(i.shape).toEqual([3]);
    expect(Array.from(i.data)).toEqual([-1, 0, 7]);
    expect(new TextDecoder().decode(encodeNpy(new Int32Array([1]), [1]).subarray(10, 70))).toContain("'shape': (1,)");
    const h = parseNpy(encodeNpy(new Float32Array([1, -2, 0.5, 65504, 6e-8, Infinity]), [6], 'float16'));
    expect(h.header.descr).toBe('<f2');
    expect(Array.from(h.data)).toEqual([1, -2, 0.5, 65504, Math.fround(2 ** -24), Infinity]);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/6 elements/);
  });
});
