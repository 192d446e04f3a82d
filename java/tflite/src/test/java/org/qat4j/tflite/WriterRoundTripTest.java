package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.OperatorCode;

class WriterRoundTripTest {
  @Test
  void float32RoundTripKeepsGraphWeightsAndMetadata() {
    LoweredGraph g = Graphs.float32();
    byte[] bytes = TfliteWriter.write(g);
    TfliteModelInfo m = TfliteReader.read(bytes);
    assertEquals(3, m.version());
    assertEquals("float test model", m.description());
    assertEquals(
        List.of(
            "CONV_2D",
            "DEPTHWISE_CONV_2D",
            "AVERAGE_POOL_2D",
            "RESHAPE",
            "FULLY_CONNECTED",
            "SOFTMAX"),
        m.subgraph(0).operators().stream().map(OperatorInfo::opName).toList());
    for (OperatorInfo op : m.subgraph(0).operators()) assertEquals(1, op.version(), op.toString());
    assertEquals("1.5.0", m.minRuntimeVersion());
    assertEquals(
        List.of("min_runtime_version", "qat4j.labels", "qat4j.input"),
        m.metadata().stream().map(MetadataInfo::name).toList());
    assertArrayEquals(g.metadata().get("qat4j.labels"), m.metadataBytes("qat4j.labels"));
    assertGraphEquals(g, m.toLoweredGraph());
  }

  @Test
  void int8RoundTripKeepsPerAxisAndPerTensorQuantization() {
    LoweredGraph g = Graphs.int8();
    TfliteModelInfo m = TfliteReader.read(TfliteWriter.write(g));
    assertEquals(
        Map.of(
            "CONV_2D",
            3,
            "DEPTHWISE_CONV_2D",
            3,
            "AVERAGE_POOL_2D",
            2,
            "RESHAPE",
            1,
            "FULLY_CONNECTED",
            4,
            "SOFTMAX",
            2),
        versions(m));
    assertEquals("1.14.0", m.minRuntimeVersion());
    TensorInfo w = m.subgraph(0).tensor(1);
    assertEquals("INT8", w.typeName());
    assertEquals(4, w.quantization().scales().length);
    assertEquals(0, w.quantization().quantizedDimension());
    assertArrayEquals(new long[4], w.quantization().zeroPoints());
    assertEquals(3, m.subgraph(0).tensor(4).quantization().quantizedDimension());
    assertEquals("INT32", m.subgraph(0).tensor(2).typeName());
    assertEquals(16, m.subgraph(0).tensor(2).bufferBytes());
    assertGraphEquals(g, m.toLoweredGraph());
  }

  @Test
  void uint8ActivationsAndFcWithoutBiasVersions() {
    LoweredGraph g = Graphs.int8();
    TensorSpec x = g.tensor(0);
    g =
        Graphs.withTensor(
            g,
            0,
            TensorSpec.activation("x", x.shape(), DType.UINT8, QuantParams.perTensor(0.02f, 128)));
    g = Graphs.withOp(g, 0, new OpSpec(OpKind.QUANTIZE, new int[] {0}, new int[] {13}, null));
    List<TensorSpec> ts = new java.util.ArrayList<>(g.tensors());
    ts.add(TensorSpec.activation("xq", x.shape(), DType.INT8, x.quant()));
    List<OpSpec> ops = new java.util.ArrayList<>(g.ops());
    ops.add(
        1,
        new OpSpec(
            OpKind.CONV_2D, new int[] {13, 1, 2}, new int[] {3}, Graphs.ops().get(0).options()));
    ops.set(5, new OpSpec(OpKind.FULLY_CONNECTED, new int[] {8, 9}, new int[] {11}, null));
    g = new LoweredGraph("main", ts, ops, g.inputs(), g.outputs(), Map.of(), null);
    TfliteModelInfo m = TfliteReader.read(TfliteWriter.write(g));
    assertEquals(1, versions(m).get("QUANTIZE"));
    assertEquals(6, versions(m).get("FULLY_CONNECTED"));
    assertEquals("2.1.0", m.minRuntimeVersion());
    assertEquals("UINT8", m.subgraph(0).tensor(0).typeName());
    assertEquals("qat4j", m.description());
  }

  @Test
  void deterministicAndStableThroughImport() {
    for (LoweredGraph g : List.of(Graphs.float32(), Graphs.int8())) {
      byte[] a = TfliteWriter.write(g);
      assertArrayEquals(a, TfliteWriter.write(g));
      assertArrayEquals(a, TfliteWriter.write(TfliteReader.read(a).toLoweredGraph()));
    }
    assertNotEquals(
        ByteBuffer.wrap(TfliteWriter.write(Graphs.float32())),
        ByteBuffer.wrap(TfliteWriter.write(Graphs.int8())));
  }

  @Test
  void bufferZeroEmptyAndDataSixteenByteAligned() {
    byte[] bytes = TfliteWriter.write(Graphs.int8());
    TfliteModelInfo m = TfliteReader.read(bytes);
    assertEquals(0, m.buffers().get(0).size());
    int withData = 0;
    for (BufferInfo b : m.buffers()) {
      if (b.size() == 0) continue;
      withData++;
      assertEquals(0, b.fileOffset() % 16, "buffer " + b.index() + " at " + b.fileOffset());
      // independent check: the u32 length just before the data equals the size
      assertEquals(
          b.size(),
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt((int) b.fileOffset() - 4));
    }
    assertEquals(6 + 3, withData); // 6 constants + min_runtime_version + 2 metadata entries
    assertEquals(16, m.metadataBytes("min_runtime_version").length);
    assertArrayEquals(
        "1.14.0\0\0\0\0\0\0\0\0\0\0".getBytes(), m.metadataBytes("min_runtime_version"));
  }

  @Test
  void opcodesWriteCodeIntoBothFields() {
    LoweredGraph g = Graphs.float32();
    g = Graphs.withOp(g, 5, new OpSpec(OpKind.HARD_SWISH, new int[] {11}, new int[] {12}, null));
    Model model = Model.getRootAsModel(ByteBuffer.wrap(TfliteWriter.write(g)));
    boolean sawHardSwish = false;
    for (int i = 0; i < model.operatorCodesLength(); i++) {
      OperatorCode c = model.operatorCodes(i);
      assertEquals(c.builtinCode(), c.deprecatedBuiltinCode());
      sawHardSwish |= c.builtinCode() == 117;
      assertNull(c.customCode());
    }
    assertTrue(sawHardSwish);
    assertEquals("1.15.0", TfliteReader.read(TfliteWriter.write(g)).minRuntimeVersion());
  }

  private static Map<String, Integer> versions(TfliteModelInfo m) {
    Map<String, Integer> v = new java.util.HashMap<>();
    for (OperatorInfo op : m.subgraph(0).operators()) v.put(op.opName(), op.version());
    return v;
  }

  static void assertGraphEquals(LoweredGraph want, LoweredGraph got) {
    assertEquals(want.tensors().size(), got.tensors().size());
    for (int i = 0; i < want.tensors().size(); i++) {
      TensorSpec a = want.tensor(i);
      TensorSpec b = got.tensor(i);
      assertEquals(a.name(), b.name());
      assertArrayEquals(a.shape(), b.shape(), a.name());
      assertEquals(a.type(), b.type(), a.name());
      assertEquals(a.quant(), b.quant(), a.name());
      if (a.data() instanceof float[] f) assertArrayEquals(f, (float[]) b.data(), a.name());
      else if (a.data() instanceof byte[] x) assertArrayEquals(x, (byte[]) b.data(), a.name());
      else if (a.data() instanceof int[] x) assertArrayEquals(x, (int[]) b.data(), a.name());
      else assertNull(b.data(), a.name());
    }
    assertEquals(want.ops().size(), got.ops().size());
    for (int i = 0; i < want.ops().size(); i++) {
      OpSpec a = want.ops().get(i);
      OpSpec b = got.ops().get(i);
      assertEquals(a.kind(), b.kind());
      assertArrayEquals(a.inputs(), b.inputs());
      assertArrayEquals(a.outputs(), b.outputs());
      assertEquals(relevant(a), relevant(b), a.kind().toString());
    }
    assertArrayEquals(want.inputs(), got.inputs());
    assertArrayEquals(want.outputs(), got.outputs());
    assertEquals(want.metadata().keySet(), got.metadata().keySet());
  }

  /** The options a kind actually serialises. */
  private static String relevant(OpSpec op) {
    return op.options().toString();
  }
}
