package org.qat4j.quant.quantizers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

class QuantizerTest {
  private static Tensor t(float... v) {
    return Tensor.of(v, v.length);
  }

  @Test
  void lastValuePerAxisSymmetricNarrowGivesMaxAbsOver127() {
    FakeQuantizer q = new FakeQuantizer("l/kernel_quant", LastValueQuantizer.int8Weights(true), 2);
    Tensor w = Tensor.of(new float[] {0.5f, -0.1f, -2f, 0.3f, 1f, 0.2f}, 3, 2);
    q.observe(w);
    assertArrayEquals(new float[] {-2f, -0.3f}, q.min());
    assertArrayEquals(new float[] {2f, 0.3f}, q.max());
    var g = q.grids();
    assertEquals(2f / 127f, g[0].scale(), 1e-7f);
    assertEquals(128, g[0].zeroPoint());
    assertEquals(-2f, g[0].nudgedMin(), 1e-6f);
    assertEquals(
        List.of("kernel_quant_min", "kernel_quant_max", "kernel_quant_observed"),
        q.params().stream().map(p -> p.name()).toList());
    assertFalse(q.params().get(0).trainable());
  }

  @Test
  void rangesAlwaysContainZero() {
    FakeQuantizer q = new FakeQuantizer("a", MovingAverageQuantizer.int8(), 1);
    q.observe(t(2f, 3f, 5f));
    assertEquals(0f, q.min()[0]);
    assertEquals(5f, q.max()[0]);
    FakeQuantizer n = new FakeQuantizer("b", AllValuesQuantizer.int8(), 1);
    n.observe(t(-2f, -1f));
    assertEquals(0f, n.max()[0]);
  }

  @Test
  void movingAverageStartsFromFirstBatchThenDecays() {
    MovingAverageQuantizer rule = new MovingAverageQuantizer(8, false, false, 0.9f);
    FakeQuantizer q = new FakeQuantizer("a", rule, 1);
    q.observe(t(-1f, 4f));
    assertEquals(-1f, q.min()[0]);
    assertEquals(4f, q.max()[0]);
    q.observe(t(-3f, 2f));
    assertEquals(0.9f * -1f + 0.1f * -3f, q.min()[0], 1e-6f);
    assertEquals(0.9f * 4f + 0.1f * 2f, q.max()[0], 1e-6f);
    assertThrows(
        IllegalArgumentException.class, () -> new MovingAverageQuantizer(8, false, false, 1f));
  }

  @Test
  void allValuesNeverShrinks() {
    FakeQuantizer q = new FakeQuantizer("in", AllValuesQuantizer.int8(), 1);
    q.observe(t(-1f, 4f));
    q.observe(t(-0.5f, 1f));
    q.observe(t(-2f, 3f));
    assertEquals(-2f, q.min()[0]);
    assertEquals(4f, q.max()[0]);
  }

  @Test
  void trainingObservesInferenceAndFrozenDoNot() {
    FakeQuantizer q = new FakeQuantizer("a", MovingAverageQuantizer.int8(), 1);
    Tensor x = t(-1f, 0.3f, 2f);
    assertSame(x, q.apply(x, Tensor.zeros(3), false), "no range yet: identity");
    assertFalse(q.hasRange());
    Tensor out = Tensor.zeros(3);
    assertSame(out, q.apply(x, out, true));
    assertTrue(q.hasRange());
    float max = q.max()[0];
    q.apply(t(-5f, 9f, 0f), out, false);
    assertEquals(max, q.max()[0], "inference keeps the range");
    q.setObserving(false);
    q.apply(t(-5f, 9f, 0f), out, true);
    assertEquals(max, q.max()[0], "frozen observer keeps the range");
    assertEquals(2f, out.get(1), 1e-6f, "clipped to the frozen range");
    q.setEnabled(false);
    Tensor y = t(7f);
    assertSame(y, q.apply(y, Tensor.zeros(1), true));
  }

  @Test
  void calibrationSinkSeesRawValuesAndPassesThrough() {
    FakeQuantizer q = new FakeQuantizer("a", MovingAverageQuantizer.int8(), 1);
    float[] seen = new float[1];
    q.setCalibrationSink(
        (b, n) -> {
          for (int i = 0; i < n; i++) seen[0] += b.get(i);
        });
    Tensor x = t(1f, 2f);
    assertSame(x, q.apply(x, Tensor.zeros(2), true));
    assertEquals(3f, seen[0]);
    assertFalse(q.hasRange(), "sink does not observe");
    assertThrows(
        IllegalArgumentException.class, () -> q.setRange(new float[] {0.5f}, new float[] {1f}));
    assertThrows(IllegalStateException.class, q::grids);
  }

  @Test
  void fixedAndSharedRanges() {
    FakeQuantizer sm = new FakeQuantizer("sm", FixedRangeQuantizer.probabilities(), 1);
    var g = sm.grids()[0];
    assertEquals(1f / 256f, g.scale(), 0f);
    assertEquals(0, g.zeroPoint());
    FakeQuantizer src = new FakeQuantizer("src", MovingAverageQuantizer.int8(), 1);
    FakeQuantizer shared = new FakeQuantizer("pool", new SharedRangeQuantizer(src), 1);
    assertFalse(shared.hasRange());
    src.setRange(new float[] {-1f}, new float[] {3f});
    assertEquals(3f, shared.grids()[0].nudgedMax(), 0.02f);
    assertArrayEquals(src.grids(), shared.grids());
    assertThrows(
        IllegalArgumentException.class,
        () -> new FakeQuantizer("x", MovingAverageQuantizer.int8(), 3));
  }
}
