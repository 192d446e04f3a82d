package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Each crash/lie case of tflite-format.md §4, built with the writer or raw, must give a clean
 * ModelFormatException.
 */
class HostileInputTest {
  private static ModelFormatException rejects(byte[] bytes, String... words) {
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read(bytes));
    for (String w : words)
      assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' lacks '" + w + "'");
    return e;
  }

  private static ModelFormatException rejects(LoweredGraph g, String... words) {
    ModelFormatException e = rejects(TfliteWriter.encode(g), words);
    // the public writer refuses the same graph with the same message
    assertEquals(
        e.getMessage(),
        assertThrows(ModelFormatException.class, () -> TfliteWriter.write(g)).getMessage());
    return e;
  }

  private static byte[] raw(Consumer<RawModel> tweak) {
    RawModel r = new RawModel();
    tweak.accept(r);
    return r.build();
  }

  @Test
  void rawBaselineIsValid() {
    TfliteModelInfo m = TfliteReader.read(raw(r -> {}));
    assertEquals("CONV_2D", m.subgraph(0).operators().get(0).opName());
  }

  @Test
  void structuralDefects() {
    rejects(raw(r -> r.subgraphs = false), "no subgraphs");
    rejects(raw(r -> r.emptySubgraphVector = true), "no subgraphs");
    rejects(raw(r -> r.buffers = false), "no buffers");
    rejects(raw(r -> r.version = 2), "schema version 2");
    rejects(raw(r -> r.opcodeIndex = 7), "subgraph 0, operator 0", "opcode index 7");
    rejects(raw(r -> r.filterBuffer = 9), "subgraph 0, tensor 1", "buffer index 9");
    rejects(raw(r -> r.metadataBuffer = 5), "metadata 0", "buffer index 5");
    rejects(
        raw(
            r -> {
              r.builtin = 32;
              r.deprecated = 32;
            }),
        "CUSTOM operator without custom_code");
    rejects(raw(r -> r.options = 0), "missing Conv2DOptions");
    rejects(raw(r -> r.options = 5), "options are Pool2DOptions, expected Conv2DOptions");
    rejects(raw(r -> r.strideH = 0), "stride_h = 0");
    rejects(
        raw(r -> r.strideH = Integer.MAX_VALUE),
        "stride_h = 2147483647 (must be in [1, 65536])"); // SIGFPE (fuzzed)
    rejects(
        raw(r -> r.padding = 2),
        "padding PADDING_2 is neither SAME nor VALID"); // SIGFPE in TFLite (fuzzed)
    rejects(raw(r -> r.padding = -1), "padding PADDING_-1 is neither SAME nor VALID");
    rejects(
        raw(r -> r.outputType = 13),
        "operand tensor 2 has type RESOURCE, not a numeric type"); // SIGSEGV (fuzzed)
    rejects(
        raw(r -> r.opInputs = new int[] {-1, 1, -1}),
        "required input 0 is absent (-1)"); // SIGSEGV in MEAN (fuzzed)
  }

  @Test
  void builtinCodeIsTheLargerOfBothFields() {
    // code > 127: deprecated field holds the placeholder 127, the real code lives in builtin_code
    // (MULTINOMIAL, 149: a named code the IR has no kind for, so the reader checks nothing more)
    OperatorInfo op =
        TfliteReader.read(
                raw(
                    r -> {
                      r.builtin = 149;
                      r.deprecated = 127;
                      r.options = 0;
                    }))
            .subgraph(0)
            .operators()
            .get(0);
    assertEquals(149, op.builtinCode());
    assertEquals("MULTINOMIAL", op.opName());
    // old files: only the deprecated field is set
    assertEquals(
        "CONV_2D",
        TfliteReader.read(raw(r -> r.builtin = 0)).subgraph(0).operators().get(0).opName());
  }

  @Test
  void indicesOutOfRange() {
    LoweredGraph g = Graphs.float32();
    rejects(
        Graphs.withOp(
            g,
            2,
            new OpSpec(
                OpKind.AVERAGE_POOL_2D, new int[] {99}, new int[] {7}, g.ops().get(2).options())),
        "operator 2 (AVERAGE_POOL_2D), input 0",
        "tensor index 99 out of range");
    rejects(
        Graphs.withOp(
            g,
            2,
            new OpSpec(
                OpKind.AVERAGE_POOL_2D, new int[] {-5}, new int[] {7}, g.ops().get(2).options())),
        "tensor index -5");
    rejects(
        Graphs.withOp(g, 3, new OpSpec(OpKind.RESHAPE, new int[] {7}, new int[] {13}, null)),
        "operator 3 (RESHAPE), output 0");
    rejects(Graphs.withIo(g, new int[] {0}, new int[] {40}), "output 0", "tensor index 40");
    rejects(Graphs.withIo(g, new int[] {-1}, new int[] {12}), "input 0", "tensor index -1");
  }

  @Test
  void outputsNeverWrittenOrAliasingConstants() {
    LoweredGraph g = Graphs.float32();
    LoweredGraph noSoftmax =
        new LoweredGraph(
            "main", g.tensors(), g.ops().subList(0, 5), g.inputs(), g.outputs(), g.metadata(), "");
    rejects(noSoftmax, "output 0", "'probs' is never written");
    rejects(Graphs.withIo(g, new int[] {0}, new int[] {1}), "output 0", "aliases constant buffer");
    rejects(Graphs.withIo(g, new int[] {2}, new int[] {12}), "input 0", "is a constant");
    rejects(
        Graphs.withOp(g, 5, new OpSpec(OpKind.SOFTMAX, new int[] {11}, new int[] {10}, null)),
        "operator 5 (SOFTMAX)",
        "constant");
    rejects(
        Graphs.withOp(g, 5, new OpSpec(OpKind.SOFTMAX, new int[] {11}, new int[] {11}, null)),
        "writes its own input");
    rejects(
        Graphs.withOp(g, 5, new OpSpec(OpKind.SOFTMAX, new int[] {11}, new int[] {6}, null)),
        "already written by operator 1");
    rejects(
        Graphs.withOp(
            g,
            0,
            new OpSpec(
                OpKind.CONV_2D, new int[] {8, 1, 2}, new int[] {3}, g.ops().get(0).options())),
        "operator 0 (CONV_2D), input 0",
        "before any operator writes it");
  }

  @Test
  void shapesAndSizes() {
    LoweredGraph g = Graphs.float32();
    rejects(
        Graphs.withTensor(
            g, 2, new TensorSpec("conv/b", new int[] {4}, DType.FLOAT32, null, new float[5])),
        "tensor 2 'conv/b'",
        "holds 20 bytes",
        "needs 16");
    rejects(
        Graphs.withTensor(
            g, 3, TensorSpec.activation("conv", new int[] {1, -8, 8, 4}, DType.FLOAT32, null)),
        "negative dimension");
    rejects(
        Graphs.withTensor(
            g,
            3,
            TensorSpec.activation("conv", new int[] {65536, 65536, 65536}, DType.FLOAT32, null)),
        "overflows");
    rejects(
        Graphs.withTensor(
            g, 3, TensorSpec.activation("conv", new int[] {1 << 28, 4}, DType.FLOAT32, null)),
        "more than the allowed");
    assertThrows(ModelFormatException.class, () -> TfliteReader.read(TfliteWriter.write(g), 1000));
  }

  @Test
  void quantizationDefects() {
    LoweredGraph g = Graphs.int8();
    TensorSpec w = g.tensor(1);
    rejects(
        Graphs.withTensor(
            g, 3, TensorSpec.activation("conv", new int[] {1, 8, 8, 4}, DType.INT8, null)),
        "tensor 3 'conv'",
        "INT8 tensor without quantization");
    rejects(
        Graphs.withTensor(
            g,
            1,
            new TensorSpec(
                "conv/w",
                w.shape(),
                DType.INT8,
                QuantParams.perAxis(Graphs.scales(3, 0.01f), 0),
                w.data())),
        "tensor 1 'conv/w'",
        "3 per-axis scales",
        "has size 4");
    rejects(
        Graphs.withTensor(
            g,
            1,
            new TensorSpec(
                "conv/w",
                w.shape(),
                DType.INT8,
                QuantParams.perAxis(Graphs.scales(4, 0.01f), 7),
                w.data())),
        "quantized_dimension 7 out of range");
    rejects(
        Graphs.withTensor(
            g,
            1,
            new TensorSpec(
                "conv/w",
                w.shape(),
                DType.INT8,
                QuantParams.perAxis(Graphs.scales(3, 0.01f), 3),
                w.data())),
        "operator 0 (CONV_2D), input 1",
        "quantized along dimension 3, expected 0");
    rejects(
        Graphs.withTensor(
            g,
            3,
            TensorSpec.activation(
                "conv", new int[] {1, 8, 8, 4}, DType.INT8, QuantParams.perTensor(0.05f, 300))),
        "zero_point[0] = 300");
    LoweredGraph floatData =
        Graphs.withTensor(
            g, 1, new TensorSpec("conv/w", w.shape(), DType.INT8, w.quant(), new float[108]));
    assertTrue(
        assertThrows(ModelFormatException.class, () -> TfliteWriter.write(floatData))
            .getMessage()
            .contains("tensor 1 'conv/w': constant data float[] does not match type INT8"));
  }

  @Test
  void zeroScaleIsRejected() {
    byte[] bytes = TfliteWriter.write(Graphs.int8());
    int bits = Float.floatToIntBits(0.05f); // only the 'conv' activation scale
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (int i = 0; i + 4 <= bytes.length; i += 4) {
      if (bb.getInt(i) == bits) {
        bb.putInt(i, 0);
        patched++;
      }
    }
    assertEquals(1, patched);
    rejects(bytes, "tensor 3 'conv'", "scale[0] = 0.0");
  }

  @Test
  void nullEmptyAndGarbage() {
    rejects((byte[]) null, "null");
    rejects(new byte[0], "too short");
    rejects("TFL3TFL3TFL3".getBytes(), "invalid flatbuffer");
    rejects(new byte[] {4, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0}, "invalid flatbuffer");
    byte[] ok = TfliteWriter.write(Graphs.float32());
    byte[] noId = ok.clone();
    noId[5] = 'X';
    rejects(noId, "file identifier");
  }

  @Test
  void trailingBytesAreAccepted() {
    byte[] ok = TfliteWriter.write(Graphs.int8());
    byte[] withZip = java.util.Arrays.copyOf(ok, ok.length + 1000);
    withZip[ok.length] = 'P';
    withZip[ok.length + 1] = 'K';
    assertEquals(TfliteReader.read(ok).subgraphs(), TfliteReader.read(withZip).subgraphs());
  }

  @Test
  void everyTruncationIsRejectedCleanly() {
    byte[] ok = TfliteWriter.write(Graphs.int8());
    for (int n = 0; n < ok.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(ok, n);
      assertThrows(ModelFormatException.class, () -> TfliteReader.read(cut), "prefix " + n);
    }
  }
}
