package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteException;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * GATHER with positions fed at run time: in-range positions give the simulator's values on TFLite
 * BUILTIN; a position past the gathered axis is an error everywhere (the runtime refuses it in Java
 * before TFLite, TFLite's Eval refuses it when raw bytes skip that check, the simulator names the
 * position), never a read outside the tensor.
 */
@Tag("native")
class GatherPositionsTest {
  private static LoweredGraph graph() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("gather");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {4, 3}, DType.INT8, QuantParams.perTensor(0.1f, 0)));
    int p = b.addTensor(TensorSpec.activation("p", new int[] {2}, DType.INT32, null));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {2, 3}, DType.INT8, QuantParams.perTensor(0.1f, 0)));
    b.addOp(OpKind.GATHER, new int[] {x, p}, new int[] {y}, new OpOptions.Gather(0, 0));
    return b.setInputs(x, p).setOutputs(y).build();
  }

  @Test
  void fedPositionsMatchAndOutOfRangeIsAnError() {
    LoweredGraph g = graph();
    byte[] x = {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32};
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(g));
        Interpreter it = Parity.open(m, Backend.BUILTIN)) {
      Object got = Parity.invoke(it, new Object[] {x, new int[] {3, 1}}, 0);
      assertArrayEquals((byte[]) new Simulator(g).run(x, new int[] {3, 1})[0], (byte[]) got);
      for (int[] bad : new int[][] {{0, 1000}, {-1, 0}}) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class, () -> Parity.invoke(it, new Object[] {x, bad}, 0));
        assertTrue(e.getMessage().contains("outside [0, 4)"), e.getMessage());
        // raw bytes skip the Java check: TFLite's own Eval refuses them too
        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        raw.putInt(bad[0]).putInt(bad[1]).flip();
        it.input(1).write(raw);
        assertThrows(TfliteException.class, it::invoke);
      }
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Simulator(g).run(x, new int[] {0, 4}));
    assertTrue(e.getMessage().contains("position 4"), e.getMessage());
  }
}
