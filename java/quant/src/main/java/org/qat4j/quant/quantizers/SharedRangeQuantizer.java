package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/** Uses another quantizer's current range (TFLite ops whose output params must equal the input's). */
public record SharedRangeQuantizer(FakeQuantizer source) implements Quantizer {
  @Override public int numBits() { return source.rule().numBits(); }
  @Override public boolean narrowRange() { return source.rule().narrowRange(); }
  @Override public boolean symmetric() { return source.rule().symmetric(); }
  @Override public boolean perAxis() { return false; }
  @Override public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {}

  @Override public float[] fixedRange() {
    if (!source.hasRange()) return null;
    return new float[] {source.min()[0], source.max()[0]};
  }

  @Override public String toString() { return "SharedRange(" + source.name() + ")"; }
}
