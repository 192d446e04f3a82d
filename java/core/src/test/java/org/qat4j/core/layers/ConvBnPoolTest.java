package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.StepListener;
import org.qat4j.core.Tensor;

/**
 * The training-time Conv2D → BN → ReLU/ReLU6 → 2×2 MaxPool2D fusion ({@link ConvBnPool}, BN
 * statistics from the input's moments) against the same model run as separate layers: outputs, BN
 * moving statistics and every parameter gradient agree to a relative 1e-4 of each array's largest
 * magnitude (not bit for bit: statistics from moments, fused multiply-add, another summation
 * order). Covers odd sizes, strides, padding, channels, filter counts off whole vectors, no bias, a
 * batch of one, γ &lt; 0, ReLU6 saturation and pool ties.
 */
class ConvBnPoolTest {
  /** Relative to the largest magnitude of the compared array. */
  static final double TOL = 1e-4;

  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  /** in → conv → bn → act → pool → flatten → dense, the conv made by {@code conv}. */
  static Model net(int seed, int h, int w, int c, Supplier<Conv2D> conv, boolean relu6) {
    return new Sequential(seed, "in", h, w, c)
        .add(conv.get())
        .add(new BatchNormalization("bn"))
        .add(relu6 ? new ReLU6("act") : new ReLU("act"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("dense", 3))
        .build();
  }

  /** A listener that makes the model run every layer on its own. */
  static final StepListener UNFUSED =
      new StepListener() {
        @Override
        public void stepDone(Node first, Node last, boolean backward) {}

        @Override
        public boolean fuse() {
          return false;
        }
      };

  /**
   * One training step: the output, then per param its value and (trainable) gradient, named. The
   * conv bias gradient is zero in exact arithmetic (BN removes the mean), so it is named apart and
   * compared on the kernel gradient's scale.
   */
  static Map<String, float[]> step(Model m, Tensor x, long gradSeed) {
    Map<String, float[]> out = new LinkedHashMap<>();
    Tensor y = m.forward(x, ExecContext.training(1));
    out.put("output", y.toArray());
    m.backward(Checks.random(gradSeed, y.shape()), ExecContext.training(1));
    for (Map.Entry<String, Param> e : m.params().entrySet()) {
      Param p = e.getValue();
      out.put(e.getKey(), p.value().toArray());
      if (p.trainable()) out.put(e.getKey() + " gradient", p.grad().toArray());
    }
    return out;
  }

  /** Runs two steps fused and unfused on identically seeded models; asserts the fused path ran. */
  static void compare(Supplier<Model> net, Tensor x) {
    Lanes.useVector(true);
    Model fused = net.get(), plain = net.get();
    plain.listen(UNFUSED);
    for (int s = 0; s < 2; s++) {
      Map<String, float[]> a = step(plain, x, 8 + s), b = step(fused, x, 8 + s);
      assertNull(fused.activation("conv"), "the conv ran fused");
      assertNotNull(plain.activation("conv"));
      assertEquals(a.keySet(), b.keySet());
      double kernelScale = scale(a.get("conv/kernel gradient"));
      for (String k : a.keySet()) {
        String what = "step " + s + " " + k;
        if (k.equals("conv/bias gradient")) {
          assertTrue(scale(a.get(k)) < TOL * kernelScale, what + " (unfused) is not ~0");
          assertTrue(scale(b.get(k)) < TOL * kernelScale, what + " (fused) is not ~0");
        } else {
          close(a.get(k), b.get(k), what);
        }
      }
    }
  }

  /** The largest magnitude in v. */
  static double scale(float[] v) {
    double scale = 0;
    for (float e : v) scale = Math.max(scale, Math.abs(e));
    return scale;
  }

  static void close(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + ": length");
    double scale = Math.max(1e-6, scale(want));
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]) / scale;
      assertTrue(err < TOL, what + " at " + i + ": want " + want[i] + " got " + got[i]);
    }
  }

  @Test
  void referenceShape() {
    compare(
        () -> net(3, 14, 14, 1, () -> new Conv2D("conv", 32, 3, 3).padding(Padding.SAME), false),
        Checks.random(1, 4, 14, 14, 1));
  }

  @Test
  void oddSizesFilterTailsAndNoBias() {
    for (int f : new int[] {1, 5, 17, 33}) {
      compare(
          () -> net(4, 9, 7, 1, () -> new Conv2D("conv", f, 3, 3).padding(Padding.SAME), true),
          Checks.random(2, 3, 9, 7, 1));
      compare(
          () -> net(5, 11, 10, 2, () -> new Conv2D("conv", f, 3, 3).useBias(false), false),
          Checks.random(3, 2, 11, 10, 2));
    }
  }

  @Test
  void stridesDilationChannelsAndABatchOfOne() {
    compare(
        () ->
            net(
                6,
                15,
                13,
                3,
                () -> new Conv2D("conv", 8, 3, 3).strides(2, 2).padding(Padding.SAME),
                false),
        Checks.random(4, 5, 15, 13, 3));
    compare(
        () -> net(7, 12, 13, 2, () -> new Conv2D("conv", 12, 3, 2).dilation(2, 1), true),
        Checks.random(5, 1, 12, 13, 2));
    compare(
        () -> net(8, 16, 16, 1, () -> new Conv2D("conv", 16, 5, 5).padding(Padding.SAME), false),
        Checks.random(6, 2, 16, 16, 1));
  }

  /**
   * γ &lt; 0 on half the channels (the arg-max follows BN's output, not the conv's), |γ| = 4 with
   * ReLU6 (outputs saturate at 6), and a zero half image (every tap of a window equal: ties go to
   * the first tap).
   */
  @Test
  void negativeGammaSaturationAndTies() {
    Tensor x = Checks.random(9, 3, 10, 10, 1);
    for (int i = 0; i < x.size(); i++) if (i % 10 < 5) x.set(i, 0f);
    compare(
        () -> {
          Model m =
              net(9, 10, 10, 1, () -> new Conv2D("conv", 20, 3, 3).padding(Padding.SAME), true);
          Tensor gamma = m.params().get("bn/gamma").value();
          for (int c = 0; c < gamma.size(); c++) gamma.set(c, c % 2 == 0 ? -4f : 4f);
          return m;
        },
        x);
  }

  /**
   * Central differences of L = Σ r·output for conv, BN and dense params through the fused chain.
   */
  @Test
  void finiteDifferencesThroughTheFusedChain() {
    Lanes.useVector(true);
    for (boolean relu6 : new boolean[] {false, true}) {
      Model m = net(11, 6, 6, 1, () -> new Conv2D("conv", 5, 3, 3).padding(Padding.SAME), relu6);
      Tensor x = Checks.random(12, 2, 6, 6, 1), r = Checks.random(13, 2, 3);
      m.forward(x, ExecContext.training(1));
      m.backward(r, ExecContext.training(1));
      assertNull(m.activation("conv"), "the conv ran fused");
      for (Param p : m.trainableParams()) Checks.modelParamGradient(m, x, r, p, EPS);
    }
  }

  /** Finite-difference step: small, so that few pool windows change their arg-max. */
  private static final float EPS = 1e-3f;
}
