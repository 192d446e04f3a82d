package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Weighted;

/** Helpers shared by the QAT layers: output-channel counts of kernels, activations on buffers. */
public final class Kernels {
  private Kernels() {}

  /**
   * Output channels of a kernel, the fastest-varying index of the flattened weights: HWIO conv (and
   * transposed conv) and [in, units] dense → last dim; depthwise [kh, kw, in, mult] → in·mult.
   */
  public static int outputChannels(Layer layer, Param kernel) {
    int[] s = kernel.value().shape();
    return weighted(layer).accept(new Layout())
        ? s[s.length - 2] * s[s.length - 1]
        : s[s.length - 1];
  }

  /** Name of the kernel param: "depthwise_kernel" for DepthwiseConv2D, else "kernel". */
  public static String kernelParam(Layer layer) {
    return weighted(layer).accept(new Layout()) ? "depthwise_kernel" : "kernel";
  }

  private static Weighted weighted(Layer layer) {
    if (layer instanceof Weighted w) return w;
    throw new IllegalArgumentException(
        "layer '" + layer.name() + "' (" + layer.type() + ") has no kernel");
  }

  /** Whether the kernel is depthwise ([kh, kw, in, mult]); a new weighted type must answer. */
  private static final class Layout implements Weighted.Visitor<Boolean> {
    @Override
    public Boolean conv2D(Conv2D c) {
      return false;
    }

    @Override
    public Boolean depthwise(DepthwiseConv2D d) {
      return true;
    }

    @Override
    public Boolean dense(Dense d) {
      return false;
    }

    @Override
    public Boolean conv2DTranspose(Conv2DTranspose t) {
      return false;
    }
  }

  /** y = act(x) into {@code out}. */
  static void activate(Activation a, Tensor x, Tensor out) {
    FloatBuffer xb = x.buffer(), ob = out.buffer();
    float hi = a == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    boolean none = a == Activation.NONE;
    for (int i = 0, n = x.size(); i < n; i++) {
      float v = xb.get(i);
      ob.put(i, none ? v : v < 0f ? 0f : Math.min(v, hi));
    }
  }
}
