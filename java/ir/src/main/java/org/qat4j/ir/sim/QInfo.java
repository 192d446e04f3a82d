package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/** Per-tensor quantization of an activation tensor plus its storage range. */
record QInfo(float scale, int zp, int qmin, int qmax) {
  static QInfo of(TensorSpec t) {
    if (t.quant() == null)
      throw new IllegalArgumentException(
          "quantized tensor '" + t.name() + "' has no quantization parameters");
    if (t.quant().perAxis())
      throw new IllegalArgumentException(
          "activation tensor '" + t.name() + "' must be per-tensor quantized");
    boolean u = t.type() == DType.UINT8;
    if (t.type() != DType.INT8 && !u)
      throw new IllegalArgumentException(
          "tensor '" + t.name() + "' is " + t.type() + ", expected INT8 or UINT8");
    int zp = (int) t.quant().zeroPoint();
    return new QInfo(t.quant().scale(), zp, u ? 0 : -128, u ? 255 : 127);
  }

  /** [min, max] clamp for a fused activation on this (output) tensor. */
  int[] range(FusedActivation a) {
    return QuantMath.activationRange(a, scale, zp, qmin, qmax);
  }
}
