package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/**
 * Uses another quantizer's current range (TFLite ops whose output params must equal the input's). A
 * loaded model first holds it unlinked, by the source's name, until {@link #link} is called.
 */
public final class SharedRangeQuantizer implements Quantizer {
  private final String sourceName;
  private FakeQuantizer source;

  public SharedRangeQuantizer(FakeQuantizer source) {
    this.source = java.util.Objects.requireNonNull(source, "source");
    this.sourceName = source.name();
  }

  private SharedRangeQuantizer(String sourceName) {
    this.sourceName = sourceName;
  }

  /** A rule sharing the range of the quantizer named {@code sourceName}, to be {@link #link}ed. */
  public static SharedRangeQuantizer unlinked(String sourceName) {
    return new SharedRangeQuantizer(sourceName);
  }

  /** Binds an unlinked rule to its source (which must carry the recorded name). */
  public void link(FakeQuantizer s) {
    if (!s.name().equals(sourceName))
      throw new IllegalArgumentException(
          "shared range expects quantizer '" + sourceName + "', got '" + s.name() + "'");
    source = s;
  }

  public String sourceName() {
    return sourceName;
  }

  /** The source quantizer, or null while unlinked. */
  public FakeQuantizer source() {
    return source;
  }

  private FakeQuantizer linked() {
    if (source == null)
      throw new IllegalStateException(
          "shared range of '" + sourceName + "' is not linked to its source quantizer");
    return source;
  }

  @Override
  public int numBits() {
    return linked().rule().numBits();
  }

  @Override
  public boolean narrowRange() {
    return linked().rule().narrowRange();
  }

  @Override
  public boolean symmetric() {
    return linked().rule().symmetric();
  }

  @Override
  public boolean perAxis() {
    return false;
  }

  @Override
  public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {}

  @Override
  public float[] fixedRange() {
    if (source == null || !source.hasRange()) return null;
    return new float[] {source.min()[0], source.max()[0]};
  }

  @Override
  public String toString() {
    return "SharedRange(" + sourceName + ")";
  }
}
