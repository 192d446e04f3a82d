package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.ir.sim.Int8Graphs.q8;
import static org.qat4j.ir.sim.Int8Graphs.unary;
import static org.qat4j.ir.sim.Int8Graphs.w8;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;

/** The int8 simulator's batch runs, input checks and refusals of graphs it cannot run. */
class SimulatorInt8ChecksTest {

  @Test
  void batchRunEqualsSingleRunsAndInputsAreChecked() {
    LoweredGraph g = unary(OpKind.QUANTIZE, null, 0.3f, 1, 0.7f, -2, 1, 5);
    Simulator s = new Simulator(g);
    int n = 37;
    byte[] xs = new byte[n * 5];
    for (int i = 0; i < xs.length; i++) xs[i] = (byte) (i * 37);
    byte[] batch = (byte[]) s.runBatch(n, xs)[0];
    for (int k = 0; k < n; k++) {
      byte[] one = (byte[]) s.run(Arrays.copyOfRange(xs, k * 5, k * 5 + 5))[0];
      assertArrayEquals(one, Arrays.copyOfRange(batch, k * 5, k * 5 + 5));
    }
    byte[] first = Arrays.copyOfRange(xs, 0, 5);
    assertArrayEquals((byte[]) s.run(first)[0], (byte[]) s.runNamed(Map.of("x", first)).get("y"));
    assertThrows(IllegalArgumentException.class, () -> s.runNamed(Map.of("z", first)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.run(new byte[4]));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.run((Object) new float[5]));
  }

  @Test
  void softmaxAndLogisticRequireFixedOutputParams() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Simulator(unary(OpKind.SOFTMAX, null, 0.1f, 0, 1f / 128, -128, 1, 4)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Simulator(unary(OpKind.LOGISTIC, null, 0.1f, 0, 1f / 256, 0, 1, 4)));
  }

  @Test
  void perAxisWeightsMustUseTheOutputChannelDimension() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("conv");
    int x = q8(b, "x", 1f, 0, 1, 2, 2, 1), y = q8(b, "y", 1f, 0, 1, 1, 1, 2);
    int w =
        w8(
            b,
            new int[] {2, 2, 2, 1},
            QuantParams.perAxis(new float[] {0.5f, 0.25f}, 3),
            new byte[8]);
    b.addOp(OpKind.CONV_2D, new int[] {x, w, -1}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Simulator(g));
    assertTrue(e.getMessage().contains("dimension 0"), e.getMessage());
  }

  @Test
  void unsupportedConfigurationNamesTheOp() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("bad");
    int x = q8(b, "x", 1f, 0, 1, 2, 2, 1), y = q8(b, "y", 0.5f, 0, 1, 1, 1, 1);
    b.addOp(
        OpKind.MAX_POOL_2D,
        new int[] {x},
        new int[] {y},
        OpOptions.Pool.DEFAULT.withFilter(2, 2).withStrides(2, 2));
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Simulator(g));
    assertTrue(e.getMessage().contains("op 0 (MAX_POOL_2D)"), e.getMessage());
  }
}
