package org.qat4j.spark;

import java.io.Serializable;

/**
 * Mergeable verification counts of an int8 {@code .tflite}: LSB histograms of TFLite BUILTIN and
 * XNNPACK against the integer simulator (DOUBLE rounding) and of XNNPACK against the simulator's
 * XNNPACK_F32 rounding, and top-1 counts (with confusion matrices) of BUILTIN, XNNPACK and the
 * simulator. Fractions are exact long ratios; all fields add up under {@link #merge}.
 */
public record VerifyStats(
    LsbHistogram builtin,
    LsbHistogram xnnpack,
    LsbHistogram xnnpackF32Sim,
    EvalStats int8Builtin,
    EvalStats int8Xnnpack,
    EvalStats simulator)
    implements Serializable {
  static VerifyStats empty(int classes) {
    return new VerifyStats(
        new LsbHistogram(),
        new LsbHistogram(),
        new LsbHistogram(),
        new EvalStats(classes),
        new EvalStats(classes),
        new EvalStats(classes));
  }

  /** Adds {@code o} into this and returns this. */
  public VerifyStats merge(VerifyStats o) {
    builtin.merge(o.builtin);
    xnnpack.merge(o.xnnpack);
    xnnpackF32Sim.merge(o.xnnpackF32Sim);
    int8Builtin.merge(o.int8Builtin);
    int8Xnnpack.merge(o.int8Xnnpack);
    simulator.merge(o.simulator);
    return this;
  }

  public long samples() {
    return int8Builtin.count();
  }

  public long outputElements() {
    return builtin.count();
  }
}
