package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A few thousand fixed-seed mutations: the JVM survives and only documented exceptions occur. */
@Tag("native")
class MutationFuzzTest {
  @Test
  void tinyModelMutationsNeverCrash() {
    List<byte[]> seeds = List.of(TinyModels.floatFc().build(), TinyModels.int8Fc().build());
    MutationFuzz.Result r = MutationFuzz.run(seeds, 3000, 20261126L, false);
    System.out.println("tiny-model fuzz: " + r.outcomes());
    assertEquals(List.of(), r.unexpected());
    assertTrue(
        r.outcomes().getOrDefault("ran", 0L) > 0, "some mutants must still run: " + r.outcomes());
    assertTrue(
        r.outcomes().keySet().stream().anyMatch(k -> k.startsWith("rejected")),
        r.outcomes().toString());
  }

  @Test
  void mobilenetMutationsNeverCrash() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(Files.readAllBytes(SharedModels.require(RealModelTest.MODEL)));
    MutationFuzz.Result r = MutationFuzz.run(seeds, 400, 7L, false);
    System.out.println("mobilenet fuzz: " + r.outcomes());
    assertEquals(List.of(), r.unexpected());
  }

  /**
   * qat4j's own exports carry operators the MobileNet lacks (ADD, CONCATENATION, MEAN, per-channel
   * int8 depthwise): seeds 61 and 43 of the long runs found SIGFPE crashes here (undefined padding,
   * conv groups).
   */
  @Test
  void ownExportMutationsNeverCrash() {
    byte[] int8 = ModelBytes.mobileNetMiniInt8();
    byte[] f32 = ModelBytes.mobileNetMiniFloat(5);
    MutationFuzz.Result res = MutationFuzz.run(List.of(int8, f32), 1500, 61L, false);
    System.out.println("own-export fuzz: " + res.outcomes());
    assertEquals(List.of(), res.unexpected());
    assertTrue(res.outcomes().getOrDefault("ran", 0L) > 0, res.outcomes().toString());
  }
}
