// Small seeded PRNG shared by the engine (splits, samplers, demo data).
// sfc32 generator whose 128-bit state is filled from the seed by splitmix32, so nearby seeds
// (0, 1, 2, ...) give unrelated streams. Pure TS, deterministic on every platform.

export interface Rng {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). n must be a positive integer <= 2^32. */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** In-place Fisher-Yates shuffle; returns its argument. */
  shuffle<A extends { length: number; [i: number]: unknown }>(array: A): A;
  /** k distinct integers drawn uniformly without replacement from [0, n), in draw order. */
  sample(n: number, k: number): Int32Array;
  /** Raw 32-bit unsigned output. */
  nextUint32(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Create a seeded generator. Any finite number works as a seed (it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  // Fold the high bits of large seeds in, so 2^32 + 1 and 1 differ.
  const hi = Math.floor(seed / 4294967296);
  const sm = splitmix32((seed >>> 0) ^ Math.imul(hi >>> 0, 0x27d4eb2d));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const nextUint32 = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // Discard a few outputs to mix the state.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  let spare: number | null = null;

  const rng: Rng = {
    seed,
    next,
    nextUint32,
    int(n: number): number {
      if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle<A extends { length: number; [i: number]: unknown }>(array: A): A {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
    sample(n: number, k: number): Int32Array {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`rng.sample: bad n ${n}`);
      if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`rng.sample: k must be in [0, ${n}], got ${k}`);
      const out = new Int32Array(k);
      if (k === 0) return out;
      if (k * 4 < n) {
        // Sparse partial Fisher-Yates over a virtual identity permutation.
        const swapped = new Map<number, number>();
        for (let i = 0; i < k; i++) {
          const j = i + Math.floor(next() * (n - i));
          const vj = swapped.get(j) ?? j;
          const vi = swapped.get(i) ?? i;
          out[i] = vj;
          swapped.set(j, vi);
        }
      } else {
        const perm = new Int32Array(n);
        for (let i = 0; i < n; i++) perm[i] = i;
        for (let i = 0; i < k; i++) {
          const j = i + Math.floor(next() * (n - i));
          const t = perm[i];
          perm[i] = perm[j];
          perm[j] = t;
          out[i] = perm[i];
        }
      }
      return out;
    },
  };
  return rng;
}
