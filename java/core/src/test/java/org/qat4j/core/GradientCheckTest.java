package org.qat4j.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The finite-difference check itself: it passes a correct backward, fails one whose gradient is off
 * by 5 % either way (the size of the errors it must catch).
 */
class GradientCheckTest {
  /** y = x³ elementwise, with a backward scaled by {@code factor} (1 = correct). */
  private static final class Cube extends Layer {
    private final double factor;
    private Tensor x;

    Cube(double factor) {
      super("cube");
      this.factor = factor;
    }

    @Override
    public String type() {
      return "Cube";
    }

    @Override
    public int[] outputShape(int[]... in) {
      return in[0];
    }

    @Override
    public Tensor forward(Tensor[] in, ExecContext ctx) {
      x = in[0];
      Tensor y = Tensor.zeros(x.shape());
      for (int i = 0; i < y.size(); i++) y.set(i, x.get(i) * x.get(i) * x.get(i));
      return y;
    }

    @Override
    public Tensor[] backward(Tensor g, ExecContext ctx) {
      Tensor dx = Tensor.zeros(x.shape());
      for (int i = 0; i < dx.size(); i++)
        dx.set(i, (float) (factor * 3 * x.get(i) * x.get(i) * g.get(i)));
      return new Tensor[] {dx};
    }
  }

  private static double worst(double factor) {
    Tensor x = GradientCheck.random(new SplittableRandom(3), 4, 6);
    return GradientCheck.check(new Cube(factor), new Tensor[] {x}, 1e-3, 24, 9).maxRelError();
  }

  @Test
  void passesACorrectGradient() {
    assertTrue(worst(1) < 1e-3, "correct backward: " + worst(1));
  }

  @Test
  void failsAGradientFivePercentOff() {
    assertTrue(worst(1.05) > 2e-2, "5 % off: " + worst(1.05));
    assertTrue(worst(0.95) > 2e-2, "5 % off: " + worst(0.95));
  }
}
