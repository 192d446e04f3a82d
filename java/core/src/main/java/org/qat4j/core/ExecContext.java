package org.qat4j.core;

import java.util.SplittableRandom;
import org.qat4j.core.gemm.Gemm;

/** Per-pass execution settings handed to layers: training mode, GEMM backend and a seeded RNG. */
public final class ExecContext {
  private final boolean training;
  private final Gemm gemm;
  private final SplittableRandom rng;

  public ExecContext(boolean training, Gemm gemm, SplittableRandom rng) {
    this.training = training;
    this.gemm = gemm;
    this.rng = rng;
  }

  public static ExecContext inference() {
    return new ExecContext(false, Gemm.get(), new SplittableRandom(0));
  }

  public static ExecContext training(long seed) {
    return new ExecContext(true, Gemm.get(), new SplittableRandom(seed));
  }

  public boolean training() {
    return training;
  }

  public Gemm gemm() {
    return gemm;
  }

  public SplittableRandom rng() {
    return rng;
  }
}
