package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Maximum over height and width: NHWC [N, H, W, C] → [N, C] (TFLite MAX_POOL_2D over the whole
 * image, then RESHAPE). The gradient goes to the first maximum of each channel.
 */
public final class GlobalMaxPooling2D extends GlobalPool2D {
  private Tensor y;
  private Tensor dx;
  private int[] inShape;
  private int[] argmax = new int[0];

  public GlobalMaxPooling2D(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "GlobalMaxPooling2D";
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = Images.batch(this, x);
    int n = inShape[0], hw = inShape[1] * inShape[2], c = inShape[3];
    y = Tensor.reuse(y, n, c);
    if (argmax.length != n * c) argmax = new int[n * c];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        int best = b * hw * c + ch;
        for (int p = 1; p < hw; p++) {
          int i = (b * hw + p) * c + ch;
          if (xb.get(i) > xb.get(best)) best = i;
        }
        argmax[b * c + ch] = best;
        yb.put(b * c + ch, xb.get(best));
      }
    }
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    dx.fill(0f);
    FloatBuffer gb = g.buffer(), db = dx.buffer();
    for (int k = 0; k < argmax.length; k++) db.put(argmax[k], gb.get(k));
    return new Tensor[] {dx};
  }

  @Override
  public GlobalMaxPooling2D copy() {
    return new GlobalMaxPooling2D(name());
  }
}
