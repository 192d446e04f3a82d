package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ShapeException;

/**
 * y = x · scale + offset elementwise, any shape (Keras's Rescaling). Scale and offset are each one
 * number, or one per channel of the last axis (Keras 3 takes lists). Lowers to MUL by the constant
 * scale, then ADD of the offset when it is not 0, both per channel.
 */
public final class Rescaling extends Unary {
  private final float[] scale, offset;

  public Rescaling(String name, float scale, float offset) {
    this(name, new float[] {scale}, new float[] {offset});
  }

  /** Scale and offset of length 1 or C (the channels of the last axis; equal when both are C). */
  public Rescaling(String name, float[] scale, float[] offset) {
    super(name);
    if (scale.length == 0
        || offset.length == 0
        || scale.length > 1 && offset.length > 1 && scale.length != offset.length)
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': "
              + scale.length
              + " scales and "
              + offset.length
              + " offsets (1 or one per channel each)");
    for (float v : scale) finite(name, v);
    for (float v : offset) finite(name, v);
    this.scale = scale.clone();
    this.offset = offset.clone();
  }

  private static void finite(String name, float v) {
    if (!Float.isFinite(v))
      throw new IllegalArgumentException(
          "layer '" + name + "': scale and offset must be finite, got " + v);
  }

  static Rescaling fromConfig(String name, JsonObject c) {
    return new Rescaling(name, values(c, "scale", 1f), values(c, "offset", 0f));
  }

  private static float[] values(JsonObject c, String key, float dflt) {
    if (c.has(key) && c.get(key).isJsonArray()) return Configs.floats(c, key);
    return new float[] {Configs.real(c, key, dflt)};
  }

  /** The channels scale and offset name: 1 when both are single numbers. */
  public int channels() {
    return Math.max(scale.length, offset.length);
  }

  /** The scale for each of {@code c} channels (a single scale repeated). */
  public float[] scales(int c) {
    return repeat(scale, c);
  }

  /** The offset for each of {@code c} channels (a single offset repeated). */
  public float[] offsets(int c) {
    return repeat(offset, c);
  }

  private float[] repeat(float[] v, int c) {
    if (v.length == c) return v.clone();
    if (v.length != 1)
      throw new IllegalArgumentException(
          "layer '" + name() + "': " + v.length + " values for " + c + " channels");
    float[] r = new float[c];
    Arrays.fill(r, v[0]);
    return r;
  }

  @Override
  public String type() {
    return "Rescaling";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    int c = channels();
    if (c > 1 && (s.length == 0 || s[s.length - 1] != c))
      throw new ShapeException(name(), c + " channels do not fit input " + Arrays.toString(s));
    return s.clone();
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    forward(x, y, n, 0);
  }

  @Override
  void forward(float[] x, float[] y, int n, int at) {
    int ls = scale.length, lo = offset.length;
    if (ls == 1 && lo == 1) {
      float s = scale[0], o = offset[0];
      for (int i = 0; i < n; i++) y[i] = x[i] * s + o;
      return;
    }
    for (int i = 0; i < n; i++) y[i] = x[i] * scale[(at + i) % ls] + offset[(at + i) % lo];
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    backward(x, y, g, n, 0);
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n, int at) {
    int ls = scale.length;
    for (int i = 0; i < n; i++) g[i] *= scale[(at + i) % ls];
  }

  @Override
  boolean backwardNeedsX() {
    return false;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    if (scale.length == 1) o.addProperty("scale", scale[0]);
    else o.add("scale", Configs.array(scale));
    if (offset.length == 1) o.addProperty("offset", offset[0]);
    else o.add("offset", Configs.array(offset));
    return o;
  }

  @Override
  public Rescaling copy() {
    return new Rescaling(name(), scale, offset);
  }
}
