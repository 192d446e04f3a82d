package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Initializer.Distribution;
import org.qat4j.core.layers.Initializer.Mode;

class InitializerTest {
  @ParameterizedTest
  @EnumSource(Distribution.class)
  void sampleVarianceIsScaleOverFan(Distribution d) {
    for (Mode m : Mode.values()) {
      Initializer init = new Initializer(0.5, m, d);
      Tensor t = init.sample(new SplittableRandom(7), 40, 160, 200, 1000);
      double fan = m == Mode.FAN_IN ? 40 : m == Mode.FAN_OUT ? 160 : 100;
      double sum = 0, sq = 0;
      for (int i = 0; i < t.size(); i++) {
        sum += t.get(i);
        sq += t.get(i) * (double) t.get(i);
      }
      double mean = sum / t.size(), var = sq / t.size() - mean * mean;
      assertEquals(0, mean, 0.002, m + " " + d);
      assertEquals(0.5 / fan, var, 0.02 * 0.5 / fan, m + " " + d);
    }
  }

  @Test
  void glorotUniformIsBoundedBySqrtSixOverFanSum() {
    Tensor t = Initializer.glorotUniform().sample(new SplittableRandom(1), 9, 288, 3, 3, 1, 32);
    double lim = Math.sqrt(6.0 / (9 + 288)), max = 0;
    for (int i = 0; i < t.size(); i++) max = Math.max(max, Math.abs(t.get(i)));
    assertTrue(max <= lim && max > 0.9 * lim, "max |w| " + max + " vs limit " + lim);
  }

  @Test
  void truncatedNormalStaysWithinTwoUntruncatedDeviations() {
    Initializer init = new Initializer(2, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    Tensor t = init.sample(new SplittableRandom(3), 50, 50, 100_000);
    double bound = 2 * Math.sqrt(2.0 / 50) / 0.87962566103423978;
    for (int i = 0; i < t.size(); i++)
      assertTrue(Math.abs(t.get(i)) <= bound * (1 + 1e-6), "value " + t.get(i));
  }

  @Test
  void sameSeedSameKernelAndJsonRoundTrip() {
    Initializer init = new Initializer(0.16, Mode.FAN_OUT, Distribution.NORMAL);
    assertEquals(init.sample(new SplittableRandom(5), 4, 8, 4, 8).toArray().length, 32);
    assertTrue(
        java.util.Arrays.equals(
            init.sample(new SplittableRandom(5), 4, 8, 32).toArray(),
            init.sample(new SplittableRandom(5), 4, 8, 32).toArray()));
    assertEquals(init, Initializer.fromJson(init.toJson()));
  }

  @Test
  void defaultInitializerIsLeftOutOfTheConfig() {
    assertFalse(new Conv2D("c", 4, 3, 3).config().has("kernel_initializer"));
    assertFalse(new Dense("d", 4).config().has("kernel_initializer"));
    assertTrue(
        new Dense("d", 4)
            .kernelInitializer(Initializer.heNormal())
            .config()
            .has("kernel_initializer"));
  }

  @Test
  void badValuesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Initializer(0, Mode.FAN_IN, Distribution.UNIFORM));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Initializer(Double.NaN, Mode.FAN_IN, Distribution.UNIFORM));
    assertThrows(
        IllegalArgumentException.class,
        () -> Initializer.glorotUniform().sample(new SplittableRandom(1), 0, 3, 3));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Initializer.fromJson(
                    JsonParser.parseString("{\"class_name\":\"Orthogonal\",\"config\":{}}")
                        .getAsJsonObject()));
    assertTrue(e.getMessage().contains("Orthogonal"), e.getMessage());
  }
}
