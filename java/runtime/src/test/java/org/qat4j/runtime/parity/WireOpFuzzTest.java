package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.runtime.MutationFuzz;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * The fuzz guarantee over the operators wired for issue 13: mutants of random one-op models of each
 * (int8 and uint8, from {@link WireOpGraphs}) either run or are refused with an exception; a JVM
 * crash ends the test run. Scale with {@code -Dqat4j.fuzz.mutants=N} (default 3,000).
 */
@Tag("native")
class WireOpFuzzTest {
  static final OpKind[] KINDS = {
    OpKind.SUB,
    OpKind.CAST,
    OpKind.ARG_MAX,
    OpKind.ARG_MIN,
    OpKind.RESIZE_BILINEAR,
    OpKind.RESIZE_NEAREST_NEIGHBOR,
    OpKind.MAXIMUM,
    OpKind.MINIMUM,
    OpKind.TANH,
    OpKind.LEAKY_RELU,
    OpKind.PRELU,
    OpKind.PADV2,
    OpKind.SQUARED_DIFFERENCE
  };

  @Test
  void mutantsOfTheNewOperatorsNeverCrash() {
    SplittableRandom r = new SplittableRandom(1313);
    List<byte[]> seeds = new ArrayList<>();
    for (OpKind k : KINDS)
      for (int i = 0; i < 4; i++) seeds.add(TfliteWriter.write(OpGraphs.create(k, r).graph()));
    long n = Long.getLong("qat4j.fuzz.mutants", 3_000);
    long t0 = System.nanoTime();
    MutationFuzz.Result res = MutationFuzz.run(seeds, n, 1313L, false);
    System.out.printf(
        "WireOpFuzz: %d mutants of %d seeds, 0 JVM crashes, %.1f s, outcomes %s%n",
        n, seeds.size(), (System.nanoTime() - t0) / 1e9, res.outcomes());
    assertEquals(List.of(), res.unexpected(), "unexpected exceptions");
    assertTrue(res.outcomes().getOrDefault("ran", 0L) > 0, "no mutant ran: " + res.outcomes());
  }

  /**
   * An int8 SQUARED_DIFFERENCE whose output multiplier is ≥ 1 would end the process in TFLite's
   * CHECK; the model check (run by the writer and the reader) refuses it first, naming the
   * operator.
   */
  @Test
  void squaredDifferenceWithATinyOutputScaleIsRefused() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("sqdiff");
    QuantParams q = QuantParams.perTensor(0.1f, 0);
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 4}, DType.INT8, q));
    int x2 = b.addTensor(TensorSpec.activation("x2", new int[] {1, 4}, DType.INT8, q));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {1, 4}, DType.INT8, QuantParams.perTensor(1e-7f, 0)));
    b.addOp(OpKind.SQUARED_DIFFERENCE, new int[] {x, x2}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x, x2).setOutputs(y).build();
    // the writer checks what it writes with the reader's checks
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> TfliteModel.fromBytes(TfliteWriter.write(g)).close());
    assertTrue(e.getMessage().contains("must be < 1"), e.getMessage());
  }
}
