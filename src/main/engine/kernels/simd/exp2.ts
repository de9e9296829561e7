// 2^y on f32x4 for the InfoNCE forward kernel: y = k + f, k = round(y), |f| ≤ ½, 2^y = 2^k · p(f)
// with p a degree-5 polynomial (relative minimax fit on [−½, ½], p(0) = 1). Base 2 because the
// kernel folds log₂e/τ into its anchors (contrastive/blocks.ts), so the logit arrives already in
// base 2: no range-reduction multiply and no two-part ln 2 subtraction. 17 vector ops, against 26
// for the Cephes expf it replaces; ≤ 2e-7 relative (2.3 ulp) over the range the loss uses.
import type { Fn } from './asm';
import { V128 } from './asm';

/** Below this 2^k is no longer a normal float; the kernels' logits stay above −2·log₂e/τ ≥ −116. */
export const EXP2_LO = -126;
/** p(f) = 1 + f·(c1 + f·(c2 + f·(c3 + f·(c4 + f·c5)))). */
const COEFFS = [0.6931470036506653, 0.24022242426872253, 0.05550733581185341, 0.009671513922512531, 0.0013264728477224708];

export class Exp2Emitter {
  private readonly lo: number;
  private readonly magic: number;
  private readonly bias: number;
  private readonly one: number;
  private readonly c: number[];
  private readonly t: number[];
  /** Defines the constants as locals of `f` (emit this before any loop that calls emit). */
  constructor(private readonly f: Fn) {
    const def = (v: number) => {
      const l = f.local(V128);
      f.f32x4Const(v).set(l);
      return l;
    };
    this.lo = def(EXP2_LO);
    this.magic = def(12582912); // 1.5·2²³: y + magic rounds y to an integer held in the low mantissa bits
    this.one = def(1);
    this.c = COEFFS.map(def);
    this.bias = f.local(V128);
    f.i32(127 - 0x4b400000).i32x4Splat().set(this.bias); // bits(magic + k) + bias = k + 127
    this.t = f.locals(V128, 3);
  }
  /** Replaces the f32x4 y on the stack by 2^y. */
  emit(): void {
    const { f, c } = this;
    const [y, t, k] = this.t;
    f.get(this.lo).f32x4Pmax().tee(y); // pmax(y, lo) = y < lo ? lo : y (a NaN stays NaN)
    f.get(this.magic).f32x4Add().tee(t);
    f.get(this.magic).f32x4Sub().set(k);
    f.get(y).get(k).f32x4Sub().set(y); // f = y − k, exact
    f.get(c[4]).get(y).f32x4Mul().get(c[3]).f32x4Add();
    for (const ci of [c[2], c[1], c[0]]) f.get(y).f32x4Mul().get(ci).f32x4Add();
    f.get(y).f32x4Mul().get(this.one).f32x4Add();
    f.get(t).get(this.bias).i32x4Add().i32(23).i32x4Shl().f32x4Mul(); // × 2^k
  }
}
