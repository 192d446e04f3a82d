package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.OpKind;
import org.qat4j.runtime.MutationFuzz;
import org.qat4j.tflite.TfliteWriter;

/**
 * Fixed-seed mutations of single-op models of the data-movement operators and reductions (one seed
 * model per kind, from {@link ShapeOpGraphs}): the JVM survives every mutant and only documented
 * exceptions occur. {@code -Dqat4j.fuzz.shapeOps=N} runs more, {@code -Dqat4j.fuzz.seed=S} others.
 */
@Tag("native")
class ShapeOpFuzzTest {
  private static final int MUTANTS = Integer.getInteger("qat4j.fuzz.shapeOps", 3000);
  private static final long SEED = Long.getLong("qat4j.fuzz.seed", 1313L);

  @Test
  void shapeOpMutationsNeverCrash() {
    List<byte[]> seeds = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(2026);
    for (OpKind k : OpKind.values())
      if (ShapeOpGraphs.handles(k)) seeds.add(TfliteWriter.write(OpGraphs.create(k, r).graph()));
    MutationFuzz.Result res = MutationFuzz.run(seeds, MUTANTS, SEED, false);
    System.out.println("shape-op fuzz (" + seeds.size() + " seed models): " + res.outcomes());
    assertEquals(List.of(), res.unexpected());
    assertTrue(res.outcomes().getOrDefault("ran", 0L) > 0, res.outcomes().toString());
    assertTrue(
        res.outcomes().keySet().stream().anyMatch(k -> k.startsWith("rejected")),
        res.outcomes().toString());
  }
}
