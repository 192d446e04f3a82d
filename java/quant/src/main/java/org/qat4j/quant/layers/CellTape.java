package org.qat4j.quant.layers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.qat4j.core.Tensor;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * The QAT forward of an unrolled cell on a batch: each {@link CellOps} operation computed in float
 * on [N, n] rows, its result fake-quantized by its role's quantizer (the int8 graph's rounding
 * points), and a backward step recorded; {@link #backward} replays them in reverse with
 * straight-through gradients (zero where a fake-quant clipped).
 */
final class CellTape implements CellOps<CellTape.Val> {
  /** One tensor [N, w] with its gradient (allocated on first use). */
  static final class Val {
    final int w;
    final float[] v;
    private float[] g;

    Val(int n, int w) {
      this.w = w;
      this.v = new float[n * w];
    }

    float[] g() {
      if (g == null) g = new float[v.length];
      return g;
    }
  }

  private final int n;
  private final int t;
  private final Val x;
  private final float[][] w; // fake-quantized kernel and recurrent kernel, row-major
  private final int[] cols;
  final float[][] dw;
  final float[] db;
  private final Function<String, FakeQuantizer> roles;
  private final boolean training;
  private final Deque<Runnable> back = new ArrayDeque<>();
  private final Map<Integer, Tensor> scratch = new HashMap<>();
  private Val out;

  /**
   * @param x input [N, T, F] (already on its producer's grid)
   * @param kernel the fake-quantized kernel [F, G·U], {@code recurrent} [U, G·U]
   * @param biasSize the bias's element count (its gradient is laid out the same way)
   */
  CellTape(
      Tensor x,
      Tensor kernel,
      Tensor recurrent,
      int biasSize,
      Function<String, FakeQuantizer> roles,
      boolean training) {
    this.n = x.dim(0);
    this.t = x.dim(1);
    this.x = new Val(n * t, x.dim(2));
    System.arraycopy(x.toArray(), 0, this.x.v, 0, this.x.v.length);
    this.w = new float[][] {kernel.toArray(), recurrent.toArray()};
    this.cols = new int[] {kernel.dim(1), recurrent.dim(1)};
    this.dw = new float[][] {new float[w[0].length], new float[w[1].length]};
    this.db = new float[biasSize];
    this.roles = roles;
    this.training = training;
  }

  /** The layer output: [N, U] or [N, T, U]. */
  Tensor output(boolean sequences, int units) {
    return sequences ? Tensor.of(out.v.clone(), n, t, units) : Tensor.of(out.v.clone(), n, units);
  }

  /** Back-propagates {@code gy} (the output's gradient); returns dLoss/dx [N, T, F]. */
  Tensor backward(Tensor gy) {
    System.arraycopy(gy.toArray(), 0, out.g(), 0, out.v.length);
    while (!back.isEmpty()) back.pop().run();
    return Tensor.of(x.g().clone(), n, t, x.w);
  }

  /** Fake-quantizes {@code a} in place with the role's quantizer; its mask gates the gradient. */
  private Val fq(String role, Val a) {
    FakeQuantizer q = roles.apply(role);
    Tensor v = scratch.computeIfAbsent(a.v.length, k -> Tensor.zeros(k));
    v.buffer().put(0, a.v);
    Tensor r = q.apply(v, v, training);
    byte[] m = q.lastMask();
    if (m == null) return a;
    r.buffer().get(0, a.v);
    byte[] mask = Arrays.copyOf(m, a.v.length);
    back.push(
        () -> {
          float[] g = a.g();
          for (int i = 0; i < g.length; i++) if (mask[i] == 0) g[i] = 0f;
        });
    return a;
  }

  @Override
  public void step(int k) {}

  @Override
  public List<Val> inputPart(String role, Cols c, float[] bias) {
    Val all = fq(role, matmul(x, c, bias, n * t));
    List<Val> steps = new ArrayList<>();
    for (int k = 0; k < t; k++) {
      Val s = new Val(n, c.n());
      int k0 = k;
      for (int i = 0; i < n; i++)
        System.arraycopy(all.v, (i * t + k) * c.n(), s.v, i * c.n(), c.n());
      back.push(
          () -> {
            float[] g = all.g(), gs = s.g();
            for (int i = 0; i < n; i++)
              for (int j = 0; j < c.n(); j++) g[(i * t + k0) * c.n() + j] += gs[i * c.n() + j];
          });
      steps.add(s);
    }
    return steps;
  }

  /** y[rows, n] = a·W[:, cols] (+ bias), recording the backward of a, W and the bias. */
  private Val matmul(Val a, Cols c, float[] bias, int rows) {
    int m = c.matrix().ordinal(), ld = cols[m], from = c.from(), k = a.w;
    float[] wm = w[m];
    Val y = new Val(rows, c.n());
    for (int r = 0; r < rows; r++) {
      int yo = r * c.n();
      if (bias != null) System.arraycopy(bias, 0, y.v, yo, c.n());
      for (int p = 0; p < k; p++) {
        float av = a.v[r * k + p];
        if (av == 0f) continue;
        int wo = p * ld + from;
        for (int j = 0; j < c.n(); j++) y.v[yo + j] += av * wm[wo + j];
      }
    }
    back.push(() -> matmulBack(a, y, c, bias != null, rows));
    return y;
  }

  private void matmulBack(Val a, Val y, Cols c, boolean bias, int rows) {
    int m = c.matrix().ordinal(), ld = cols[m], from = c.from(), k = a.w;
    float[] wm = w[m], dwm = dw[m], gy = y.g(), ga = a.g();
    int biasOff = m == 0 ? 0 : db.length - c.n(); // GRU's recurrent bias row follows the input row
    for (int r = 0; r < rows; r++) {
      int yo = r * c.n();
      for (int p = 0; p < k; p++) {
        int wo = p * ld + from;
        float av = a.v[r * k + p], s = 0f;
        for (int j = 0; j < c.n(); j++) {
          float gj = gy[yo + j];
          s += gj * wm[wo + j];
          dwm[wo + j] += av * gj;
        }
        ga[r * k + p] += s;
      }
      if (bias) for (int j = 0; j < c.n(); j++) db[biasOff + j] += gy[yo + j];
    }
  }

  @Override
  public Val zeros(String role, int width) {
    return new Val(n, width);
  }

  @Override
  public Val fc(String role, Val in, Cols c, float[] bias) {
    return fq(role, matmul(in, c, bias, n));
  }

  @Override
  public Val add(String role, Val a, Val b) {
    return fq(role, sum(a, b, 1f));
  }

  @Override
  public Val sub(String role, Val a, Val b) {
    return fq(role, sum(a, b, -1f));
  }

  private Val sum(Val a, Val b, float sign) {
    Val y = new Val(n, a.w);
    for (int i = 0; i < y.v.length; i++) y.v[i] = a.v[i] + sign * b.v[i];
    back.push(
        () -> {
          float[] gy = y.g(), ga = a.g(), gb = b.g();
          for (int i = 0; i < gy.length; i++) {
            ga[i] += gy[i];
            gb[i] += sign * gy[i];
          }
        });
    return y;
  }

  @Override
  public Val mul(String role, Val a, Val b) {
    Val y = new Val(n, a.w);
    for (int i = 0; i < y.v.length; i++) y.v[i] = a.v[i] * b.v[i];
    back.push(
        () -> {
          float[] gy = y.g(), ga = a.g(), gb = b.g();
          for (int i = 0; i < gy.length; i++) {
            ga[i] += gy[i] * b.v[i];
            gb[i] += gy[i] * a.v[i];
          }
        });
    return fq(role, y);
  }

  @Override
  public Val logistic(String role, Val a) {
    return fq(role, unary(a, v -> (float) (1.0 / (1.0 + Math.exp(-v))), true));
  }

  @Override
  public Val tanh(String role, Val a) {
    return fq(role, unary(a, v -> (float) Math.tanh(v), false));
  }

  /** y = f(a) with f = sigmoid (f' = y(1 − y)) or tanh (f' = 1 − y²), y recomputed from a. */
  private Val unary(Val a, Fn f, boolean sigmoid) {
    Val y = new Val(n, a.w);
    float[] exact = new float[y.v.length];
    for (int i = 0; i < y.v.length; i++) y.v[i] = exact[i] = f.apply(a.v[i]);
    back.push(
        () -> {
          float[] gy = y.g(), ga = a.g();
          for (int i = 0; i < gy.length; i++) {
            float e = exact[i];
            ga[i] += gy[i] * (sigmoid ? e * (1f - e) : 1f - e * e);
          }
        });
    return y;
  }

  @FunctionalInterface
  private interface Fn {
    float apply(float v);
  }

  @Override
  public Val hardSigmoid(String scaledRole, String role, Val a) {
    Val s = new Val(n, a.w);
    for (int i = 0; i < s.v.length; i++) s.v[i] = 0.2f * a.v[i];
    back.push(
        () -> {
          float[] gs = s.g(), ga = a.g();
          for (int i = 0; i < gs.length; i++) ga[i] += 0.2f * gs[i];
        });
    fq(scaledRole, s);
    Val y = new Val(n, a.w);
    for (int i = 0; i < y.v.length; i++) y.v[i] = Math.min(Math.max(s.v[i] + 0.5f, 0f), 1f);
    back.push(
        () -> {
          float[] gy = y.g(), gs = s.g();
          for (int i = 0; i < gy.length; i++) {
            float p = s.v[i] + 0.5f;
            if (p > 0f && p < 1f) gs[i] += gy[i];
          }
        });
    return fq(role, y);
  }

  @Override
  public List<Val> split(Val a, int parts) {
    int u = a.w / parts;
    List<Val> outs = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      Val y = new Val(n, u);
      int off = p * u;
      for (int i = 0; i < n; i++) System.arraycopy(a.v, i * a.w + off, y.v, i * u, u);
      back.push(
          () -> {
            float[] gy = y.g(), ga = a.g();
            for (int i = 0; i < n; i++)
              for (int j = 0; j < u; j++) ga[i * a.w + off + j] += gy[i * u + j];
          });
      outs.add(y);
    }
    return outs;
  }

  @Override
  public void output(List<Val> states, boolean sequences) {
    if (!sequences) {
      out = states.get(states.size() - 1);
      return;
    }
    int u = states.get(0).w;
    out = new Val(n * t, u);
    for (int k = 0; k < t; k++) {
      Val h = states.get(k);
      for (int i = 0; i < n; i++) System.arraycopy(h.v, i * u, out.v, (i * t + k) * u, u);
    }
    back.push(
        () -> {
          for (int k = 0; k < t; k++) {
            float[] gh = states.get(k).g();
            for (int i = 0; i < n; i++)
              for (int j = 0; j < u; j++) gh[i * u + j] += out.g()[(i * t + k) * u + j];
          }
        });
  }
}
