package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * {@link GridLevels} (the output fake-quant inside {@link ConvPoolQat}'s tie scan) against {@link
 * BnFold#affineActQuant} over the same values with multiplier 1 and offset 0, bit for bit: ReLU and
 * ReLU6 caps, the zero grid, sub-ranges with vector tails, values on grid points, half-steps, range
 * ends, ±0, ±∞ and NaN.
 */
class GridLevelsTest {
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  @Test
  void levelsAreThoseOfTheWholeTensorPass() {
    SplittableRandom rng = new SplittableRandom(21);
    FakeQuant.Nudged[] grids = {
      FakeQuant.nudge(-1.3f, 2.9f, 8, false), FakeQuant.nudge(0f, 6f, 8, false),
      FakeQuant.nudge(0f, 0.05f, 8, true), FakeQuant.nudge(0f, 9f, 4, false),
      FakeQuant.nudge(0f, 0f, 8, false)
    };
    for (boolean vector : new boolean[] {true, false})
      for (FakeQuant.Nudged n : grids)
        for (Activation act : new Activation[] {Activation.RELU, Activation.RELU6}) {
          VectorApi.use(vector);
          float top = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
          float[] v = values(rng, 1003, n);
          Tensor out = Tensor.zeros(v.length, 1);
          BnFold.affineActQuant(Tensor.of(v.clone(), v.length, 1), out, null, new float[1], act, n);
          float[] mine = v.clone();
          GridLevels.map(mine, 5, 998, top, n);
          for (int i = 0; i < v.length; i++) {
            float want = i < 5 || i >= 998 ? v[i] : out.get(i);
            assertEquals(
                Float.floatToRawIntBits(want),
                Float.floatToRawIntBits(mine[i]),
                "vector=" + vector + " " + act + " " + n + " at " + i + " of " + v[i]);
          }
        }
  }

  /** Activated-looking values in [0, 1.2·max] and the special ones. */
  private static float[] values(SplittableRandom rng, int len, FakeQuant.Nudged n) {
    float s = n.scale() == 0f ? 0.1f : n.scale(), hi = Math.max(n.nudgedMax(), 1f) * 1.2f;
    float[] special = {
      0f,
      -0f,
      s,
      0.5f * s,
      1.5f * s,
      n.nudgedMax(),
      n.nudgedMax() + 0.5f * s,
      6f,
      -1f,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN,
      Math.nextUp(0.5f * s)
    };
    float[] v = new float[len];
    for (int i = 0; i < len; i++) {
      v[i] =
          i % 7 == 0
              ? special[i / 7 % special.length]
              : i % 3 == 0 ? Math.round(rng.nextDouble() * 40) * s : (float) rng.nextDouble(0, hi);
    }
    return v;
  }
}
