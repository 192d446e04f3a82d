package org.qat4j.ir;

import java.util.Arrays;

/**
 * Affine quantization parameters, real = (q − zeroPoint)·scale. Per-tensor when there is one scale;
 * per-axis along {@code quantizedDimension} otherwise (one scale/zero point per index).
 */
public record QuantParams(float[] scales, long[] zeroPoints, int quantizedDimension) {
  public QuantParams {
    if (scales.length == 0 || scales.length != zeroPoints.length) {
      throw new IllegalArgumentException(
          "need equal, non-zero scale/zero-point counts, got "
              + scales.length
              + "/"
              + zeroPoints.length);
    }
    for (float s : scales)
      if (!(s > 0f) || Float.isInfinite(s))
        throw new IllegalArgumentException("scale must be finite and > 0, got " + s);
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
  }

  public static QuantParams perTensor(float scale, long zeroPoint) {
    return new QuantParams(new float[] {scale}, new long[] {zeroPoint}, 0);
  }

  public static QuantParams perAxis(float[] scales, int dim) {
    return new QuantParams(scales, new long[scales.length], dim);
  }

  public boolean perAxis() {
    return scales.length > 1;
  }

  public float scale() {
    return scales[0];
  }

  public long zeroPoint() {
    return zeroPoints[0];
  }

  @Override
  public float[] scales() {
    return scales.clone();
  }

  @Override
  public long[] zeroPoints() {
    return zeroPoints.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantParams q
        && Arrays.equals(scales, q.scales)
        && Arrays.equals(zeroPoints, q.zeroPoints)
        && quantizedDimension == q.quantizedDimension;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints) + quantizedDimension;
  }

  @Override
  public String toString() {
    return perAxis()
        ? "perAxis(dim=" + quantizedDimension + ", n=" + scales.length + ")"
        : "(" + scales[0] + ", " + zeroPoints[0] + ")";
  }
}
