package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Batch normalization over the last axis (channels of NHWC, or features of [N, F]): {@code y =
 * gamma·(x − mean)/sqrt(var + epsilon) + beta}. Trainable params "gamma" (ones) and "beta" (zeros);
 * non-trainable "moving_mean" (zeros) and "moving_variance" (ones), all [C]. Training uses the
 * batch statistics (biased variance, as Keras) and updates {@code moving = momentum·moving + (1 −
 * momentum)·batch}; inference uses the moving statistics. {@link #freeze(boolean)} makes training
 * behave like inference (moving stats, no updates), as QAT does before folding BN into the
 * convolution. Keeps a reference to the last input (backward recomputes the normalised values from
 * it), which must stay unchanged until backward.
 */
public final class BatchNormalization extends Layer {
  private float momentum = 0.99f;
  private float epsilon = 1e-3f;
  private boolean frozen;
  private int channels;
  private Param gamma;
  private Param beta;
  private Param movingMean;
  private Param movingVar;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private float[] mean;
  private float[] invStd;
  private boolean batchStats;

  public BatchNormalization(String name) {
    super(name);
  }

  public BatchNormalization momentum(float m) {
    if (!(m >= 0f && m <= 1f))
      throw new IllegalArgumentException(
          "layer '" + name() + "': momentum must be in [0, 1], got " + m);
    momentum = m;
    return this;
  }

  public BatchNormalization epsilon(float e) {
    if (!(e > 0f))
      throw new IllegalArgumentException("layer '" + name() + "': epsilon must be > 0, got " + e);
    epsilon = e;
    return this;
  }

  /**
   * When frozen, training passes use and keep the moving statistics (gamma and beta still train).
   */
  public BatchNormalization freeze(boolean f) {
    frozen = f;
    return this;
  }

  static BatchNormalization fromConfig(String name, JsonObject c) {
    if (Configs.integer(c, "axis", -1) != -1) {
      throw new IllegalArgumentException(
          "layer '" + name + "': only axis -1 (channels last) is supported, got " + c.get("axis"));
    }
    return new BatchNormalization(name)
        .momentum(Configs.real(c, "momentum", 0.99f))
        .epsilon(Configs.real(c, "epsilon", 1e-3f))
        .freeze(Configs.bool(c, "frozen", false));
  }

  public float momentum() {
    return momentum;
  }

  public float epsilon() {
    return epsilon;
  }

  public boolean frozen() {
    return frozen;
  }

  public Param gamma() {
    return gamma;
  }

  public Param beta() {
    return beta;
  }

  public Param movingMean() {
    return movingMean;
  }

  public Param movingVariance() {
    return movingVar;
  }

  @Override
  public String type() {
    return "BatchNormalization";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length == 0) throw shapeError("expects at least one axis, got []");
    return s.clone();
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int[] s = single(in);
    channels = s[s.length - 1];
    Tensor ones = Tensor.zeros(channels);
    ones.fill(1f);
    gamma = new Param("gamma", ones, true);
    beta = new Param("beta", Tensor.zeros(channels), true);
    movingMean = new Param("moving_mean", Tensor.zeros(channels), false);
    movingVar = new Param("moving_variance", ones.copy(), false);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    prepare(in[0], ctx);
    y = Tensor.reuse(y, x.shape());
    normalize(x.size() / channels);
    return y;
  }

  /**
   * Checks the input, keeps it for backward and sets the statistics in use: the batch's (updating
   * the moving ones) in unfrozen training, else the moving ones. Also the first half of the fused
   * {@link BnActPool} forward, which runs {@link #begin}, the {@link #sumRows} tasks and {@link
   * #finish} in one parallel region instead.
   */
  void prepare(Tensor input, ExecContext ctx) {
    int tasks = begin(input, ctx);
    double[][] part = new double[2 * tasks][channels];
    Parallel.forRange(tasks, tasks, (ci, unused) -> sumRows(x, null, ci, tasks, part));
    finish(part);
  }

  /** Checks and keeps a pass's input; returns its statistics tasks (0: moving statistics). */
  int begin(Tensor input, ExecContext ctx) {
    if (gamma == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (input.rank() < 2 || input.dim(-1) != channels) {
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects [N, ..., " + channels + "], got " + input);
    }
    x = input;
    batchStats = ctx.training() && !frozen;
    return batchStats ? chunks(x.size() / channels) : 0;
  }

  /** Sets mean and invStd from the tasks' sums (batch statistics) or the moving statistics. */
  void finish(double[][] part) {
    if (!batchStats) {
      mean = movingMean.value().toArray();
      invStd = invStd(movingVar.value().toArray());
      return;
    }
    int rows = x.size() / channels;
    double[][] s = combine(part, channels);
    mean = new float[channels];
    float[] var = new float[channels];
    for (int c = 0; c < channels; c++) {
      double m = s[0][c] / rows;
      mean[c] = (float) m;
      var[c] = (float) Math.max(s[1][c] / rows - m * m, 0.0);
    }
    updateMoving(mean, var);
    invStd = invStd(var);
  }

  private float[] invStd(float[] var) {
    float[] is = new float[channels];
    for (int c = 0; c < channels; c++) is[c] = (float) (1.0 / Math.sqrt(var[c] + (double) epsilon));
    return is;
  }

  int channels() {
    return channels;
  }

  Tensor input() {
    return x;
  }

  float[] mean() {
    return mean;
  }

  float[] invStd() {
    return invStd;
  }

  /** [a, b] per channel of the forward as y = a·x + b (a = γ·invStd, b = β − mean·a). */
  float[][] affine() {
    float[] a = new float[channels], b = new float[channels];
    for (int c = 0; c < channels; c++) {
      a[c] = gamma.value().get(c) * invStd[c];
      b[c] = beta.value().get(c) - mean[c] * a[c];
    }
    return new float[][] {a, b};
  }

  /**
   * Per channel [Σ a, Σ a·b] over chunk ci of {@code chunks} of a [rows, C] view ({@link
   * Parallel#forRange}'s split), or [Σ a, Σ a²] when tb is null, into part[2·ci], part[2·ci + 1]; b
   * is normalised on the fly, (b − mean)·invStd. Float partials (flat tiled loops, {@link Lanes})
   * fold into double every few blocks; {@link #combine} adds chunks in order (deterministic).
   */
  void sumRows(Tensor ta, Tensor tb, int ci, int chunks, double[][] part) {
    int rows = ta.size() / channels;
    int lo = (int) ((long) ci * rows / chunks), hi = (int) ((long) (ci + 1) * rows / chunks);
    int c = channels, step = Lanes.rows(c), w = step * c;
    FloatBuffer a = ta.buffer(), b = tb == null ? null : tb.buffer();
    float[] mu = b == null ? null : Lanes.tile(mean, w),
        is = b == null ? null : Lanes.tile(invStd, w);
    boolean vec = Lanes.vector();
    ByteBuffer av = vec ? ta.bytes() : null, bv = vec && b != null ? tb.bytes() : null;
    float[] va = new float[w], vb = b == null ? null : new float[w];
    float[] f1 = new float[w], f2 = new float[w];
    for (int r0 = lo, blk = 1; r0 < hi; r0 += step, blk++) {
      int len = Math.min(step, hi - r0) * c;
      if (vec && b == null) {
        BnVector.sums(av, r0 * c, len, f1, f2);
      } else if (vec) {
        BnVector.gradSums(av, null, Float.NaN, bv, r0 * c, len, new float[][] {mu, is, f1, f2});
      } else if (b == null) {
        a.get(r0 * c, va, 0, len);
        Lanes.sums(va, len, f1, f2);
      } else {
        a.get(r0 * c, va, 0, len);
        b.get(r0 * c, vb, 0, len);
        Lanes.sumsNormalized(va, vb, len, mu, is, f1, f2);
      }
      if (blk % Lanes.FOLD_EVERY == 0 || r0 + step >= hi) {
        Lanes.fold(f1, part[2 * ci]);
        Lanes.fold(f2, part[2 * ci + 1]);
      }
    }
  }

  /** Sums the per-chunk [Σ1, Σ2] pairs of {@code part} in chunk order. */
  static double[][] combine(double[][] part, int c) {
    double[][] out = new double[2][c];
    for (int ci = 0; ci < part.length / 2; ci++) {
      for (int j = 0; j < c; j++) {
        out[0][j] += part[2 * ci][j];
        out[1][j] += part[2 * ci + 1][j];
      }
    }
    return out;
  }

  static int chunks(int rows) {
    return Parallel.grain(rows, rows, 256);
  }

  private void updateMoving(float[] mean, float[] var) {
    FloatBuffer mm = movingMean.value().buffer(), mv = movingVar.value().buffer();
    for (int c = 0; c < channels; c++) {
      mm.put(c, momentum * mm.get(c) + (1 - momentum) * mean[c]);
      mv.put(c, momentum * mv.get(c) + (1 - momentum) * var[c]);
    }
  }

  private void normalize(int rows) {
    int c = channels, step = Lanes.rows(c), w = step * c;
    float[][] ab = affine();
    float[] a = Lanes.tile(ab[0], w), b = Lanes.tile(ab[1], w);
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    boolean vec = Lanes.vector();
    ByteBuffer xv = vec ? x.bytes() : null, yv = vec ? y.bytes() : null;
    Parallel.forRange(
        rows,
        chunks(rows),
        (lo, hi) -> {
          float[] v = vec ? null : new float[w];
          for (int r0 = lo; r0 < hi; r0 += step) {
            int len = Math.min(step, hi - r0) * c;
            if (vec) {
              BnVector.affine(xv, yv, r0 * c, len, a, b, Float.NaN);
              continue;
            }
            xb.get(r0 * c, v, 0, len);
            Lanes.affine(v, len, a, b);
            yb.put(r0 * c, v, 0, len);
          }
        });
  }

  /**
   * Writes the γ and β gradients from Σ dy and Σ dy·x̂ over {@code rows} and returns, per channel,
   * [p, q, r] of dx = p·dy + q·x + r (with batch statistics the mean and variance depend on x, so
   * their gradient paths are included).
   */
  float[][] backwardCoefficients(double[] dBeta, double[] dGamma, int rows) {
    int c = channels;
    FloatBuffer gb = gamma.grad().buffer(), bb = beta.grad().buffer();
    float[] p = new float[c], q = new float[c], r = new float[c];
    for (int j = 0; j < c; j++) {
      gb.put(j, (float) dGamma[j]);
      bb.put(j, (float) dBeta[j]);
      double scale = (double) gamma.value().get(j) * invStd[j];
      double sBeta = batchStats ? dBeta[j] / rows : 0, sGamma = batchStats ? dGamma[j] / rows : 0;
      p[j] = (float) scale;
      q[j] = (float) (-scale * sGamma * invStd[j]);
      r[j] = (float) (scale * (sGamma * invStd[j] * mean[j] - sBeta));
    }
    return new float[][] {p, q, r};
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int rows = gy.size() / channels, c = channels, step = Lanes.rows(c), w = step * c;
    int chunks = chunks(rows);
    double[][] part = new double[2 * chunks][c];
    Parallel.forRange(chunks, chunks, (ci, unused) -> sumRows(gy, x, ci, chunks, part));
    double[][] s = combine(part, c);
    float[][] k = backwardCoefficients(s[0], s[1], rows);
    float[] p = Lanes.tile(k[0], w), q = Lanes.tile(k[1], w), r = Lanes.tile(k[2], w);
    dx = Tensor.reuse(dx, gy.shape());
    FloatBuffer g = gy.buffer(), h = x.buffer(), d = dx.buffer();
    boolean vec = Lanes.vector();
    ByteBuffer gv = vec ? gy.bytes() : null, xv = vec ? x.bytes() : null;
    ByteBuffer dv = vec ? dx.bytes() : null;
    float[][] pqr = {p, q, r};
    Parallel.forRange(
        rows,
        chunks(rows),
        (lo, hi) -> {
          float[] vg = new float[w], vx = new float[w];
          for (int r0 = lo; r0 < hi; r0 += step) {
            int len = Math.min(step, hi - r0) * c;
            if (vec) {
              BnVector.combine(gv, null, Float.NaN, xv, dv, r0 * c, len, pqr);
              continue;
            }
            g.get(r0 * c, vg, 0, len);
            h.get(r0 * c, vx, 0, len);
            Lanes.combine(vg, vx, len, p, q, r);
            d.put(r0 * c, vg, 0, len);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (gamma != null) l.addAll(List.of(gamma, beta, movingMean, movingVar));
    return l;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("axis", -1);
    o.addProperty("momentum", momentum);
    o.addProperty("epsilon", epsilon);
    o.addProperty("frozen", frozen);
    return o;
  }

  @Override
  public BatchNormalization copy() {
    return new BatchNormalization(name()).momentum(momentum).epsilon(epsilon).freeze(frozen);
  }

  /**
   * The batch statistics of a training pass given from outside ({@link ConvBnPool} has them from
   * the conv input's moments, without an input tensor here): the moving statistics update and
   * invStd follow as in {@link #prepare}, from the float mean and the variance clamped at 0.
   */
  void batchMoments(double[] batchMean, double[] batchVar) {
    if (gamma == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    x = null;
    batchStats = true;
    mean = new float[channels];
    float[] var = new float[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = (float) batchMean[c];
      var[c] = (float) Math.max(batchVar[c], 0.0);
    }
    invStd = invStd(var);
    updateMoving(mean, var);
  }
}
