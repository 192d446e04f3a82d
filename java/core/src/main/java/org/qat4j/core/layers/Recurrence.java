package org.qat4j.core.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Shared pieces of the recurrent layers ({@link LSTM}, {@link GRU}): their gate activations and a
 * row-major GEMM on strided views, so one time step of a [N, T, F] tensor is one call.
 */
final class Recurrence {
  private Recurrence() {}

  /** A gate (recurrent) activation of Keras's recurrent layers. */
  enum Gate {
    /** 1 / (1 + e^−x). */
    SIGMOID,
    /** Keras 2's clip(0.2·x + 0.5, 0, 1) (Keras 3 uses another slope and is not this). */
    HARD_SIGMOID;

    float apply(float x) {
      if (this == SIGMOID) return (float) (1.0 / (1.0 + Math.exp(-x)));
      float y = 0.2f * x + 0.5f;
      return y < 0f ? 0f : Math.min(y, 1f);
    }

    /** The derivative at the input whose activation is {@code y}. */
    float slope(float y) {
      if (this == SIGMOID) return y * (1f - y);
      return y > 0f && y < 1f ? 0.2f : 0f;
    }
  }

  /** A matrix view: tensor, offset of element (0, 0), row stride. */
  record View(Tensor t, int off, int ld) {}

  static View view(Tensor t, int off, int ld) {
    return new View(t, off, ld);
  }

  /** C[m, n] = beta·C + op(A)·op(B), op = transpose when the flag is set. */
  static void mm(
      ExecContext ctx,
      boolean ta,
      boolean tb,
      int m,
      int n,
      int k,
      View a,
      View b,
      float beta,
      View c) {
    SplitGemm.sgemm(
        ctx.gemm(),
        ta,
        tb,
        m,
        n,
        k,
        1f,
        a.t(),
        a.off(),
        a.ld(),
        b.t(),
        b.off(),
        b.ld(),
        beta,
        c.t(),
        c.off(),
        c.ld());
  }

  static float tanh(float x) {
    return (float) Math.tanh(x);
  }

  /** Checks a batch [N, T, F] input against the built feature count. */
  static void checkInput(String layer, Tensor x, int features) {
    if (x.rank() != 3 || x.dim(2) != features)
      throw new IllegalArgumentException(
          "layer '" + layer + "' expects [N, T, " + features + "], got " + x);
  }
}
