package org.qat4j.cli.ops;

import java.nio.ByteBuffer;
import java.util.List;
import org.qat4j.runtime.CustomOp;
import org.qat4j.runtime.CustomOpTensor;

/** Test op for {@code --custom-op}: y = f · x, f the float32 in the node's custom options. */
public class ScaleByOptionsOp implements CustomOp {
  @Override
  public void invoke(ByteBuffer options, List<CustomOpTensor> in, List<CustomOpTensor> out) {
    float f = options.getFloat(0);
    float[] v = in.get(0).readFloats();
    for (int i = 0; i < v.length; i++) v[i] *= f;
    out.get(0).write(v);
  }

  /** Not a {@link CustomOp}: {@code --custom-op} must refuse it. */
  public static class NotAnOp {}

  /** No public no-argument constructor: {@code --custom-op} must refuse it. */
  public static class NeedsAnArgument extends ScaleByOptionsOp {
    public NeedsAnArgument(int unused) {}
  }
}
