package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * MaxPool2D's 2×2 stride-2 Vector API path against its plain loops, bit for bit: pooled outputs and
 * input gradients on odd sizes (pixels outside every window), channel counts below, at and between
 * whole vectors, coarse values with many ties (the first maximal tap wins), NaN, ±∞ and −0.
 */
class MaxPoolVectorTest {
  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  @Test
  void vectorPathIsChosenWhenTheModuleIsPresent() {
    assertTrue(Lanes.VECTOR_AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
    Lanes.useVector(true);
    MaxPool2D p = pool(2, 4, 4, 16);
    p.forward(new Tensor[] {Tensor.zeros(2, 4, 4, 16)}, ExecContext.training(1));
    assertTrue(p.usedVectorPath());
  }

  @Test
  void vectorAndPlainPathsAgreeBitForBit() {
    int[][] shapes = {
      {3, 6, 6, 3}, {5, 7, 9, 17}, {2, 11, 11, 33}, {4, 8, 8, 32}, {1, 5, 4, 1}, {2, 26, 26, 64}
    };
    SplittableRandom rng = new SplittableRandom(8);
    for (int[] s : shapes)
      for (int values = 0; values < 3; values++) {
        Tensor x = input(rng, s, values), gy = Tensor.zeros(s[0], s[1] / 2, s[2] / 2, s[3]);
        for (int i = 0; i < gy.size(); i++)
          gy.set(i, i % 7 == 0 ? -0f : (float) rng.nextGaussian());
        float[][] plain = run(false, x, gy), vec = run(true, x, gy);
        String at = Arrays.toString(s) + " values " + values;
        assertArrayEquals(bits(plain[0]), bits(vec[0]), "output " + at);
        assertArrayEquals(bits(plain[1]), bits(vec[1]), "dx " + at);
      }
  }

  private static float[][] run(boolean vector, Tensor x, Tensor gy) {
    Lanes.useVector(vector);
    MaxPool2D p = pool(x.dim(0), x.dim(1), x.dim(2), x.dim(3));
    ExecContext ctx = ExecContext.training(1);
    float[] y = p.forward(new Tensor[] {x}, ctx).toArray();
    return new float[][] {y, p.backward(gy, ctx)[0].toArray()};
  }

  private static MaxPool2D pool(int n, int h, int w, int c) {
    MaxPool2D p = new MaxPool2D("pool", 2, 2);
    p.build(new int[][] {{h, w, c}}, new SplittableRandom(1));
    return p;
  }

  /** values 0: Gaussian; 1: coarse (many ties), with ±0; 2: coarse with NaN and ±∞ sprinkled. */
  private static Tensor input(SplittableRandom rng, int[] s, int values) {
    Tensor x = Tensor.zeros(s);
    for (int i = 0; i < x.size(); i++) {
      float v = (float) rng.nextGaussian();
      if (values > 0)
        v = rng.nextInt(4) == 0 ? (rng.nextBoolean() ? 0f : -0f) : Math.round(v * 2) / 2f;
      if (values == 2 && rng.nextInt(40) == 0)
        v =
            new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}
                [rng.nextInt(3)];
      x.set(i, v);
    }
    return x;
  }

  private static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
    return b;
  }
}
