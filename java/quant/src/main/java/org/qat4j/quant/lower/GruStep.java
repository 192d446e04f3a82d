package org.qat4j.quant.lower;

import java.util.Arrays;
import org.qat4j.core.layers.GRU;
import org.qat4j.ir.OpKind;

/**
 * One unrolled GRU step in float operators: z and r from x·W + h·R (+ recurrent bias with
 * reset_after), the candidate tanh(x·W_h + r ⊙ (h·R_h + b_h)) or tanh(x·W_h + (r ⊙ h)·R_h), and h'
 * = hh + z ⊙ (h − hh).
 */
final class GruStep {
  private final SequenceLowering q;
  private final GRU l;
  private final int u;
  private final int rec; // FULLY_CONNECTED weight of h: [3U, U] (reset_after) or [2U, U]
  private final int recBias; // [3U] with reset_after, else -1
  private final int recH; // [U, U] of r ⊙ h without reset_after, else -1

  GruStep(SequenceLowering q, GRU l, float[] bias) {
    this.q = q;
    this.l = l;
    this.u = l.units();
    float[] r = l.recurrentKernel().value().toArray();
    boolean after = l.resetsAfter();
    rec = q.transposed("recurrent", r, u, 3 * u, 0, after ? 3 * u : 2 * u);
    recH = after ? -1 : q.transposed("recurrent_h", r, u, 3 * u, 2 * u, u);
    recBias =
        after
            ? q.x()
                .constF(
                    q.name() + "/recurrent_bias",
                    new int[] {3 * u},
                    Arrays.copyOfRange(bias, 3 * u, 6 * u))
            : -1;
  }

  /** Lowers one step from state {@code h} and input part {@code xw} [3U]; returns h'. */
  int lower(String p, int h, int xw, int into) {
    boolean after = l.resetsAfter(), hard = l.usesHardSigmoid();
    int[] xs = q.split(p + "x", xw, 3, u);
    int hr = q.fc(p + "hr", h, rec, recBias, after ? 3 * u : 2 * u);
    int[] hs = q.split(p + "r", hr, after ? 3 : 2, u);
    int z = q.gate(p + "z", q.add(p + "zpre", u, xs[0], hs[0]), u, hard);
    int r = q.gate(p + "rg", q.add(p + "rpre", u, xs[1], hs[1]), u, hard);
    int inner =
        after
            ? q.mul(p + "rh", r, hs[2], u, -1)
            : q.fc(p + "rhr", q.mul(p + "rh", r, h, u, -1), recH, -1, u);
    int hh = q.unary(p + "hh", OpKind.TANH, q.add(p + "hpre", u, xs[2], inner), u);
    int diff = q.binary(OpKind.SUB, p + "diff", h, hh, u, -1);
    return q.binary(OpKind.ADD, p + "h", hh, q.mul(p + "zd", z, diff, u, -1), u, into);
  }
}
