package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * UNIDIRECTIONAL_SEQUENCE_LSTM through the writer and reader: a converter-style int8 LSTM keeps its
 * options, intermediates and variable state tensors; operands TFLite would read past or abort on
 * are refused before native code, naming the operator; both shared LSTM models (int8 and float) are
 * accepted.
 */
class LstmChecksTest {
  private static final QuantParams Q = QuantParams.perTensor(0.05f, 3);

  /** Knobs of the one-op graph: sequence shape, weight type, output size (cells 4, input 3). */
  private record Spec(int[] seq, DType weights, int outputs, int badIntermediate) {}

  private static final Spec GOOD = new Spec(new int[] {2, 5, 3}, DType.INT8, 4, -1);

  private static LoweredGraph graph(Spec s) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("lstm");
    int cells = 4, nIn = s.seq()[2], nOut = s.outputs();
    int x = b.addTensor(TensorSpec.activation("x", s.seq(), DType.INT8, Q));
    int[] in = new int[Lstm.INPUTS];
    Arrays.fill(in, -1);
    in[Lstm.INPUT] = x;
    for (int g = 0; g < 4; g++) {
      in[Lstm.INPUT_WEIGHTS + g] = weights(b, s.weights(), cells, nIn);
      in[Lstm.RECURRENT_WEIGHTS + g] = weights(b, s.weights(), cells, nOut);
      in[Lstm.BIAS + g] =
          b.addTensor(new TensorSpec("b", new int[] {cells}, DType.INT32, null, new int[cells]));
    }
    int batch = s.seq()[0];
    in[Lstm.OUTPUT_STATE] =
        b.addTensor(TensorSpec.activation("h", new int[] {batch, nOut}, DType.INT8, Q));
    QuantParams qc = QuantParams.perTensor(1f / 4096, 0);
    in[Lstm.CELL_STATE] =
        b.addTensor(TensorSpec.activation("c", new int[] {batch, cells}, DType.INT16, qc));
    List<Integer> inter = new ArrayList<>();
    for (int k = 0; k < 4; k++)
      inter.add(b.addTensor(TensorSpec.activation("g" + k, new int[] {0}, DType.FLOAT32, null)));
    inter.add(s.badIntermediate() >= 0 ? s.badIntermediate() : hidden(b));
    int[] ys = s.seq().clone();
    ys[ys.length - 1] = nOut;
    int y = b.addTensor(TensorSpec.activation("y", ys, DType.INT8, Q));
    var o = new OpOptions.SequenceLstm(4, 10f, 0f, false, false, false, inter);
    b.addOp(OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM, in, new int[] {y}, o);
    return b.setInputs(x).setOutputs(y).build();
  }

  private static int hidden(LoweredGraphBuilder b) {
    return b.addTensor(TensorSpec.activation("hidden", new int[] {0}, DType.INT8, Q));
  }

  private static int weights(LoweredGraphBuilder b, DType t, int rows, int cols) {
    int n = rows * cols;
    Object data = t == DType.FLOAT32 ? new float[n] : new byte[n];
    QuantParams q = t == DType.FLOAT32 ? null : QuantParams.perTensor(0.01f, 0);
    return b.addTensor(new TensorSpec("w", new int[] {rows, cols}, t, q, data));
  }

  private static void refused(Spec s, String fault) {
    byte[] bytes = TfliteWriter.encode(graph(s));
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read(bytes));
    String m = e.getMessage();
    assertTrue(m.contains("UNIDIRECTIONAL_SEQUENCE_LSTM") && m.contains(fault), m);
  }

  @Test
  void optionsIntermediatesAndStateSurviveWriteAndRead() {
    LoweredGraph g = graph(GOOD);
    TfliteModelInfo info = TfliteReader.read(TfliteWriter.write(g));
    LoweredGraph back = info.toLoweredGraph();
    assertEquals(g.ops().get(0).options(), back.ops().get(0).options());
    assertEquals(info.subgraph(0).operators().get(0).version(), 1);
    int[] in = g.ops().get(0).inputs();
    for (TensorInfo t : info.subgraph(0).tensors()) {
      boolean state = t.index() == in[Lstm.OUTPUT_STATE] || t.index() == in[Lstm.CELL_STATE];
      assertEquals(state, t.variable(), "variable flag of tensor " + t.index());
    }
  }

  @Test
  void aSequenceOfRankFourIsRefused() {
    refused(new Spec(new int[] {2, 5, 1, 3}, DType.INT8, 4, -1), "expected 3");
  }

  @Test
  void floatWeightsUnderAnInt8SequenceAreRefused() {
    refused(new Spec(GOOD.seq(), DType.FLOAT32, 4, -1), "expected INT8");
  }

  @Test
  void moreOutputsThanCellsWithoutProjectionAreRefused() {
    refused(new Spec(GOOD.seq(), DType.INT8, 6, -1), "must equal the cells");
  }

  @Test
  void anIntermediateOutOfRangeIsRefused() {
    refused(new Spec(GOOD.seq(), DType.INT8, 4, 999), "intermediate tensor 999");
  }

  @Test
  void bothSharedLstmModelsAreAccepted() {
    for (String f : new String[] {"real/keras_lstm_mnist_ptq.tflite", "real/trained_lstm.tflite"}) {
      LoweredGraph g = TfliteReader.read(SharedModels.bytes(f)).toLoweredGraph();
      long lstms =
          g.ops().stream().filter(o -> o.kind() == OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM).count();
      assertEquals(1, lstms, f);
    }
  }
}
