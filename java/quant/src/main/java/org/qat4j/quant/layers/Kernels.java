package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.DepthwiseConv2D;

/** Helpers shared by the QAT layers: output-channel counts of kernels, activations on buffers. */
public final class Kernels {
  private Kernels() {}

  /**
   * Output channels of a kernel, the fastest-varying index of the flattened weights: HWIO conv and
   * [in, units] dense → last dim; depthwise [kh, kw, in, mult] → in·mult.
   */
  public static int outputChannels(Layer layer, Param kernel) {
    int[] s = kernel.value().shape();
    if (layer instanceof DepthwiseConv2D) return s[s.length - 2] * s[s.length - 1];
    return s[s.length - 1];
  }

  /** Name of the kernel param: "depthwise_kernel" for DepthwiseConv2D, else "kernel". */
  public static String kernelParam(Layer layer) {
    return layer instanceof DepthwiseConv2D ? "depthwise_kernel" : "kernel";
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
