package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/** Model inputs: the running min/max over every batch seen; the range never shrinks. */
public record AllValuesQuantizer(int numBits, boolean symmetric, boolean narrowRange)
    implements Quantizer {
  public AllValuesQuantizer {
    FakeQuant.checkBits(numBits);
  }

  public static AllValuesQuantizer int8() {
    return new AllValuesQuantizer(8, false, false);
  }

  @Override
  public boolean perAxis() {
    return false;
  }

  @Override
  public boolean observesMinMaxOnly() {
    return true;
  }

  @Override
  public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {
    float[] b = Ranges.batchRange(x, size, numBits, symmetric, narrowRange);
    min[0] = first ? b[0] : Math.min(min[0], b[0]);
    max[0] = first ? b[1] : Math.max(max[0], b[1]);
  }
}
