package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * A graph with two inputs and five outputs, where operators with several outputs (SPLIT, UNPACK)
 * feed others: PACK(a, b) → TRANSPOSE → SPLIT into three; UNPACK, GATHER and SUM of the pieces and
 * a SLICE of input a are the graph outputs. Written by TfliteWriter, read back, run on TFLite
 * BUILTIN and XNNPACK, and simulated: every output equal bit for bit.
 */
@Tag("native")
class MultiIoGraphTest {
  private static final QuantParams Q = QuantParams.perTensor(0.05f, -3);

  @Test
  void severalInputsAndOutputsRoundTripAndMatchTflite() {
    LoweredGraph g = graph();
    byte[] bytes = TfliteWriter.write(g);
    LoweredGraph back = TfliteReader.read(bytes).toLoweredGraph();
    assertEquals(g.ops().size(), back.ops().size());
    for (int i = 0; i < g.ops().size(); i++) {
      assertEquals(g.ops().get(i).kind(), back.ops().get(i).kind(), "op " + i);
      assertEquals(g.ops().get(i).outputs().length, back.ops().get(i).outputs().length, "op " + i);
    }
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it = Parity.open(m, Backend.BUILTIN)) {
      assertEquals(2, it.inputCount());
      assertEquals(5, it.outputCount());
    }
    Parity.Stats[] s = Parity.compare(g, 8, new SplittableRandom(13), 0, 0);
    assertEquals(8L * (4 + 4 + 12 + 4 + 6), s[0].elements(), "elements compared");
    Parity.assertExact(s[0], "BUILTIN vs simulator");
    Parity.assertExact(s[2], "XNNPACK vs simulator (XNNPACK_F32)");
  }

  private static LoweredGraph graph() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("multi_io");
    int a = act(b, "a", 2, 6), c = act(b, "b", 2, 6);
    int p = act(b, "packed", 2, 2, 6);
    b.addOp(OpKind.PACK, new int[] {a, c}, new int[] {p}, new OpOptions.Pack(2, 1));
    int t = act(b, "transposed", 6, 2, 2);
    b.addOp(OpKind.TRANSPOSE, new int[] {p, ints(b, "perm", 2, 0, 1)}, new int[] {t}, null);
    int s0 = act(b, "s0", 2, 2, 2), s1 = act(b, "s1", 2, 2, 2), s2 = act(b, "s2", 2, 2, 2);
    int axis = b.addTensor(new TensorSpec("axis", new int[0], DType.INT32, null, new int[] {0}));
    b.addOp(OpKind.SPLIT, new int[] {axis, t}, new int[] {s0, s1, s2}, new OpOptions.Split(3));
    int u0 = act(b, "u0", 2, 2), u1 = act(b, "u1", 2, 2);
    b.addOp(OpKind.UNPACK, new int[] {s1}, new int[] {u0, u1}, new OpOptions.Unpack(2, -1));
    int gt = act(b, "gathered", 3, 2, 2);
    b.addOp(
        OpKind.GATHER,
        new int[] {s2, ints(b, "pos", 1, 0, 1)},
        new int[] {gt},
        new OpOptions.Gather(0, 0));
    int sm =
        b.addTensor(
            TensorSpec.activation(
                "sum", new int[] {2, 2}, DType.INT8, QuantParams.perTensor(0.09f, 5)));
    b.addOp(
        OpKind.SUM,
        new int[] {s0, ints(b, "axes", 1)},
        new int[] {sm},
        new OpOptions.Reducer(false));
    int sl = act(b, "sliced", 2, 3);
    b.addOp(
        OpKind.SLICE,
        new int[] {a, ints(b, "begin", 0, 1), ints(b, "size", 2, 3)},
        new int[] {sl},
        null);
    return b.setInputs(a, c).setOutputs(u0, u1, gt, sm, sl).build();
  }

  private static int act(LoweredGraphBuilder b, String name, int... shape) {
    return b.addTensor(TensorSpec.activation(name, shape, DType.INT8, Q));
  }

  private static int ints(LoweredGraphBuilder b, String name, int... v) {
    return b.addTensor(new TensorSpec(name, new int[] {v.length}, DType.INT32, null, v));
  }
}
