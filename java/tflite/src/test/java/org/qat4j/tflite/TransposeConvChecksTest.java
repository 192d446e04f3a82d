package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * TRANSPOSE_CONV geometry the reader refuses before TFLite's optimized kernel could read or write
 * past its buffers (data size not the convolution of the output size, output shape constant unlike
 * the declared output, mismatched channels or batch, per-axis weights on the wrong dimension, a
 * run-time output shape), while a consistent one is read back with its options.
 */
class TransposeConvChecksTest {
  private static final QuantParams Q = QuantParams.perTensor(0.05f, 3);

  /** data [n, h, w, 3] → TRANSPOSE_CONV (weights [o, 3, 3, ic], stride 2, pad) → declared out. */
  private static byte[] model(
      int[] data, int ic, int o, int[] shapeConst, int[] declared, String pad, int wDim) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("tc");
    int x = b.addTensor(TensorSpec.activation("x", data, DType.INT8, Q));
    int s =
        shapeConst == null
            ? b.addTensor(TensorSpec.activation("shape", new int[] {4}, DType.INT32, null))
            : b.addTensor(
                new TensorSpec(
                    "shape", new int[] {shapeConst.length}, DType.INT32, null, shapeConst));
    int n = wDim == 0 ? o : ic;
    float[] sc = new float[n];
    Arrays.fill(sc, 0.01f);
    int w =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {o, 3, 3, ic},
                DType.INT8,
                n == 1 ? QuantParams.perTensor(0.01f, 0) : QuantParams.perAxis(sc, wDim),
                new byte[o * 9 * ic]));
    int y = b.addTensor(TensorSpec.activation("y", declared, DType.INT8, Q));
    b.addOp(
        OpKind.TRANSPOSE_CONV,
        new int[] {s, w, x},
        new int[] {y},
        new OpOptions.TransposeConv(pad, 2, 2, FusedActivation.NONE));
    int[] ins = shapeConst == null ? new int[] {x, s} : new int[] {x};
    return TfliteWriter.encode(b.setInputs(ins).setOutputs(y).build());
  }

  private static void refused(byte[] bytes, String fault) {
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read(bytes));
    assertTrue(
        e.getMessage().contains("TRANSPOSE_CONV") && e.getMessage().contains(fault),
        e.getMessage());
  }

  @Test
  void consistentGeometryIsReadBack() {
    int[] out = {1, 8, 7, 2};
    TfliteModelInfo m = TfliteReader.read(model(new int[] {1, 4, 4, 3}, 3, 2, out, out, "SAME", 0));
    OperatorInfo op = m.subgraphs().get(0).operators().get(0);
    assertEquals("TRANSPOSE_CONV", op.opName());
    assertEquals("SAME", op.options().get("padding"));
    assertEquals(2, op.options().get("stride_h"));
    int[] valid = {1, 9, 9, 2};
    TfliteReader.read(model(new int[] {1, 4, 4, 3}, 3, 2, valid, valid, "VALID", 0));
  }

  @Test
  void dataThatIsNotTheConvolutionOfTheOutputIsRefused() {
    int[] out = {1, 8, 8, 2};
    refused(model(new int[] {1, 5, 4, 3}, 3, 2, out, out, "SAME", 0), "convolution size 4");
    refused(model(new int[] {1, 4, 4, 3}, 3, 2, out, out, "VALID", 0), "convolution size 3");
  }

  @Test
  void outputShapeUnlikeTheDeclaredOutputIsRefused() {
    refused(
        model(
            new int[] {1, 4, 4, 3},
            3,
            2,
            new int[] {1, 8, 8, 2},
            new int[] {1, 8, 8, 3},
            "SAME",
            0),
        "output shape");
    refused(
        model(new int[] {1, 4, 4, 3}, 3, 2, new int[] {1, 8, 8}, new int[] {1, 8, 8}, "SAME", 0),
        "4-D");
  }

  @Test
  void mismatchedChannelsOrBatchAreRefused() {
    int[] out = {1, 8, 8, 2};
    refused(model(new int[] {1, 4, 4, 5}, 3, 2, out, out, "SAME", 0), "do not fit");
    int[] two = {2, 8, 8, 2};
    refused(model(new int[] {1, 4, 4, 3}, 3, 2, two, two, "SAME", 0), "do not fit");
  }

  @Test
  void perAxisWeightsOnTheInputDimensionAreRefused() {
    int[] out = {1, 8, 8, 2};
    refused(model(new int[] {1, 4, 4, 3}, 3, 2, out, out, "SAME", 3), "dimension 3");
  }

  @Test
  void aRuntimeOutputShapeIsRefused() {
    int[] out = {1, 8, 8, 2};
    refused(model(new int[] {1, 4, 4, 3}, 3, 2, null, out, "SAME", 0), "must be constant");
  }
}
