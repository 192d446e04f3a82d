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
    assertTrue(r.outcomes().getOrDefault("ran", 0L) > 0, "some mutants must still run: " + r.outcomes());
    assertTrue(r.outcomes().keySet().stream().anyMatch(k -> k.startsWith("rejected")), r.outcomes().toString());
  }

  @Test
  void mobilenetMutationsNeverCrash() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(Files.readAllBytes(SharedModels.require(RealModelTest.MODEL)));
    MutationFuzz.Result r = MutationFuzz.run(seeds, 400, 7L, false);
    System.out.println("mobilenet fuzz: " + r.outcomes());
    assertEquals(List.of(), r.unexpected());
  }
}
