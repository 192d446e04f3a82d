package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.LoweredGraph;

/** Golden structure checks on the real models in ../shared/models (facts from its README). */
class ReaderGoldenTest {
  /** The operator counts of the Coral MobileNet V1 0.25 (uint8). */
  private static final Map<String, Integer> MOBILENET_OPS =
      Map.of(
          "CONV_2D", 15, "DEPTHWISE_CONV_2D", 13, "AVERAGE_POOL_2D", 1, "RESHAPE", 1, "SOFTMAX", 1);

  @Test
  void mobilenetUint8() throws Exception {
    TfliteModelInfo m = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET));
    assertEquals(3, m.version());
    assertEquals(525_598, m.fileSize());
    assertEquals("MLIR Converted.", m.description());
    assertEquals(1, m.subgraphs().size());
    assertEquals(92, m.buffers().size());
    SubgraphInfo g = m.subgraph(0);
    assertEquals(89, g.tensors().size());
    assertEquals(31, g.operators().size());
    assertEquals(MOBILENET_OPS, m.operatorCounts());
    for (OperatorInfo op : g.operators()) {
      assertEquals(1, op.version(), op.toString());
      assertFalse(op.custom());
    }
    TensorInfo in = g.tensor(g.inputs()[0]);
    assertEquals("input", in.name());
    assertEquals("UINT8", in.typeName());
    assertArrayEquals(new int[] {1, 128, 128, 3}, in.shape());
    assertEquals(0.0078125f, in.quantization().scales()[0]);
    assertEquals(128L, in.quantization().zeroPoints()[0]);
    TensorInfo out = g.tensor(g.outputs()[0]);
    assertEquals("MobilenetV1/Predictions/Reshape_1", out.name());
    assertArrayEquals(new int[] {1, 1001}, out.shape());
    assertEquals(1f / 256, out.quantization().scales()[0]);
    assertEquals(0L, out.quantization().zeroPoints()[0]);
    for (TensorInfo t : g.tensors()) {
      assertTrue(t.typeName().equals("UINT8") || t.typeName().equals("INT32"), t.toString());
      assertTrue(t.quantization() == null || !t.quantization().perAxis(), t.toString());
      if (t.typeName().equals("UINT8"))
        assertEquals(1, t.quantization().scales().length, t.toString());
    }
    assertMobilenetMetadata(m);
  }

  /** The metadata entries the converter wrote: the minimum runtime and the TFLite metadata. */
  private static void assertMobilenetMetadata(TfliteModelInfo m) {
    assertEquals("1.5.0", m.minRuntimeVersion());
    assertEquals(16, m.metadataBytes("min_runtime_version").length);
    MetadataInfo meta =
        m.metadata().stream()
            .filter(x -> x.name().equals("TFLITE_METADATA"))
            .findFirst()
            .orElseThrow();
    assertEquals(696, meta.size());
    byte[] mb = m.metadataBytes("TFLITE_METADATA");
    assertEquals("M001", new String(mb, 4, 4, StandardCharsets.US_ASCII));
  }

  @Test
  void mobilenetOptions() throws Exception {
    SubgraphInfo g = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET)).subgraph(0);
    int relu6 = 0;
    for (OperatorInfo op : g.operators()) {
      if (op.opName().equals("CONV_2D") || op.opName().equals("DEPTHWISE_CONV_2D")) {
        assertEquals("SAME", op.options().get("padding"));
        if (op.options().get("fused_activation_function").equals("RELU6")) relu6++;
      }
      if (op.opName().equals("AVERAGE_POOL_2D")) {
        assertEquals(
            List.of("VALID", 2, 2, 4, 4),
            List.of(
                op.options().get("padding"),
                op.options().get("stride_h"),
                op.options().get("stride_w"),
                op.options().get("filter_height"),
                op.options().get("filter_width")));
      }
      if (op.opName().equals("SOFTMAX")) assertEquals(1.0f, op.options().get("beta"));
    }
    assertEquals(27, relu6); // all 28 convs but the final logits conv
  }

  @Test
  void mobilenetEdgetpu() throws Exception {
    TfliteModelInfo m = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET_EDGETPU));
    assertEquals(801_454, m.fileSize());
    assertEquals("Exported from Subgraph.", m.description());
    assertEquals(2, m.buffers().size());
    assertEquals(0, m.buffers().get(0).size());
    SubgraphInfo g = m.subgraph(0);
    assertEquals(2, g.tensors().size());
    assertEquals(1, g.operators().size());
    OperatorInfo op = g.operators().get(0);
    assertTrue(op.custom());
    assertEquals("edgetpu-custom-op", op.opName());
    assertEquals(778_324, op.customOptionsSize());
    assertEquals(
        List.of("TFLITE_METADATA"), m.metadata().stream().map(MetadataInfo::name).toList());
    assertNull(m.minRuntimeVersion());
    TensorInfo in = g.tensor(g.inputs()[0]);
    assertEquals("input", in.name());
    assertArrayEquals(new int[] {1, 128, 128, 3}, in.shape());
    assertEquals(128L, in.quantization().zeroPoints()[0]);
    TensorInfo out = g.tensor(g.outputs()[0]);
    assertArrayEquals(new int[] {1, 1001}, out.shape());
    assertEquals(1f / 256, out.quantization().scales()[0]);
  }

  @Test
  void foreignUint8ModelSurvivesLowerAndRewrite() throws Exception {
    TfliteModelInfo m = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET));
    LoweredGraph g = m.toLoweredGraph();
    assertEquals(89, g.tensors().size());
    assertEquals(31, g.ops().size());
    TfliteModelInfo again = TfliteReader.read(TfliteWriter.write(g));
    assertEquals(m.operatorCounts(), again.operatorCounts());
    assertEquals("1.5.0", again.minRuntimeVersion()); // uint8 kernels: every op at version 1
    for (OperatorInfo op : again.subgraph(0).operators())
      assertEquals(1, op.version(), op.toString());
    for (int i = 0; i < 89; i++) {
      TensorInfo a = m.subgraph(0).tensor(i);
      TensorInfo b = again.subgraph(0).tensor(i);
      assertEquals(a.name(), b.name());
      assertArrayEquals(a.shape(), b.shape());
      assertEquals(a.typeName(), b.typeName());
      assertEquals(a.bufferBytes(), b.bufferBytes());
      if (a.quantization() != null)
        assertArrayEquals(a.quantization().scales(), b.quantization().scales(), a.name());
      assertEquals(m.tensorData(0, i), again.tensorData(0, i), a.name());
    }
    assertArrayEquals(m.metadataBytes("TFLITE_METADATA"), again.metadataBytes("TFLITE_METADATA"));
  }

  @Test
  void edgetpuModelCannotBeLowered() throws Exception {
    TfliteModelInfo m = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET_EDGETPU));
    ModelFormatException e = assertThrows(ModelFormatException.class, m::toLoweredGraph);
    assertTrue(
        e.getMessage().contains("operator 0 (edgetpu-custom-op) is not supported"), e.getMessage());
  }
}
