package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Inverted dropout, any shape: in training each element is kept with probability 1 − rate and
 * scaled by 1/(1 − rate), the mask drawn from {@code ctx.rng()} (reproducible per seed); identity
 * at inference.
 */
public final class Dropout extends RateDropout {
  private Tensor mask;
  private Tensor y;
  private Tensor dx;

  public Dropout(String name, float rate) {
    super(name, rate);
  }

  static Dropout fromConfig(String name, JsonObject c) {
    return new Dropout(name, Configs.real(c, "rate", 0.5f));
  }

  @Override
  public String type() {
    return "Dropout";
  }

  @Override
  public int[] outputShape(int[]... in) {
    return single(in).clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    if (!activate(ctx)) return x;
    mask = Tensor.reuse(mask, x.shape());
    y = Tensor.reuse(y, x.shape());
    SplittableRandom rng = ctx.rng();
    float keep = 1f / (1f - rate);
    FloatBuffer mb = mask.buffer(), xb = x.buffer(), yb = y.buffer();
    for (int i = 0, n = x.size(); i < n; i++) {
      float m = rng.nextFloat() >= rate ? keep : 0f;
      mb.put(i, m);
      yb.put(i, xb.get(i) * m);
    }
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    if (!active()) return new Tensor[] {g};
    dx = Tensor.reuse(dx, g.shape());
    FloatBuffer mb = mask.buffer(), gb = g.buffer(), db = dx.buffer();
    for (int i = 0, n = g.size(); i < n; i++) db.put(i, gb.get(i) * mb.get(i));
    return new Tensor[] {dx};
  }

  @Override
  public Dropout copy() {
    return new Dropout(name(), rate);
  }
}
