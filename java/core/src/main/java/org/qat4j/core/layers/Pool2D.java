package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Objects;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * Shared configuration of 2-D pooling on NHWC input: pool size, strides (default = pool size, as
 * Keras) and TFLite padding. Out-of-image taps never take part in a window.
 */
abstract class Pool2D extends Layer {
  private final int[] poolSize;
  private int[] strides;
  private Padding padding = Padding.VALID;
  ConvGeometry geo;

  Pool2D(String name, int ph, int pw) {
    super(name);
    ConvGeometry.positive(name, "pool size", ph, pw);
    poolSize = new int[] {ph, pw};
    strides = poolSize.clone();
  }

  void setStrides(int sh, int sw) {
    ConvGeometry.positive(name(), "strides", sh, sw);
    strides = new int[] {sh, sw};
  }

  void setPadding(Padding p) {
    padding = Objects.requireNonNull(p);
  }

  /** [pool_h, pool_w]. */
  public int[] poolSize() {
    return poolSize.clone();
  }

  /** [stride_h, stride_w]. */
  public int[] strides() {
    return strides.clone();
  }

  public Padding padding() {
    return padding;
  }

  static int[][] sizes(String name, JsonObject c) {
    int[] p = ConvGeometry.pair(Configs.ints(c, "pool_size"), name, "pool_size");
    int[] s = c.has("strides") ? ConvGeometry.pair(Configs.ints(c, "strides"), name, "strides") : p;
    return new int[][] {p, s};
  }

  @Override
  public int[] outputShape(int[]... in) {
    ConvGeometry g = geometry(single(in));
    return new int[] {g.oh(), g.ow(), g.c()};
  }

  ConvGeometry geometry(int[] in) {
    return ConvGeometry.of(
        this, in, poolSize[0], poolSize[1], strides[0], strides[1], 1, 1, padding);
  }

  /** In-image taps of output position o along one axis: [tapLo, tapHi). */
  static int tapLo(int o, int s, int pad) {
    return Math.max(o * s - pad, 0);
  }

  static int tapHi(int o, int s, int pad, int k, int size) {
    return Math.min(o * s - pad + k, size);
  }

  /** Recomputes the geometry for the batch {@code x} [N, H, W, C]; returns N. */
  int prepare(Tensor x) {
    if (x.rank() != 4)
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, H, W, C], got " + x);
    int[] s = {x.dim(1), x.dim(2), x.dim(3)};
    if (geo == null || geo.h() != s[0] || geo.w() != s[1] || geo.c() != s[2]) geo = geometry(s);
    return x.dim(0);
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("pool_size", Configs.array(poolSize));
    o.add("strides", Configs.array(strides));
    o.addProperty("padding", padding.name());
    return o;
  }
}
