package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    OpKind.SQUARED_DIFFERENCE,
    OpKind.L2_NORMALIZATION,
    OpKind.ELU,
    OpKind.TRANSPOSE_CONV,
    OpKind.GELU
  };

  @Test
  void mutantsOfTheNewOperatorsNeverCrash() {
    SplittableRandom r = new SplittableRandom(1313);
    List<byte[]> seeds = new ArrayList<>();
    for (OpKind k : KINDS)
      for (int i = 0; i < 4; i++) seeds.add(TfliteWriter.write(OpGraphs.create(k, r).graph()));
    String dump = System.getProperty("qat4j.fuzz.seeds");
    if (dump != null) writeSeeds(seeds, Path.of(dump));
    long n = Long.getLong("qat4j.fuzz.mutants", 3_000);
    long t0 = System.nanoTime();
    MutationFuzz.Result res = MutationFuzz.run(seeds, n, 1313L, false);
    System.out.printf(
        "WireOpFuzz: %d mutants of %d seeds, 0 JVM crashes, %.1f s, outcomes %s%n",
        n, seeds.size(), (System.nanoTime() - t0) / 1e9, res.outcomes());
    assertEquals(List.of(), res.unexpected(), "unexpected exceptions");
    assertTrue(res.outcomes().getOrDefault("ran", 0L) > 0, "no mutant ran: " + res.outcomes());
  }

  /** Writes the seed models (seed-NN.tflite) for a standalone MutationFuzz run. */
  private static void writeSeeds(List<byte[]> seeds, Path dir) {
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < seeds.size(); i++)
        Files.write(dir.resolve(String.format("seed-%02d.tflite", i)), seeds.get(i));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    assertTrue(e.getMessage().contains("must be in (0, 1)"), e.getMessage());
  }

  /**
   * A mutant of the 40,000 run after the multiplier fix: an int8 RESIZE_BILINEAR input 2,097,156
   * pixels wide overflows TFLite's int32 2^10·size and crashed the JVM in invoke; now refused.
   */
  @Test
  void int8ResizeBilinearOfAHugeInputIsRefused() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("resize");
    QuantParams q = QuantParams.perTensor(0.1f, 0);
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 1, 1 << 21, 1}, DType.INT8, q));
    int size =
        b.addTensor(new TensorSpec("size", new int[] {2}, DType.INT32, null, new int[] {2, 2}));
    int y = b.addTensor(TensorSpec.activation("y", new int[] {1, 2, 2, 1}, DType.INT8, q));
    b.addOp(OpKind.RESIZE_BILINEAR, new int[] {x, size}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> TfliteModel.fromBytes(TfliteWriter.write(g)).close());
    assertTrue(e.getMessage().contains("below 2^20"), e.getMessage());
  }

  /**
   * A mutant (between 15,000 and 20,000 of the 40,000-mutant run, seed 1313): a SUB output scale of
   * 1.26e35 overflows TFLite's float32 2^20·s_out, the output multiplier becomes 0 and TFLite's
   * CHECK aborted the JVM (exit 134). The model check now refuses it.
   */
  @Test
  void subWithAHugeOutputScaleIsRefused() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("sub");
    QuantParams q = QuantParams.perTensor(0.1f, 0);
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 4}, DType.INT8, q));
    int x2 = b.addTensor(TensorSpec.activation("x2", new int[] {1, 4}, DType.INT8, q));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {1, 4}, DType.INT8, QuantParams.perTensor(1.2568134e35f, -127)));
    b.addOp(OpKind.SUB, new int[] {x, x2}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x, x2).setOutputs(y).build();
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> TfliteModel.fromBytes(TfliteWriter.write(g)).close());
    assertTrue(e.getMessage().contains("must be in (0, 1)"), e.getMessage());
  }
}
