package org.qat4j.quant.quantizers;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The byte lanes of quant's straight-through mask kernels on the JDK Vector API: as many bytes as
 * the preferred float species has floats. Loaded only when the module jdk.incubator.vector is in
 * use. Internal to quant.
 */
public final class MaskLanes {
  /**
   * Bytes at the preferred float lane count, or null below 64 bits (128-bit vectors: arm64's NEON,
   * SSE, or -XX:MaxVectorSize=16), where no byte shape exists and the kernels run plain mask loops.
   */
  public static final VectorSpecies<Byte> BYTES = bytesFor(VectorShape.preferredShape());

  private MaskLanes() {}

  private static VectorSpecies<Byte> bytesFor(VectorShape floats) {
    int bits = floats.vectorBitSize() / Float.SIZE * Byte.SIZE;
    return bits >= 64 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(bits)) : null;
  }
}
