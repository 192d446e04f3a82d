package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Keras's SpatialDropout1D on [N, T, C]: in training each (sample, channel) is kept with
 * probability 1 − rate over all T steps and scaled by 1/(1 − rate); identity at inference.
 */
public final class SpatialDropout1D extends RateDropout {
  private float[] mask;
  private Tensor y;
  private Tensor dx;

  public SpatialDropout1D(String name, float rate) {
    super(name, rate);
  }

  static SpatialDropout1D fromConfig(String name, JsonObject c) {
    return new SpatialDropout1D(name, Configs.real(c, "rate", 0.5f));
  }

  @Override
  public String type() {
    return "SpatialDropout1D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 2) throw shapeError("expects [steps, channels], got " + Arrays.toString(s));
    return s.clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    if (!activate(ctx)) return x;
    int n = x.dim(0), t = x.dim(1), c = x.dim(2);
    SplittableRandom rng = ctx.rng();
    float keep = 1f / (1f - rate);
    mask = new float[n * c];
    for (int i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() >= rate ? keep : 0f;
    y = Tensor.reuse(y, x.shape());
    scale(x, y, n, t, c);
    return y;
  }

  private void scale(Tensor from, Tensor to, int n, int t, int c) {
    var fb = from.buffer();
    var tb = to.buffer();
    for (int i = 0; i < n; i++)
      for (int s = 0; s < t; s++)
        for (int j = 0; j < c; j++) {
          int k = (i * t + s) * c + j;
          tb.put(k, fb.get(k) * mask[i * c + j]);
        }
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    if (!active()) return new Tensor[] {g};
    dx = Tensor.reuse(dx, g.shape());
    scale(g, dx, g.dim(0), g.dim(1), g.dim(2));
    return new Tensor[] {dx};
  }

  @Override
  public SpatialDropout1D copy() {
    return new SpatialDropout1D(name(), rate);
  }
}
