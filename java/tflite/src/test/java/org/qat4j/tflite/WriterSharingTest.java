package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/** The writer stores identical zero-point vectors once (per-axis weights and bias share them). */
class WriterSharingTest {
  private static final int C = 512;

  @Test
  void perAxisWeightAndBiasShareOneZeroPointVector() {
    float[] ws = new float[C];
    float[] bs = new float[C];
    for (int i = 0; i < C; i++) {
      ws[i] = 0.01f + i * 1e-5f;
      bs[i] = 0.5f * ws[i];
    }
    List<TensorSpec> t =
        List.of(
            TensorSpec.activation(
                "x", new int[] {1, 1, 1, 3}, DType.INT8, QuantParams.perTensor(0.5f, 0)),
            new TensorSpec(
                "w",
                new int[] {C, 1, 1, 3},
                DType.INT8,
                QuantParams.perAxis(ws, 0),
                new byte[C * 3]),
            new TensorSpec("b", new int[] {C}, DType.INT32, QuantParams.perAxis(bs, 0), new int[C]),
            TensorSpec.activation(
                "y", new int[] {1, 1, 1, C}, DType.INT8, QuantParams.perTensor(0.1f, -3)));
    OpSpec conv = new OpSpec(OpKind.CONV_2D, new int[] {0, 1, 2}, new int[] {3}, null);
    byte[] bytes =
        TfliteWriter.write(
            new LoweredGraph(
                "main", t, List.of(conv), new int[] {0}, new int[] {3}, Map.of(), "sharing"));

    var tensors = TfliteReader.read(bytes).subgraphs().get(0).tensors();
    assertArrayEquals(ws, tensors.get(1).quantization().scales());
    assertArrayEquals(bs, tensors.get(2).quantization().scales());
    assertEquals(C, tensors.get(1).quantization().zeroPoints().length);
    assertEquals(C, tensors.get(2).quantization().zeroPoints().length);
    // Data + scales + ONE int64 zero-point vector + < 2 KB structure; a second vector would add 4
    // KB.
    int payload = C * 3 + C * 4 + 2 * C * 4 + C * 8;
    assertTrue(
        bytes.length < payload + 2048, "file is " + bytes.length + " bytes, payload " + payload);
  }
}
