package org.qat4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.gemm.Gemm;

/**
 * Finite-difference gradient check for one layer: compares backward() with central differences of L
 * = Σ r·forward(x) for a fixed random r. Returns the worst relative error over sampled coordinates
 * of every input and trainable parameter. Where the quotient with eps misses, the one with 4·eps is
 * tried too and the better of the two counts: float32 rounding of the forward puts noise of order
 * ulp(L)/eps into a quotient (4× less with 4·eps), a ReLU or max-pool kink within the step puts in
 * a jump (less likely with eps), and a wrong analytic gradient disagrees with both.
 */
public final class GradientCheck {
  private GradientCheck() {}

  /** Result: the worst relative error and where it occurred. */
  public record Result(double maxRelError, String where) {}

  /**
   * @param inputs batch-first inputs (perturbed in place and restored)
   * @param eps finite-difference step
   * @param samples coordinates checked per tensor (all if the tensor is smaller)
   */
  public static Result check(Layer layer, Tensor[] inputs, double eps, int samples, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    ExecContext ctx = ctx(seed);
    Tensor y = layer.forward(inputs, ctx);
    Tensor r = random(rng, y.shape()), rCopy = r.copy();
    Tensor[] dx = layer.backward(r, ctx);
    List<Tensor> analytic = new ArrayList<>();
    List<Tensor> targets = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      targets.add(inputs[i]);
      analytic.add(dx[i] == null ? null : dx[i].copy());
    }
    for (Param p : layer.params())
      if (p.trainable()) {
        targets.add(p.value());
        analytic.add(p.grad().copy());
      }
    double worst = 0;
    String where = "";
    for (int t = 0; t < targets.size(); t++) {
      if (analytic.get(t) == null) continue;
      Tensor v = targets.get(t);
      int n = v.size();
      for (int s = 0; s < Math.min(samples, n); s++) {
        int i = n <= samples ? s : rng.nextInt(n);
        double ana = analytic.get(t).get(i);
        double[] q = quotient(layer, inputs, v, i, eps, seed, rCopy, ana);
        if (q[0] > worst) {
          worst = q[0];
          where =
              String.format(
                  "tensor %d index %d numeric %s (with 4·eps %s) analytic %s",
                  t, i, q[1], q[2], ana);
        }
      }
    }
    return new Result(worst, where);
  }

  /**
   * {relative error, quotient with eps, quotient with 4·eps (NaN when the first is within 1e-3)}.
   */
  private static double[] quotient(
      Layer layer, Tensor[] in, Tensor v, int i, double eps, long seed, Tensor r, double ana) {
    double num = numeric(layer, in, v, i, eps, seed, r), err = relative(num, ana);
    if (err <= 1e-3) return new double[] {err, num, Double.NaN};
    double wide = numeric(layer, in, v, i, 4 * eps, seed, r);
    return new double[] {Math.min(err, relative(wide, ana)), num, wide};
  }

  private static double relative(double num, double ana) {
    return Math.abs(num - ana) / Math.max(1e-2, Math.abs(num) + Math.abs(ana));
  }

  /** d(Σ r·forward)/d v[i] by central differences; v[i] is restored. */
  private static double numeric(
      Layer layer, Tensor[] inputs, Tensor v, int i, double eps, long seed, Tensor r) {
    float orig = v.get(i);
    v.set(i, (float) (orig + eps));
    double lp = dot(layer.forward(inputs, ctx(seed)), r);
    v.set(i, (float) (orig - eps));
    double lm = dot(layer.forward(inputs, ctx(seed)), r);
    v.set(i, orig);
    return (lp - lm) / (2 * eps);
  }

  private static ExecContext ctx(long seed) {
    return new ExecContext(true, Gemm.get(), new SplittableRandom(seed));
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
    return s;
  }

  /** A tensor of uniform values in [-1, 1). */
  public static Tensor random(SplittableRandom rng, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.set(i, (float) (rng.nextDouble() * 2 - 1));
    return t;
  }
}
