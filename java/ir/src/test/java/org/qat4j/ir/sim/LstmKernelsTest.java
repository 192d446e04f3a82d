package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.Lstm;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * The LSTM kernel's contract apart from its arithmetic (bit-exactness is LstmParityTest): every run
 * starts from the reset state, as a fresh TFLite interpreter does, also when a batch reuses one
 * frame; variants it does not model are refused by name; a constant state tensor is refused by the
 * graph check.
 */
class LstmKernelsTest {
  private static final QuantParams Q = QuantParams.perTensor(0.05f, 3);

  /** A batch-major int8 LSTM, 2 × 4 steps of 3 inputs, 4 cells; the state constant if asked. */
  private static LoweredGraph graph(DType seq, boolean constantState) {
    Random r = new Random(5);
    LoweredGraphBuilder b = new LoweredGraphBuilder("lstm");
    QuantParams qx = seq == DType.INT8 ? Q : null;
    int x = b.addTensor(TensorSpec.activation("x", new int[] {2, 4, 3}, seq, qx));
    int[] in = new int[Lstm.INPUTS];
    Arrays.fill(in, -1);
    in[Lstm.INPUT] = x;
    for (int g = 0; g < 4; g++) {
      in[Lstm.INPUT_WEIGHTS + g] = weights(b, r, 4, 3);
      in[Lstm.RECURRENT_WEIGHTS + g] = weights(b, r, 4, 4);
      in[Lstm.BIAS + g] =
          b.addTensor(new TensorSpec("b", new int[] {4}, DType.INT32, null, new int[4]));
    }
    in[Lstm.OUTPUT_STATE] =
        b.addTensor(
            new TensorSpec(
                "h", new int[] {2, 4}, DType.INT8, Q, constantState ? new byte[8] : null));
    QuantParams qc = QuantParams.perTensor(1f / 4096, 0);
    in[Lstm.CELL_STATE] =
        b.addTensor(TensorSpec.activation("c", new int[] {2, 4}, DType.INT16, qc));
    List<Integer> inter = new ArrayList<>();
    for (int k = 0; k < 4; k++)
      inter.add(b.addTensor(TensorSpec.activation("g", new int[] {0}, DType.FLOAT32, null)));
    inter.add(b.addTensor(TensorSpec.activation("hidden", new int[] {0}, DType.INT8, Q)));
    int y = b.addTensor(TensorSpec.activation("y", new int[] {2, 4, 4}, DType.INT8, Q));
    var o = new OpOptions.SequenceLstm(4, 0f, 0f, false, false, false, inter);
    b.addOp(OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM, in, new int[] {y}, o);
    return b.setInputs(x).setOutputs(y).build();
  }

  private static int weights(LoweredGraphBuilder b, Random r, int rows, int cols) {
    byte[] w = new byte[rows * cols];
    r.nextBytes(w);
    QuantParams q = QuantParams.perTensor(0.02f, 0);
    return b.addTensor(new TensorSpec("w", new int[] {rows, cols}, DType.INT8, q, w));
  }

  @Test
  void everyRunStartsFromTheResetState() {
    Simulator sim = new Simulator(graph(DType.INT8, false));
    byte[] a = new byte[24], c = new byte[24];
    new Random(1).nextBytes(a);
    new Random(2).nextBytes(c);
    byte[] first = (byte[]) sim.run((Object) a)[0];
    byte[] other = (byte[]) sim.run((Object) c)[0];
    assertArrayEquals(first, (byte[]) sim.run((Object) a)[0], "same input, same output");
    byte[] both = new byte[48];
    System.arraycopy(c, 0, both, 0, 24);
    System.arraycopy(a, 0, both, 24, 24);
    byte[] batch = (byte[]) sim.runBatch(2, (Object) both)[0];
    assertArrayEquals(other, Arrays.copyOfRange(batch, 0, 32));
    assertArrayEquals(first, Arrays.copyOfRange(batch, 32, 64), "sample 2 after sample 1");
  }

  @Test
  void aFloatSequenceIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Simulator(graph(DType.FLOAT32, false)));
    assertTrue(e.getMessage().contains("only the int8 LSTM"), e.getMessage());
  }

  @Test
  void aConstantStateTensorIsRefused() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> graph(DType.INT8, true));
    assertTrue(e.getMessage().contains("must be a variable tensor"), e.getMessage());
  }
}
