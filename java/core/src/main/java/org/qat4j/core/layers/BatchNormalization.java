package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Batch normalization over the last axis (channels of NHWC, or features of [N, F]):
 * {@code y = gamma·(x − mean)/sqrt(var + epsilon) + beta}. Trainable params "gamma" (ones) and
 * "beta" (zeros); non-trainable "moving_mean" (zeros) and "moving_variance" (ones), all [C].
 * Training uses the batch statistics (biased variance, as Keras) and updates
 * {@code moving = momentum·moving + (1 − momentum)·batch}; inference uses the moving statistics.
 * {@link #freeze(boolean)} makes training behave like inference (moving stats, no updates), as
 * QAT does before folding BN into the convolution. Keeps a reference to the last input (backward
 * recomputes the normalised values from it), which must stay unchanged until backward.
 */
public final class BatchNormalization extends Layer {
  private static final int BLOCK = 4096;
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

  public BatchNormalization(String name) { super(name); }

  public BatchNormalization momentum(float m) {
    if (!(m >= 0f && m <= 1f)) throw new IllegalArgumentException("layer '" + name() + "': momentum must be in [0, 1], got " + m);
    momentum = m;
    return this;
  }

  public BatchNormalization epsilon(float e) {
    if (!(e > 0f)) throw new IllegalArgumentException("layer '" + name() + "': epsilon must be > 0, got " + e);
    epsilon = e;
    return this;
  }

  /** When frozen, training passes use and keep the moving statistics (gamma and beta still train). */
  public BatchNormalization freeze(boolean f) { frozen = f; return this; }

  static BatchNormalization fromConfig(String name, JsonObject c) {
    if (Configs.integer(c, "axis", -1) != -1) {
      throw new IllegalArgumentException("layer '" + name + "': only axis -1 (channels last) is supported, got " + c.get("axis"));
    }
    return new BatchNormalization(name).momentum(Configs.real(c, "momentum", 0.99f))
        .epsilon(Configs.real(c, "epsilon", 1e-3f)).freeze(Configs.bool(c, "frozen", false));
  }

  public float momentum() { return momentum; }
  public float epsilon() { return epsilon; }
  public boolean frozen() { return frozen; }
  public Param gamma() { return gamma; }
  public Param beta() { return beta; }
  public Param movingMean() { return movingMean; }
  public Param movingVariance() { return movingVar; }

  @Override public String type() { return "BatchNormalization"; }

  @Override public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length == 0) throw shapeError("expects at least one axis, got []");
    return s.clone();
  }

  @Override public void build(int[][] in, SplittableRandom rng) {
    int[] s = single(in);
    channels = s[s.length - 1];
    Tensor ones = Tensor.zeros(channels);
    ones.fill(1f);
    gamma = new Param("gamma", ones, true);
    beta = new Param("beta", Tensor.zeros(channels), true);
    movingMean = new Param("moving_mean", Tensor.zeros(channels), false);
    movingVar = new Param("moving_variance", ones.copy(), false);
  }

  @Override public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor input = in[0];
    if (gamma == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (input.rank() < 2 || input.dim(-1) != channels) {
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, ..., " + channels + "], got " + input);
    }
    x = input;
    int rows = x.size() / channels;
    batchStats = ctx.training() && !frozen;
    float[] var;
    if (batchStats) {
      double[][] s = sums(x.buffer(), null, rows);
      mean = new float[channels];
      var = new float[channels];
      for (int c = 0; c < channels; c++) {
        double m = s[0][c] / rows;
        mean[c] = (float) m;
        var[c] = (float) Math.max(s[1][c] / rows - m * m, 0.0);
      }
      updateMoving(mean, var);
    } else {
      mean = movingMean.value().toArray();
      var = movingVar.value().toArray();
    }
    invStd = new float[channels];
    for (int c = 0; c < channels; c++) invStd[c] = (float) (1.0 / Math.sqrt(var[c] + (double) epsilon));
    y = Tensor.reuse(y, x.shape());
    normalize(rows);
    return y;
  }

  /**
   * Per channel [Σ a, Σ a·b] over a [rows, C] view, or [Σ a, Σ a²] when {@code b} is null, in one
   * pass; b is normalised on the fly, (b − mean)·invStd. Float partials per block (vectorizable),
   * flushed to double per block; chunk partials are combined in chunk order (deterministic).
   * E[x²] − mean² in double loses nothing relevant for activations.
   */
  private double[][] sums(FloatBuffer a, FloatBuffer b, int rows) {
    int c = channels, chunks = chunks(rows);
    double[][] part = new double[2 * chunks][c];
    float[] mu = b == null ? null : mean, is = invStd;
    Parallel.forRange(rows, chunks, (lo, hi) -> {
      int ci = Parallel.chunkOf(lo, rows, chunks), step = Math.max(1, BLOCK / c);
      double[] s1 = part[2 * ci], s2 = part[2 * ci + 1];
      float[] va = new float[step * c], vb = b == null ? null : new float[step * c], f1 = new float[c], f2 = new float[c];
      for (int r0 = lo; r0 < hi; r0 += step) {
        int len = Math.min(step, hi - r0) * c;
        a.get(r0 * c, va, 0, len);
        java.util.Arrays.fill(f1, 0f);
        java.util.Arrays.fill(f2, 0f);
        if (b == null) {
          for (int r = 0; r < len; r += c) {
            for (int ch = 0; ch < c; ch++) { float v = va[r + ch]; f1[ch] += v; f2[ch] += v * v; }
          }
        } else {
          b.get(r0 * c, vb, 0, len);
          for (int r = 0; r < len; r += c) {
            for (int ch = 0; ch < c; ch++) { float v = va[r + ch]; f1[ch] += v; f2[ch] += v * ((vb[r + ch] - mu[ch]) * is[ch]); }
          }
        }
        for (int ch = 0; ch < c; ch++) { s1[ch] += f1[ch]; s2[ch] += f2[ch]; }
      }
    });
    double[][] out = new double[2][c];
    for (int ci = 0; ci < chunks; ci++) {
      for (int j = 0; j < c; j++) { out[0][j] += part[2 * ci][j]; out[1][j] += part[2 * ci + 1][j]; }
    }
    return out;
  }

  private static int chunks(int rows) { return Parallel.grain(rows, rows, 256); }

  private void updateMoving(float[] mean, float[] var) {
    FloatBuffer mm = movingMean.value().buffer(), mv = movingVar.value().buffer();
    for (int c = 0; c < channels; c++) {
      mm.put(c, momentum * mm.get(c) + (1 - momentum) * mean[c]);
      mv.put(c, momentum * mv.get(c) + (1 - momentum) * var[c]);
    }
  }

  private void normalize(int rows) {
    float[] g = gamma.value().toArray(), b = beta.value().toArray(), mu = mean, is = invStd;
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    int c = channels;
    Parallel.forRange(rows, chunks(rows), (lo, hi) -> {
      int step = Math.max(1, BLOCK / c);
      float[] v = new float[step * c];
      for (int r0 = lo; r0 < hi; r0 += step) {
        int len = Math.min(step, hi - r0) * c;
        xb.get(r0 * c, v, 0, len);
        for (int r = 0; r < len; r += c) {
          for (int ch = 0; ch < c; ch++) v[r + ch] = g[ch] * ((v[r + ch] - mu[ch]) * is[ch]) + b[ch];
        }
        yb.put(r0 * c, v, 0, len);
      }
    });
  }

  @Override public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int rows = gy.size() / channels, c = channels;
    double[][] s = sums(gy.buffer(), x.buffer(), rows);
    double[] dBeta = s[0], dGamma = s[1];
    FloatBuffer gb = gamma.grad().buffer(), bb = beta.grad().buffer();
    for (int j = 0; j < c; j++) { gb.put(j, (float) dGamma[j]); bb.put(j, (float) dBeta[j]); }
    float[] scale = new float[c], sBeta = new float[c], sGamma = new float[c], mu = mean, is = invStd;
    for (int j = 0; j < c; j++) {
      scale[j] = gamma.value().get(j) * invStd[j];
      // With batch statistics the mean and variance depend on x: subtract their gradient paths.
      sBeta[j] = batchStats ? (float) (dBeta[j] / rows) : 0f;
      sGamma[j] = batchStats ? (float) (dGamma[j] / rows) : 0f;
    }
    dx = Tensor.reuse(dx, gy.shape());
    FloatBuffer g = gy.buffer(), h = x.buffer(), d = dx.buffer();
    Parallel.forRange(rows, chunks(rows), (lo, hi) -> {
      int step = Math.max(1, BLOCK / c);
      float[] vg = new float[step * c], vx = new float[step * c];
      for (int r0 = lo; r0 < hi; r0 += step) {
        int len = Math.min(step, hi - r0) * c;
        g.get(r0 * c, vg, 0, len);
        h.get(r0 * c, vx, 0, len);
        for (int r = 0; r < len; r += c) {
          for (int ch = 0; ch < c; ch++) {
            float xh = (vx[r + ch] - mu[ch]) * is[ch];
            vg[r + ch] = scale[ch] * (vg[r + ch] - sBeta[ch] - xh * sGamma[ch]);
          }
        }
        d.put(r0 * c, vg, 0, len);
      }
    });
    return new Tensor[] {dx};
  }

  @Override public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (gamma != null) l.addAll(List.of(gamma, beta, movingMean, movingVar));
    return l;
  }

  @Override public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("axis", -1);
    o.addProperty("momentum", momentum);
    o.addProperty("epsilon", epsilon);
    o.addProperty("frozen", frozen);
    return o;
  }
}
