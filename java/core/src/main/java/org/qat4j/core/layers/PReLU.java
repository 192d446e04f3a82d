package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Parametric ReLU y = x for x ≥ 0, α·x otherwise (TFLite PRELU, Keras PReLU), any shape. The
 * trainable α has the per-sample input shape with the shared axes set to 1; axes count the batch as
 * 0, as Keras's {@code shared_axes} do (NHWC images: [1, 2] gives one α per channel). α starts at
 * 0.
 */
public final class PReLU extends Layer {
  private final int[] sharedAxes;
  private Param alpha;
  private int[] index;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  public PReLU(String name, int... sharedAxes) {
    super(name);
    for (int a : sharedAxes) {
      if (a < 1)
        throw new IllegalArgumentException(
            "layer '" + name + "': shared axis " + a + " must be ≥ 1 (0 is the batch)");
    }
    this.sharedAxes = sharedAxes.clone();
  }

  static PReLU fromConfig(String name, JsonObject c) {
    return new PReLU(name, c.has("shared_axes") ? Configs.ints(c, "shared_axes") : new int[0]);
  }

  public int[] sharedAxes() {
    return sharedAxes.clone();
  }

  /** The slopes below zero (built). */
  public Param alpha() {
    return alpha;
  }

  @Override
  public String type() {
    return "PReLU";
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("shared_axes", Configs.array(sharedAxes));
    return o;
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    for (int a : sharedAxes)
      if (a > s.length)
        throw shapeError("shared axis " + a + " does not exist in input " + Arrays.toString(s));
    return s.clone();
  }

  /** The shape of α for per-sample input shape {@code in}. */
  private int[] alphaShape(int[] in) {
    int[] s = in.clone();
    for (int a : sharedAxes) s[a - 1] = 1;
    return s;
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int[] s = outputShape(in), as = alphaShape(s);
    alpha = new Param("alpha", Tensor.zeros(as), true);
    int n = 1;
    for (int d : s) n *= d;
    index = new int[n];
    int[] pos = new int[s.length];
    for (int i = 0; i < n; i++) {
      int k = 0;
      for (int d = 0; d < s.length; d++) k = k * as[d] + (as[d] == 1 ? 0 : pos[d]);
      index[i] = k;
      for (int d = s.length - 1; d >= 0 && ++pos[d] == s[d]; d--) pos[d] = 0;
    }
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    y = Tensor.reuse(y, x.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer(), ab = alpha.value().buffer();
    int per = index.length;
    for (int i = 0, n = x.size(); i < n; i++) {
      float v = xb.get(i);
      yb.put(i, v >= 0f ? v : v * ab.get(index[i % per]));
    }
    return y;
  }

  /** dx = g where x ≥ 0, g·α elsewhere; dα sums g·x over the elements below zero it scales. */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, g.shape());
    FloatBuffer xb = x.buffer(), gb = g.buffer(), db = dx.buffer(), ab = alpha.value().buffer();
    double[] da = new double[alpha.value().size()];
    int per = index.length;
    for (int i = 0, n = g.size(); i < n; i++) {
      float v = xb.get(i), gi = gb.get(i);
      int k = index[i % per];
      if (v >= 0f) db.put(i, gi);
      else {
        db.put(i, gi * ab.get(k));
        da[k] += (double) gi * v;
      }
    }
    FloatBuffer ga = alpha.grad().buffer();
    for (int k = 0; k < da.length; k++) ga.put(k, (float) da[k]);
    return new Tensor[] {dx};
  }

  @Override
  public List<Param> params() {
    return alpha == null ? List.of() : List.of(alpha);
  }

  @Override
  public PReLU copy() {
    return new PReLU(name(), sharedAxes);
  }
}
