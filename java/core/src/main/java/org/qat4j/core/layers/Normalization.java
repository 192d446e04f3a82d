package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Fixed standardization as Keras's Normalization: y = (x − mean) / max(√variance, 1e-7), one mean
 * and variance per channel of the last axis (axis −1) or per element of the sample (several axes,
 * broadcast by the importer). Mean and variance are constants (Keras adapts them before training).
 * Lowers to MUL by 1/σ, then ADD of −mean/σ.
 */
public final class Normalization extends Layer {
  /** Keras's floor on the standard deviation (backend epsilon). */
  static final float MIN_STD = 1e-7f;

  private final float[] mean, variance, multiplier, shift;
  private Tensor y;
  private Tensor dx;

  /** One mean and one variance (≥ 0) per channel, or per element of the sample (row-major). */
  public Normalization(String name, float[] mean, float[] variance) {
    super(name);
    if (mean.length == 0 || mean.length != variance.length)
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': "
              + mean.length
              + " means and "
              + variance.length
              + " variances (one of each per channel)");
    multiplier = new float[mean.length];
    shift = new float[mean.length];
    for (int c = 0; c < mean.length; c++) {
      if (!(variance[c] >= 0) || !Float.isFinite(variance[c]) || !Float.isFinite(mean[c]))
        throw new IllegalArgumentException(
            "layer '"
                + name
                + "': channel "
                + c
                + " has mean "
                + mean[c]
                + ", variance "
                + variance[c]);
      multiplier[c] = 1f / Math.max((float) Math.sqrt(variance[c]), MIN_STD);
      shift[c] = -mean[c] * multiplier[c];
    }
    this.mean = mean.clone();
    this.variance = variance.clone();
  }

  static Normalization fromConfig(String name, JsonObject c) {
    return new Normalization(name, Configs.floats(c, "mean"), Configs.floats(c, "variance"));
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] variance() {
    return variance.clone();
  }

  /** Per channel 1/σ: the lowering's MUL constant. */
  public float[] multiplier() {
    return multiplier.clone();
  }

  /** Per channel −mean/σ: the lowering's ADD constant. */
  public float[] shift() {
    return shift.clone();
  }

  @Override
  public String type() {
    return "Normalization";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (!fits(s))
      throw new ShapeException(
          name(), mean.length + " statistics do not fit input " + Arrays.toString(s));
    return s.clone();
  }

  /** One statistic per channel, or per element of the sample shape {@code s}. */
  private boolean fits(int[] s) {
    if (s.length == 0) return false;
    int per = 1;
    for (int d : s) per *= d;
    return s[s.length - 1] == mean.length || per == mean.length;
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int c = mean.length;
    if (x.rank() < 2 || !fits(Arrays.copyOfRange(x.shape(), 1, x.rank())))
      throw new IllegalArgumentException(
          "layer '"
              + name()
              + "' expects "
              + c
              + " channels last or elements per sample, got "
              + x);
    float[] v = x.toArray();
    for (int i = 0; i < v.length; i++) v[i] = v[i] * multiplier[i % c] + shift[i % c];
    y = Tensor.reuse(y, x.shape());
    y.buffer().put(0, v);
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    float[] d = g.toArray();
    for (int i = 0; i < d.length; i++) d[i] *= multiplier[i % mean.length];
    dx = Tensor.reuse(dx, g.shape());
    dx.buffer().put(0, d);
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("mean", Configs.array(mean));
    o.add("variance", Configs.array(variance));
    return o;
  }

  @Override
  public Normalization copy() {
    return new Normalization(name(), mean, variance);
  }
}
