package org.qat4j.tflite;

import java.util.Arrays;

/**
 * Quantization of one tensor as stored in the file: real = (q − zeroPoint)·scale, per tensor (one
 * scale) or per axis along {@code quantizedDimension}; {@code min}/{@code max} are the optional
 * recorded float ranges. Arrays are copied on the way in and out. This is the file's raw record,
 * kept apart from the one validated concept {@code ir.QuantParams} on purpose: the reader must hold
 * what QuantParams refuses (range-only entries without scales, missing zero points, zero or NaN
 * scales) so that ModelValidator can reject them naming tensor and index; LoweredImport converts a
 * checked record to QuantParams.
 */
public record QuantizationInfo(
    float[] scales, long[] zeroPoints, int quantizedDimension, float[] min, float[] max) {
  public QuantizationInfo {
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
    min = min.clone();
    max = max.clone();
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
  public float[] min() {
    return min.clone();
  }

  @Override
  public float[] max() {
    return max.clone();
  }

  /** True when there is more than one scale (one per index of {@code quantizedDimension}). */
  public boolean perAxis() {
    return scales.length > 1;
  }

  /** True when the file carries scales (not just a recorded min/max range). */
  public boolean hasScales() {
    return scales.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantizationInfo q
        && Arrays.equals(scales, q.scales)
        && Arrays.equals(zeroPoints, q.zeroPoints)
        && quantizedDimension == q.quantizedDimension
        && Arrays.equals(min, q.min)
        && Arrays.equals(max, q.max);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints) + quantizedDimension;
  }

  @Override
  public String toString() {
    if (!hasScales()) return "range" + Arrays.toString(min) + ".." + Arrays.toString(max);
    if (!perAxis())
      return "scale=" + scales[0] + " zp=" + (zeroPoints.length > 0 ? zeroPoints[0] : 0);
    return "perAxis(dim=" + quantizedDimension + ", n=" + scales.length + ")";
  }
}
