package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Sequential;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

class PoolingTest {
  private static Tensor run(org.qat4j.core.Layer l, Tensor x) {
    Checks.build(l, x);
    return l.forward(new Tensor[] {x}, ExecContext.inference());
  }

  private interface PoolOf {
    Pool2D make(int ph, int pw);
  }

  private interface InputOf {
    Tensor make(long seed, int... shape);
  }

  private static Pool2D configured(Pool2D p, int sh, int sw, Padding padding) {
    p.setStrides(sh, sw);
    p.setPadding(padding);
    return p;
  }

  /** Gradient checks of one pool type over the same five size/stride/padding variants. */
  private static void gradientVariants(PoolOf pool, InputOf input) {
    Checks.gradients(pool.make(2, 2), input.make(1, 2, 6, 6, 3));
    Checks.gradients(pool.make(2, 2), input.make(2, 2, 7, 5, 2));
    Checks.gradients(configured(pool.make(2, 2), 2, 2, Padding.SAME), input.make(3, 2, 7, 5, 2));
    Checks.gradients(configured(pool.make(3, 3), 2, 2, Padding.SAME), input.make(4, 2, 6, 7, 2));
    Checks.gradients(configured(pool.make(3, 2), 1, 2, Padding.VALID), input.make(5, 1, 5, 6, 2));
  }

  @Test
  void maxPoolGradientsAllVariants() {
    // Distinct inputs: ties would make the max non-differentiable.
    gradientVariants((ph, pw) -> new MaxPool2D("mp", ph, pw), Checks::distinct);
  }

  @Test
  void maxPoolRoutesTiesToTheFirstTapAndIgnoresLaterInputChanges() {
    // Window [[3, 3], [1, 3]]: the gradient goes to the first maximal tap in row-major order.
    Tensor x = Tensor.of(new float[] {3, 3, 1, 3}, 1, 2, 2, 1);
    MaxPool2D mp = new MaxPool2D("mp", 2, 2);
    run(mp, x);
    x.fill(0f); // backward uses the arg-max recorded by forward, not the input
    Tensor dx = mp.backward(Tensor.of(new float[] {2}, 1, 1, 1, 1), ExecContext.inference())[0];
    assertArrayEquals(new float[] {2, 0, 0, 0}, dx.toArray());
  }

  @Test
  void avgPoolGradientsAllVariants() {
    gradientVariants((ph, pw) -> new AveragePool2D("ap", ph, pw), Checks::random);
  }

  @Test
  void maxPoolForwardByHand() {
    Tensor x = Tensor.of(new float[] {1, 5, 2, -1, 3, 4, 0, 9, -2, 8, 7, 6}, 1, 3, 4, 1);
    assertArrayEquals(new float[] {5, 9}, run(new MaxPool2D("mp", 2, 2), x).toArray());
    // SAME 2x2 stride 2 on 3x4: out 2x2, bottom row pools only the last input row.
    assertArrayEquals(
        new float[] {5, 9, 8, 7},
        run(new MaxPool2D("mp", 2, 2).padding(Padding.SAME), x).toArray());
    // Negative inputs near the padded border must not be replaced by padding zeros.
    Tensor neg = Tensor.of(new float[] {-3, -2, -5, -4}, 1, 1, 4, 1);
    assertArrayEquals(
        new float[] {-2, -4},
        run(new MaxPool2D("mp", 1, 3).strides(1, 2).padding(Padding.SAME), neg).toArray());
  }

  @Test
  void averagePoolSameCountsOnlyInBoundsTaps() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
    // SAME 2x2 stride 2 on 3x3: out 2x2, total pad 1 placed after.
    float[] y = run(new AveragePool2D("ap", 2, 2).padding(Padding.SAME), x).toArray();
    assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, y, 1e-6f);
    float[] v = run(new AveragePool2D("ap", 3, 3).strides(1, 1).padding(Padding.SAME), x).toArray();
    assertEquals((1 + 2 + 4 + 5) / 4f, v[0], 1e-6);
    assertEquals(5f, v[4], 1e-6);
    assertEquals((2 + 3 + 5 + 6 + 8 + 9) / 6f, v[5], 1e-6);
  }

  @Test
  void globalAveragePooling() {
    Tensor x = Checks.random(3, 2, 3, 4, 5);
    Tensor y = run(new GlobalAveragePooling2D("gap"), x);
    assertArrayEquals(new int[] {2, 5}, y.shape());
    double s = 0;
    for (int i = 0; i < 12; i++) s += x.get(60 + i * 5 + 2);
    assertEquals(s / 12, y.get(5 + 2), 1e-6);
    Checks.gradients(new GlobalAveragePooling2D("gap"), x);
  }

  @Test
  void shapeErrorsNameLayerAndShape() {
    var e =
        assertThrows(
            ShapeException.class,
            () -> new Sequential("in", 2, 2, 3).add(new MaxPool2D("pool3", 3, 3)).build());
    assertTrue(
        e.getMessage().contains("'pool3'") && e.getMessage().contains("[2, 2, 3]"), e.getMessage());
    var f =
        assertThrows(
            ShapeException.class,
            () -> new Sequential("in", 8).add(new GlobalAveragePooling2D("gap")).build());
    assertTrue(f.getMessage().contains("'gap'") && f.getMessage().contains("[8]"), f.getMessage());
  }

  @Test
  void stridesDefaultToPoolSize() {
    assertArrayEquals(new int[] {3, 2}, new MaxPool2D("m", 3, 2).strides());
    var s = new Sequential("in", 7, 7, 1).add(new AveragePool2D("a", 2, 2)).build();
    assertArrayEquals(new int[] {3, 3, 1}, s.outputShape());
  }
}
