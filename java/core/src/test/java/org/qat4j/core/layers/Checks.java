package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;

/** Test helpers: build a layer for a batch shape, run a gradient check, make kink-free inputs. */
final class Checks {
  static final double TOL = 2e-2;

  private Checks() {}

  /** Builds {@code layer} for per-sample input shapes taken from the batch tensors. */
  static <L extends Layer> L build(L layer, Tensor... inputs) {
    int[][] shapes = new int[inputs.length][];
    for (int i = 0; i < inputs.length; i++) shapes[i] = Shapes.dropBatch(inputs[i].shape());
    layer.outputShape(shapes);
    layer.build(shapes, new SplittableRandom(11));
    return layer;
  }

  /** Builds the layer, then asserts backward agrees with central differences. */
  static void gradients(Layer layer, Tensor... inputs) {
    gradients(layer, 1e-2, inputs);
  }

  static void gradients(Layer layer, double eps, Tensor... inputs) {
    build(layer, inputs);
    var r = GradientCheck.check(layer, inputs, eps, 60, 5);
    assertTrue(r.maxRelError() < TOL, layer + ": " + r);
  }

  static Tensor random(long seed, int... shape) {
    return GradientCheck.random(new SplittableRandom(seed), shape);
  }

  /** Distinct values spaced ≥ 0.05 apart in random order (no ties for max pooling). */
  static Tensor distinct(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    int n = t.size();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int s = perm[i];
      perm[i] = perm[j];
      perm[j] = s;
    }
    for (int i = 0; i < n; i++) t.set(i, (perm[i] - n / 2f) * 0.05f);
    return t;
  }

  /** Uniform values in [lo, hi) kept at least 0.05 away from every kink. */
  static Tensor avoiding(long seed, float lo, float hi, float[] kinks, int... shape) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      float v;
      do {
        v = (float) (lo + rng.nextDouble() * (hi - lo));
      } while (near(v, kinks));
      t.set(i, v);
    }
    return t;
  }

  private static boolean near(float v, float[] kinks) {
    for (float k : kinks) if (Math.abs(v - k) < 0.05f) return true;
    return false;
  }

  static void close(float[] want, float[] got, float tol, String what) {
    org.junit.jupiter.api.Assertions.assertEquals(want.length, got.length, what + ": length");
    for (int i = 0; i < want.length; i++) {
      if (Math.abs(want[i] - got[i]) > tol * Math.max(1f, Math.abs(want[i]))) {
        throw new AssertionError(what + ": index " + i + " want " + want[i] + " got " + got[i]);
      }
    }
  }

  /**
   * Compares about seven coordinates of {@code p}'s gradient (from the caller's backward of r) with
   * central differences of L = Σ r·m(x) in training passes, at step {@code eps}.
   */
  static void modelParamGradient(Model m, Tensor x, Tensor r, Param p, float eps) {
    float[] analytic = p.grad().toArray();
    Tensor v = p.value();
    for (int i = 0; i < v.size(); i += Math.max(1, v.size() / 7)) {
      float orig = v.get(i);
      v.set(i, orig + eps);
      double lp = dot(m.forward(x, ExecContext.training(1)), r);
      v.set(i, orig - eps);
      double lm = dot(m.forward(x, ExecContext.training(1)), r);
      v.set(i, orig);
      double num = (lp - lm) / (2 * eps);
      double err =
          Math.abs(num - analytic[i]) / Math.max(1e-2, Math.abs(num) + Math.abs(analytic[i]));
      assertTrue(err < TOL, p.name() + "[" + i + "]: numeric " + num + " analytic " + analytic[i]);
    }
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
    return s;
  }
}
