package org.qat4j.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.ir.DType;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteWriter;

/** Test models as .tflite bytes and in-place byte edits that rebuild fuzzed mutants. */
final class ModelBytes {
  private ModelBytes() {}

  /**
   * qat4j's MobileNetMini (seed 5) as a full-int8 per-channel export with int8 I/O, PTQ on 8 random
   * images.
   */
  static byte[] mobileNetMiniInt8() {
    Model m = MobileNetMini.create(5);
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[8 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
    return TfliteWriter.write(
        Int8Lowering.lower(Ptq.quantize(m, List.of(Tensor.of(x, 8, 28, 28, 1))), DType.INT8));
  }

  /** qat4j's MobileNetMini (given seed) as a float32 export. */
  static byte[] mobileNetMiniFloat(long seed) {
    return TfliteWriter.write(FloatLowering.lower(MobileNetMini.create(seed)));
  }

  /**
   * Overwrites {@code replacement} at {@code offset} bytes into every occurrence of {@code pattern}
   * in {@code b}; returns the number of occurrences.
   */
  static int patch(byte[] b, byte[] pattern, int offset, byte[] replacement) {
    int hits = 0;
    for (int i = 0; i + pattern.length <= b.length; i++) {
      if (Arrays.equals(b, i, i + pattern.length, pattern, 0, pattern.length)) {
        System.arraycopy(replacement, 0, b, i + offset, replacement.length);
        hits++;
      }
    }
    return hits;
  }

  /** Little-endian int32s, the layout of flatbuffer vectors (length prefix included when given). */
  static byte[] ints(int... values) {
    ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) bb.putInt(v);
    return bb.array();
  }

  /** One little-endian float32. */
  static byte[] float32(float v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
  }
}
