// A minimal WebAssembly binary emitter, enough to generate the SIMD kernels of this engine at run
// time without a toolchain: functions with i32/f32/f64/v128 locals, structured control flow,
// memory access with constant offsets, and the 128-bit SIMD opcodes we use.
//
// Why generate code at run time: the kernels bake problem sizes (row strides, the embedding
// width) into load/store offsets and fully unroll their inner loops, which V8 then compiles to
// straight-line SSE/AVX code; and the engine stays free of binary artefacts and build steps.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Scalar opcodes used by several kernels (for Fn.op). */
export const OP = { drop: 0x1a, i32LtS: 0x48, i32GeS: 0x4e, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32ShrU: 0x76, f32Sub: 0x93 } as const;

function uleb(n: number, out: number[]): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uleb: ${n}`);
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  if (!Number.isInteger(n)) throw new RangeError(`sleb: ${n}`);
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const f32buf = new DataView(new ArrayBuffer(8));

/** SIMD opcodes (after the 0xfd prefix). */
const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f64x2PromoteLow: 0x5f,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  f64x2Add: 0xf0,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

/** Builds one function body. Locals are allocated on demand; params come first. */
export class Fn {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];
  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[] = [],
  ) {}

  /** Index of parameter `i`. */
  param(i: number): number {
    return i;
  }
  local(t: ValType): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }
  locals(t: ValType, n: number): number[] {
    return Array.from({ length: n }, () => this.local(t));
  }

  // ---- control ----
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.code.push(0x0c);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d);
    uleb(depth, this.code);
    return this;
  }
  /**
   * for (v = from; v < to; v += step) body() — `from`/`to` are locals or constants (numbers are
   * emitted as i32.const when given as {c: n}). The body runs at least zero times.
   */
  forRange(v: number, from: Operand, to: Operand, step: number, body: () => void): this {
    this.push(from).set(v);
    return this.block(() => {
      this.get(v).push(to).op(OP.i32GeS).brIf(0);
      this.loop(() => {
        body();
        this.get(v).i32(step).op(OP.i32Add).tee(v).push(to).op(OP.i32LtS).brIf(0);
      });
    });
  }

  // ---- locals / constants ----
  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }
  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41);
    sleb(v | 0, this.code);
    return this;
  }
  f32(v: number): this {
    f32buf.setFloat32(0, v, true);
    this.code.push(0x43, f32buf.getUint8(0), f32buf.getUint8(1), f32buf.getUint8(2), f32buf.getUint8(3));
    return this;
  }
  f64(v: number): this {
    f32buf.setFloat64(0, v, true);
    this.code.push(0x44);
    for (let i = 0; i < 8; i++) this.code.push(f32buf.getUint8(i));
    return this;
  }
  push(o: Operand): this {
    return typeof o === 'number' ? this.get(o) : this.i32(o.c);
  }
  /** Raw opcode(s). */
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  drop(): this {
    return this.op(OP.drop);
  }

  // ---- scalar memory (align given as log2) ----
  private memarg(align: number, offset: number): void {
    uleb(align, this.code);
    uleb(offset, this.code);
  }
  f32Load(offset = 0): this {
    this.code.push(0x2a);
    this.memarg(2, offset);
    return this;
  }
  f32Store(offset = 0): this {
    this.code.push(0x38);
    this.memarg(2, offset);
    return this;
  }
  f64Load(offset = 0): this {
    this.code.push(0x2b);
    this.memarg(3, offset);
    return this;
  }
  f64Store(offset = 0): this {
    this.code.push(0x39);
    this.memarg(3, offset);
    return this;
  }
  i32Load(offset = 0): this {
    this.code.push(0x28);
    this.memarg(2, offset);
    return this;
  }

  // ---- SIMD ----
  private simd(op: number): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    return this;
  }
  v128Load(offset = 0): this {
    this.simd(SIMD.load);
    this.memarg(2, offset); // 4-byte alignment hint: rows are only float-aligned in general
    return this;
  }
  v128Store(offset = 0): this {
    this.simd(SIMD.store);
    this.memarg(2, offset);
    return this;
  }
  load32Splat(offset = 0): this {
    this.simd(SIMD.load32Splat);
    this.memarg(2, offset);
    return this;
  }
  f32x4Splat(): this {
    return this.simd(SIMD.f32x4Splat);
  }
  i32x4Splat(): this {
    return this.simd(SIMD.i32x4Splat);
  }
  f64x2Splat(): this {
    return this.simd(SIMD.f64x2Splat);
  }
  f32x4Const(v: number): this {
    return this.f32(v).f32x4Splat();
  }
  f32x4Add(): this {
    return this.simd(SIMD.f32x4Add);
  }
  f32x4Sub(): this {
    return this.simd(SIMD.f32x4Sub);
  }
  f32x4Mul(): this {
    return this.simd(SIMD.f32x4Mul);
  }
  f32x4Min(): this {
    return this.simd(SIMD.f32x4Min);
  }
  f32x4Max(): this {
    return this.simd(SIMD.f32x4Max);
  }
  /** b < a ? b : a, i.e. minps: cheaper than the IEEE min when no NaN can occur. */
  f32x4Pmin(): this {
    return this.simd(SIMD.f32x4Pmin);
  }
  /** a < b ? b : a (maxps). */
  f32x4Pmax(): this {
    return this.simd(SIMD.f32x4Pmax);
  }
  f32x4Nearest(): this {
    return this.simd(SIMD.f32x4Nearest);
  }
  i32x4TruncSatF32x4S(): this {
    return this.simd(SIMD.i32x4TruncSatF32x4S);
  }
  i32x4Add(): this {
    return this.simd(SIMD.i32x4Add);
  }
  i32x4Shl(): this {
    return this.simd(SIMD.i32x4Shl);
  }
  f64x2Add(): this {
    return this.simd(SIMD.f64x2Add);
  }
  f64x2PromoteLow(): this {
    return this.simd(SIMD.f64x2PromoteLow);
  }
  f32x4ExtractLane(lane: number): this {
    this.simd(SIMD.f32x4ExtractLane);
    this.code.push(lane);
    return this;
  }
  f64x2ExtractLane(lane: number): this {
    this.simd(SIMD.f64x2ExtractLane);
    this.code.push(lane);
    return this;
  }
  /** i8x16.shuffle of the two v128 operands with 16 byte-lane indices. */
  shuffle(lanes: number[]): this {
    if (lanes.length !== 16) throw new Error('shuffle needs 16 lanes');
    this.simd(SIMD.shuffle);
    this.code.push(...lanes);
    return this;
  }

  encodeLocals(out: number[]): void {
    // Run-length groups of equal types.
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(t);
    }
  }
}

/** A local index, or an i32 constant. */
export type Operand = number | { c: number };

/** out.push(...src) without the argument-count limit of spreads (unrolled bodies are large). */
function append(out: number[], src: number[]): void {
  for (let i = 0; i < src.length; i++) out.push(src[i]);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  append(out, body);
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/**
 * Encodes a module that imports one memory as env.memory (shared when `shared`, which then needs
 * `maxPages`) and exports every function under its name.
 */
export function encodeModule(fns: Fn[], memory: { minPages: number; maxPages?: number; shared?: boolean }): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Types: one per function (duplicates are allowed).
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types, out);
  // Import env.memory.
  const imports: number[] = [];
  uleb(1, imports);
  name('env', imports);
  name('memory', imports);
  imports.push(0x02);
  if (memory.shared) {
    if (memory.maxPages === undefined) throw new Error('a shared memory needs maxPages');
    imports.push(0x03);
    uleb(memory.minPages, imports);
    uleb(memory.maxPages, imports);
  } else if (memory.maxPages !== undefined) {
    imports.push(0x01);
    uleb(memory.minPages, imports);
    uleb(memory.maxPages, imports);
  } else {
    imports.push(0x00);
    uleb(memory.minPages, imports);
  }
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) {
    const body: number[] = [];
    f.encodeLocals(body);
    append(body, f.code);
    body.push(0x0b);
    uleb(body.length, code);
    append(code, body);
  }
  section(10, code, out);
  return new Uint8Array(out);
}
