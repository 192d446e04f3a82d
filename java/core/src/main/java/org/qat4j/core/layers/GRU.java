package org.qat4j.core.layers;

import static org.qat4j.core.layers.Recurrence.mm;
import static org.qat4j.core.layers.Recurrence.view;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Keras's GRU on [N, T, F] sequences (zero initial state, tanh candidate), trained through time.
 * Gates in Keras's order z, r, h: kernel [F, 3U], recurrent kernel [U, 3U]; bias [3U], or [2, 3U]
 * (input bias, recurrent bias) with {@code resetAfter} (Keras 3 / TF 2 default: the reset gate
 * multiplies h·R_h + b_h instead of h). Output [N, U] or [N, T, U] with {@code returnSequences}.
 */
public final class GRU extends Recurrent {
  private boolean resetAfter = true;
  private Tensor x;
  private GruState st;

  public GRU(String name, int units) {
    super(name, units);
  }

  public GRU returnSequences(boolean r) {
    this.returnSequences = r;
    return this;
  }

  /** Keras's reset_after: true (two bias rows) or false (Keras 2's default, one bias row). */
  public GRU resetAfter(boolean r) {
    this.resetAfter = r;
    return this;
  }

  /** Keras 2's hard_sigmoid (clip(0.2·x + 0.5, 0, 1)) instead of the sigmoid for z and r. */
  public GRU hardSigmoid(boolean h) {
    this.gate = h ? Recurrence.Gate.HARD_SIGMOID : Recurrence.Gate.SIGMOID;
    return this;
  }

  static GRU fromConfig(String name, JsonObject c) {
    return new GRU(name, c.get("units").getAsInt())
        .returnSequences(Configs.bool(c, "return_sequences", false))
        .resetAfter(Configs.bool(c, "reset_after", true))
        .hardSigmoid(Configs.bool(c, "hard_sigmoid", false));
  }

  public boolean resetsAfter() {
    return resetAfter;
  }

  @Override
  public String type() {
    return "GRU";
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int f = in[0][1], g = 3 * units;
    buildKernels(f, g, rng);
    bias = new Param("bias", resetAfter ? Tensor.zeros(2, g) : Tensor.zeros(g), true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = checkedInput(in[0]);
    int n = x.dim(0), t = x.dim(1), f = x.dim(2), g = 3 * units;
    if (st == null || !st.fits(n, t)) st = new GruState(n, t, units);
    st.h.fill(0f);
    // input part of every step at once: [N·T, F]·[F, 3U]
    mm(
        ctx,
        false,
        false,
        n * t,
        g,
        f,
        view(x, 0, f),
        view(kernel.value(), 0, g),
        0f,
        view(st.xz, 0, g));
    for (int s = 0; s < t; s++) step(ctx, s);
    return output(st.h, n, t);
  }

  private void step(ExecContext ctx, int s) {
    int n = st.n, t = st.t, g = 3 * units, u = units;
    int two = resetAfter ? g : 2 * u;
    Recurrence.View h = view(st.h, s * u, (t + 1) * u), r = view(recurrent.value(), 0, g);
    mm(ctx, false, false, n, two, u, h, r, 0f, view(st.rz, s * g, t * g));
    st.gates(s, biasRow(0), biasRow(1), gate, resetAfter, false);
    if (!resetAfter) {
      Recurrence.View rh = view(st.rh, s * u, t * u), rH = view(recurrent.value(), 2 * u, g);
      mm(ctx, false, false, n, u, u, rh, rH, 0f, view(st.rz, s * g + 2 * u, t * g));
    }
    st.gates(s, biasRow(0), biasRow(1), gate, resetAfter, true);
  }

  /** Bias row 0 (input) or 1 (recurrent; zeros without reset_after). */
  private float[] biasRow(int row) {
    int g = 3 * units;
    float[] all = bias.value().toArray();
    if (!resetAfter) return row == 0 ? all : new float[g];
    return Arrays.copyOfRange(all, row * g, (row + 1) * g);
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = st.n, t = st.t, f = x.dim(2), g = 3 * units, u = units;
    int two = resetAfter ? g : 2 * u;
    GruState.Grads d = st.grads();
    Recurrence.View r = view(recurrent.value(), 0, g), rH = view(recurrent.value(), 2 * u, g);
    Recurrence.View dh = view(d.dh, 0, u), dRh = view(d.dRh, 0, u);
    for (int s = t - 1; s >= 0; s--) {
      d.addOutput(gy, returnSequences, s);
      st.stepGrads(d, s, gate, resetAfter);
      if (!resetAfter) {
        mm(ctx, false, true, n, u, u, view(d.dRz, s * g + 2 * u, t * g), rH, 0f, dRh);
        st.resetGrads(d, s, gate);
      }
      mm(ctx, false, true, n, u, two, view(d.dRz, s * g, t * g), r, 1f, dh);
    }
    paramGrads(ctx, d, n, t, f);
    Tensor dx = Tensor.zeros(n, t, f);
    Recurrence.View dxz = view(d.dXz, 0, g), w = view(kernel.value(), 0, g);
    mm(ctx, false, true, n * t, f, g, dxz, w, 0f, view(dx, 0, f));
    return new Tensor[] {dx};
  }

  private void paramGrads(ExecContext ctx, GruState.Grads d, int n, int t, int f) {
    int g = 3 * units, u = units;
    Recurrence.View dxz = view(d.dXz, 0, g);
    mm(ctx, true, false, f, g, n * t, view(x, 0, f), dxz, 0f, view(kernel.grad(), 0, g));
    int two = resetAfter ? g : 2 * u;
    Recurrence.View dr = view(recurrent.grad(), 0, g), drH = view(recurrent.grad(), 2 * u, g);
    for (int i = 0; i < n; i++) {
      float beta = i == 0 ? 0f : 1f;
      Recurrence.View h = view(st.h, i * (t + 1) * u, u), dz = view(d.dRz, i * t * g, g);
      mm(ctx, true, false, u, two, t, h, dz, beta, dr);
      if (!resetAfter) {
        Recurrence.View rh = view(st.rh, i * t * u, u), dzH = view(d.dRz, i * t * g + 2 * u, g);
        mm(ctx, true, false, u, u, t, rh, dzH, beta, drH);
      }
    }
    biasGrads(d, n * t);
  }

  private void biasGrads(GruState.Grads d, int rows) {
    int g = 3 * units;
    Tensor row = Tensor.zeros(g);
    Reductions.sumRows(d.dXz, rows, g, row);
    for (int j = 0; j < g; j++) bias.grad().set(j, row.get(j));
    if (!resetAfter) return;
    Reductions.sumRows(d.dRz, rows, g, row);
    for (int j = 0; j < g; j++) bias.grad().set(g + j, row.get(j));
  }

  @Override
  void addConfig(JsonObject o) {
    o.addProperty("reset_after", resetAfter);
  }

  @Override
  public GRU copy() {
    return new GRU(name(), units)
        .returnSequences(returnSequences)
        .resetAfter(resetAfter)
        .hardSigmoid(usesHardSigmoid());
  }
}
