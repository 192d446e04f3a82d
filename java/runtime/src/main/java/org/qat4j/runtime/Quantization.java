package org.qat4j.runtime;

import java.util.Arrays;

/**
 * Affine quantization of a tensor: real = scale * (q - zeroPoint). Per-tensor when {@code
 * scales.length == 1}, per-axis along {@code axis} otherwise; {@link #NONE} for float tensors.
 */
public final class Quantization {
  /** No quantization parameters. */
  public static final Quantization NONE = new Quantization(new float[0], new int[0], 0);

  private final float[] scales;
  private final int[] zeroPoints;
  private final int axis;

  public Quantization(float[] scales, int[] zeroPoints, int axis) {
    if (scales.length != zeroPoints.length) {
      throw new IllegalArgumentException(
          "scale count " + scales.length + " != zero point count " + zeroPoints.length);
    }
    this.scales = scales.clone();
    this.zeroPoints = zeroPoints.clone();
    this.axis = axis;
  }

  public boolean isQuantized() {
    return scales.length > 0;
  }

  public boolean isPerAxis() {
    return scales.length > 1;
  }

  /** Scale of a per-tensor quantization; fails for per-axis or none. */
  public float scale() {
    requirePerTensor();
    return scales[0];
  }

  /** Zero point of a per-tensor quantization. */
  public int zeroPoint() {
    requirePerTensor();
    return zeroPoints[0];
  }

  public float[] scales() {
    return scales.clone();
  }

  public int[] zeroPoints() {
    return zeroPoints.clone();
  }

  /** The quantized dimension (meaningful for per-axis). */
  public int axis() {
    return axis;
  }

  private void requirePerTensor() {
    if (scales.length != 1) {
      throw new IllegalStateException(
          scales.length == 0
              ? "tensor is not quantized"
              : "tensor is per-axis quantized (" + scales.length + " scales on axis " + axis + ")");
    }
  }

  @Override
  public String toString() {
    if (!isQuantized()) {
      return "none";
    }
    return isPerAxis()
        ? "per-axis(axis=" + axis + ", n=" + scales.length + ")"
        : "scale=" + scales[0] + ", zp=" + zeroPoints[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quantization q
        && q.axis == axis
        && Arrays.equals(q.scales, scales)
        && Arrays.equals(q.zeroPoints, zeroPoints);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints) + axis;
  }
}
