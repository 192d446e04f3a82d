package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;

/**
 * Reshapes each sample to {@code targetShape} (row-major; at most one −1, inferred); a view, no
 * copy.
 */
public final class Reshape extends Layer {
  private final int[] target;
  private int[] outShape;
  private int[] inShape;

  public Reshape(String name, int... targetShape) {
    super(name);
    int unknown = 0;
    for (int d : targetShape) {
      if (d == -1) unknown++;
      else if (d <= 0)
        throw new IllegalArgumentException(
            "layer '"
                + name
                + "': target shape "
                + Arrays.toString(targetShape)
                + " has a non-positive dimension");
    }
    if (unknown > 1 || targetShape.length == 0) {
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': target shape "
              + Arrays.toString(targetShape)
              + " must be non-empty with at most one -1");
    }
    target = targetShape.clone();
  }

  static Reshape fromConfig(String name, JsonObject c) {
    return new Reshape(name, Configs.ints(c, "target_shape"));
  }

  /** The target shape as given (may hold one −1). */
  public int[] targetShape() {
    return target.clone();
  }

  @Override
  public String type() {
    return "Reshape";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    int size = Shapes.size(s), known = 1, free = -1;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == -1) free = i;
      else known *= target[i];
    }
    int[] out = target.clone();
    if (free >= 0 && size % known == 0 && size / known > 0) out[free] = size / known;
    if ((free >= 0 && out[free] <= 0) || (long) known * (free >= 0 ? out[free] : 1) != size) {
      throw shapeError(
          "cannot reshape input "
              + Arrays.toString(s)
              + " ("
              + size
              + " values) to target "
              + Arrays.toString(target));
    }
    return out;
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = x.shape();
    if (outShape == null || Shapes.size(outShape) * x.dim(0) != x.size())
      outShape = outputShape(Shapes.dropBatch(inShape));
    return x.reshape(Shapes.withBatch(x.dim(0), outShape));
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    return new Tensor[] {g.reshape(inShape)};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("target_shape", Configs.array(target));
    return o;
  }

  @Override
  public Reshape copy() {
    return new Reshape(name(), target);
  }
}
