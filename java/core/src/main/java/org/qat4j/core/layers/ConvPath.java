package org.qat4j.core.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * How a {@link Conv2D} computes its convolution on NHWC tensors, chosen from the layer's geometry.
 * One instance per layer: it owns its workspaces and keeps what backward needs from forward.
 */
interface ConvPath {
  /**
   * Writes x [n, H, W, C] convolved with the kernel into y [n, OH, OW, filters], plus the bias when
   * {@link #biasInside()}; no activation.
   */
  void forward(Tensor x, int n, Tensor y, ExecContext ctx);

  /**
   * From g = dL/dy of the last forward: overwrites the kernel's gradient (and the bias's when
   * {@link #biasInside()}) and, unless {@code dx} is null, dx [n, H, W, C] with dL/dx.
   */
  void backward(Tensor g, int n, Tensor dx, ExecContext ctx);

  /** Whether forward adds the bias and backward writes its gradient (else the layer does). */
  boolean biasInside();
}
