package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * The Vector API kernels ({@link BnVector}) against the plain loops, bit for bit: fused BN →
 * ReLU/ReLU6 (→ 2×2 pool) and the separate BN layer, forward and backward, on odd batches, odd
 * spatial sizes (pixels outside every pool window) and channel counts below, at and between whole
 * vectors; NaN inputs; and the vector path against the separate layers.
 */
class BnVectorTest {
  private static final int[][] SHAPES = {
    {3, 6, 6, 3}, {5, 7, 9, 17}, {2, 11, 11, 33}, {4, 8, 8, 32}, {1, 11, 11, 64}, {3, 5, 4, 1}
  };
  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  @Test
  void vectorPathIsBitIdenticalToPlain() {
    assumeTrue(Lanes.VECTOR_AVAILABLE, "jdk.incubator.vector is not in the boot layer");
    for (int[] s : SHAPES) {
      for (String chain : List.of("relu+pool", "relu6+pool", "relu6", "relu", "bn")) {
        Tensor x = Checks.random(s[3] * 31L + s[1], s);
        List<float[]> plain = run(chain, x, s, false), vector = run(chain, x, s, true);
        for (int i = 0; i < plain.size(); i++)
          assertArrayEquals(plain.get(i), vector.get(i), chain + " " + shape(s) + " result " + i);
      }
    }
  }

  @Test
  void nanInputGivesTheSameResultsOnBothPaths() {
    int[] s = {3, 8, 8, 17};
    Tensor x = Checks.random(5, s);
    x.set(2 * 17 + 4, Float.NaN);
    x.set(x.size() - 1, Float.POSITIVE_INFINITY);
    for (boolean vec :
        Lanes.VECTOR_AVAILABLE ? new boolean[] {false, true} : new boolean[] {false}) {
      List<float[]> r = run("relu+pool", x, s, vec);
      assertTrue(Float.isNaN(r.get(0)[4]), "the NaN channel's output is NaN");
      assertTrue(Float.isFinite(r.get(0)[5]), "other channels stay finite");
      if (!vec) continue;
      List<float[]> plain = run("relu+pool", x, s, false);
      for (int i = 0; i < plain.size(); i++)
        assertArrayEquals(plain.get(i), r.get(i), "NaN input, result " + i);
    }
  }

  @Test
  void vectorFusedMatchesSeparateLayers() {
    Lanes.useVector(true);
    for (int[] s : SHAPES) {
      Tensor x = Checks.random(s[3] + 7L, s);
      List<float[]> fused = run("relu6+pool", x, s, Lanes.vector());
      List<float[]> separate = separate(x, s);
      String what = "fused vs separate " + shape(s);
      for (int i = 0; i < separate.size(); i++)
        Checks.close(separate.get(i), fused.get(i), 1e-4f, what + " result " + i);
    }
  }

  /** [output, input gradient, γ gradient, β gradient, moving mean, moving variance]. */
  static List<float[]> run(String chain, Tensor x, int[] s, boolean vector) {
    Lanes.useVector(vector);
    BatchNormalization bn = bn(s);
    ExecContext ctx = ExecContext.training(1);
    Tensor y, dx;
    if (chain.equals("bn")) {
      y = bn.forward(new Tensor[] {x}, ctx);
      dx = bn.backward(Checks.random(9, y.shape()), ctx)[0];
    } else {
      Layer act = chain.startsWith("relu6") ? new ReLU6("a") : new ReLU("a");
      BnActPool f = BnActPool.match(bn, act, chain.endsWith("pool") ? pool(s) : null);
      y = f.forward(x, ctx);
      dx = f.backward(Checks.random(9, y.shape()), true);
    }
    return results(bn, y, dx);
  }

  /** The same chain (ReLU6, 2×2 pool) as three layers. */
  private static List<float[]> separate(Tensor x, int[] s) {
    BatchNormalization bn = bn(s);
    ReLU6 act = new ReLU6("a");
    MaxPool2D pool = pool(s);
    ExecContext ctx = ExecContext.training(1);
    Tensor y = bn.forward(new Tensor[] {x}, ctx);
    y = act.forward(new Tensor[] {y}, ctx);
    y = pool.forward(new Tensor[] {y}, ctx);
    Tensor g = Checks.random(9, y.shape());
    Tensor dx = bn.backward(act.backward(pool.backward(g, ctx)[0], ctx)[0], ctx)[0];
    return results(bn, y, dx);
  }

  private static List<float[]> results(BatchNormalization bn, Tensor y, Tensor dx) {
    List<float[]> r = new ArrayList<>();
    r.add(y.toArray());
    r.add(dx.toArray());
    r.add(bn.gamma().grad().toArray());
    r.add(bn.beta().grad().toArray());
    r.add(bn.movingMean().value().toArray());
    r.add(bn.movingVariance().value().toArray());
    return r;
  }

  /**
   * A built BN layer with γ in [0.5, 1.5] and β in [−0.5, 0.5] (seeded: the same for both runs).
   */
  static BatchNormalization bn(int[] s) {
    BatchNormalization bn = new BatchNormalization("bn");
    bn.build(new int[][] {{s[1], s[2], s[3]}}, new SplittableRandom(1));
    SplittableRandom r = new SplittableRandom(s[3]);
    for (int c = 0; c < s[3]; c++) {
      bn.gamma().value().set(c, (float) r.nextDouble(0.5, 1.5));
      bn.beta().value().set(c, (float) r.nextDouble(-0.5, 0.5));
    }
    return bn;
  }

  static MaxPool2D pool(int[] s) {
    MaxPool2D pool = new MaxPool2D("pool", 2, 2);
    pool.outputShape(new int[] {s[1], s[2], s[3]});
    return pool;
  }

  private static String shape(int[] s) {
    return s[0] + "x" + s[1] + "x" + s[2] + "x" + s[3];
  }
}
