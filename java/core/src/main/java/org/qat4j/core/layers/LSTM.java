package org.qat4j.core.layers;

import static org.qat4j.core.layers.Recurrence.mm;
import static org.qat4j.core.layers.Recurrence.tanh;
import static org.qat4j.core.layers.Recurrence.view;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Keras's LSTM on [N, T, F] sequences (zero initial state, tanh cell activation), trained through
 * time. Weights in Keras's layout, gates in the order i, f, c, o: kernel [F, 4U], recurrent kernel
 * [U, 4U], bias [4U]. Output [N, U] (last step) or [N, T, U] with {@code returnSequences}.
 */
public final class LSTM extends Recurrent {
  private Tensor x;
  private Tensor hs; // [N, T+1, U], h_0 = 0
  private Tensor gates; // [N, T, 4U] activated i, f, g, o
  private float[] cs; // [N, T+1, U], c_0 = 0

  public LSTM(String name, int units) {
    super(name, units);
  }

  /** Whether the output is every step's h ([T, U]) instead of the last one ([U]). */
  public LSTM returnSequences(boolean r) {
    this.returnSequences = r;
    return this;
  }

  /** Keras 2's hard_sigmoid (clip(0.2·x + 0.5, 0, 1)) instead of the sigmoid for i, f and o. */
  public LSTM hardSigmoid(boolean h) {
    this.gate = h ? Recurrence.Gate.HARD_SIGMOID : Recurrence.Gate.SIGMOID;
    return this;
  }

  static LSTM fromConfig(String name, JsonObject c) {
    return new LSTM(name, c.get("units").getAsInt())
        .returnSequences(Configs.bool(c, "return_sequences", false))
        .hardSigmoid(Configs.bool(c, "hard_sigmoid", false));
  }

  @Override
  public String type() {
    return "LSTM";
  }

  /** Glorot-uniform kernels, zero bias with the forget gate's at 1 (Keras's unit_forget_bias). */
  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int f = in[0][1], g = 4 * units;
    buildKernels(f, g, rng);
    Tensor b = Tensor.zeros(g);
    for (int j = units; j < 2 * units; j++) b.set(j, 1f);
    bias = new Param("bias", b, true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = checkedInput(in[0]);
    int n = x.dim(0), t = x.dim(1), f = x.dim(2), g = 4 * units;
    hs = Tensor.reuse(hs, n, t + 1, units);
    hs.fill(0f);
    gates = Tensor.reuse(gates, n, t, g);
    if (cs == null || cs.length != n * (t + 1) * units) cs = new float[n * (t + 1) * units];
    else Arrays.fill(cs, 0f);
    Recurrence.View w = view(kernel.value(), 0, g), r = view(recurrent.value(), 0, g);
    for (int s = 0; s < t; s++) {
      Recurrence.View z = view(gates, s * g, t * g);
      mm(ctx, false, false, n, g, f, view(x, s * f, t * f), w, 0f, z);
      mm(ctx, false, false, n, g, units, view(hs, s * units, (t + 1) * units), r, 1f, z);
      cellStep(n, t, s);
    }
    return output(hs, n, t);
  }

  /** Bias, gate activations, c_{s+1} and h_{s+1} from the pre-activations of step s. */
  private void cellStep(int n, int t, int s) {
    int g = 4 * units;
    float[] b = bias.value().toArray();
    var gb = gates.buffer();
    var hb = hs.buffer();
    for (int i = 0; i < n; i++) {
      int go = (i * t + s) * g, co = (i * (t + 1) + s) * units;
      for (int j = 0; j < units; j++) {
        float ig = gate.apply(gb.get(go + j) + b[j]);
        float fg = gate.apply(gb.get(go + units + j) + b[units + j]);
        float cg = tanh(gb.get(go + 2 * units + j) + b[2 * units + j]);
        float og = gate.apply(gb.get(go + 3 * units + j) + b[3 * units + j]);
        gb.put(go + j, ig);
        gb.put(go + units + j, fg);
        gb.put(go + 2 * units + j, cg);
        gb.put(go + 3 * units + j, og);
        float c = fg * cs[co + j] + ig * cg;
        cs[co + units + j] = c;
        hb.put(co + units + j, og * tanh(c));
      }
    }
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = x.dim(0), t = x.dim(1), f = x.dim(2), g = 4 * units;
    Tensor dz = Tensor.zeros(n, t, g);
    Tensor dh = Tensor.zeros(n, units);
    float[] dc = new float[n * units];
    Recurrence.View r = view(recurrent.value(), 0, g), dhv = view(dh, 0, units);
    for (int s = t - 1; s >= 0; s--) {
      addOutputGrad(gy, dh, n, t, s);
      gateGrads(dz, dh, dc, n, t, s);
      mm(ctx, false, true, n, units, g, view(dz, s * g, t * g), r, 0f, dhv);
    }
    Recurrence.View all = view(dz, 0, g), w = view(kernel.value(), 0, g);
    mm(ctx, true, false, f, g, n * t, view(x, 0, f), all, 0f, view(kernel.grad(), 0, g));
    for (int i = 0; i < n; i++) {
      Recurrence.View h = view(hs, i * (t + 1) * units, units), d = view(dz, i * t * g, g);
      mm(ctx, true, false, units, g, t, h, d, i == 0 ? 0f : 1f, view(recurrent.grad(), 0, g));
    }
    Reductions.sumRows(dz, n * t, g, bias.grad());
    Tensor dx = Tensor.zeros(n, t, f);
    mm(ctx, false, true, n * t, f, g, all, w, 0f, view(dx, 0, f));
    return new Tensor[] {dx};
  }

  /** dh += dLoss/dh_{s+1} from the output (every step, or only the last). */
  private void addOutputGrad(Tensor gy, Tensor dh, int n, int t, int s) {
    if (!returnSequences && s != t - 1) return;
    var gb = gy.buffer();
    var db = dh.buffer();
    for (int i = 0; i < n; i++)
      for (int j = 0; j < units; j++) {
        int from = returnSequences ? (i * t + s) * units + j : i * units + j;
        db.put(i * units + j, db.get(i * units + j) + gb.get(from));
      }
  }

  /** dLoss/d(pre-activations) of step s into dz; carries dc to step s − 1. */
  private void gateGrads(Tensor dz, Tensor dh, float[] dc, int n, int t, int s) {
    int g = 4 * units;
    var gb = gates.buffer();
    var zb = dz.buffer();
    var hb = dh.buffer();
    for (int i = 0; i < n; i++) {
      int go = (i * t + s) * g, co = (i * (t + 1) + s) * units;
      for (int j = 0; j < units; j++) {
        float ig = gb.get(go + j), fg = gb.get(go + units + j);
        float cg = gb.get(go + 2 * units + j), og = gb.get(go + 3 * units + j);
        float tc = tanh(cs[co + units + j]), d = hb.get(i * units + j);
        float dcs = dc[i * units + j] + d * og * (1f - tc * tc);
        zb.put(go + j, dcs * cg * gate.slope(ig));
        zb.put(go + units + j, dcs * cs[co + j] * gate.slope(fg));
        zb.put(go + 2 * units + j, dcs * ig * (1f - cg * cg));
        zb.put(go + 3 * units + j, d * tc * gate.slope(og));
        dc[i * units + j] = dcs * fg;
      }
    }
  }

  @Override
  public LSTM copy() {
    return new LSTM(name(), units).returnSequences(returnSequences).hardSigmoid(usesHardSigmoid());
  }
}
