package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.Metadata;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.QuantizationParameters;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * Serialises a {@link LoweredGraph} (float32 or int8/uint8, per-tensor or per-axis quantization)
 * into .tflite bytes: schema version 3, one subgraph, buffer 0 empty, each constant in its own
 * buffer with data 16-byte aligned in the file, minimal operator versions, a "min_runtime_version"
 * metadata entry (16-byte zero-padded) followed by the graph's metadata entries, and the graph's
 * description. The same graph always gives the same bytes. The result is read back through {@link
 * TfliteReader} before it is returned, so a graph TFLite would choke on raises {@link
 * ModelFormatException} instead.
 */
public final class TfliteWriter {
  private static final int DATA_ALIGNMENT = 16;
  private static final String DEFAULT_DESCRIPTION = "qat4j";

  private TfliteWriter() {}

  /**
   * Writes and validates; throws {@link ModelFormatException} naming the offending tensor/operator.
   */
  public static byte[] write(LoweredGraph g) {
    byte[] bytes = encode(g);
    TfliteReader.read(bytes);
    return bytes;
  }

  /** Encodes without validating the result (tests use it to build hostile models). */
  static byte[] encode(LoweredGraph g) {
    if (g == null) throw new ModelFormatException("graph", "null graph");
    return new Encoder(g).run();
  }

  private static final class Encoder {
    private final LoweredGraph g;
    private final FlatBufferBuilder b = new FlatBufferBuilder(1 << 16);
    private final List<Integer> buffers = new ArrayList<>();
    private final Map<QuantParams, Integer> quantTables = new HashMap<>();
    private final Map<String, Integer> zeroPointVectors = new HashMap<>();
    private final int[] tensorBuffer;

    Encoder(LoweredGraph g) {
      this.g = g;
      this.tensorBuffer = new int[g.tensors().size()];
    }

    byte[] run() {
      // Data first: it lands at the end of the file, as in converter output.
      buffers.add(emptyBuffer());
      for (int i = 0; i < g.tensors().size(); i++) {
        TensorSpec t = g.tensor(i);
        tensorBuffer[i] = t.isConstant() ? addBuffer(tensorBytes(t, i)) : 0;
      }
      Map<String, Integer> metaBuffers = new LinkedHashMap<>();
      metaBuffers.put("min_runtime_version", addBuffer(runtimeVersionBytes()));
      for (Map.Entry<String, byte[]> e : g.metadata().entrySet()) {
        if (!e.getKey().equals("min_runtime_version"))
          metaBuffers.put(e.getKey(), addBuffer(e.getValue()));
      }
      List<int[]> codes = new ArrayList<>(); // {builtin, version}
      int[] opcodeIndex = new int[g.ops().size()];
      for (int i = 0; i < g.ops().size(); i++) opcodeIndex[i] = opcode(codes, g.ops().get(i));
      int subgraph = subgraph(opcodeIndex);
      int[] codeOffsets = new int[codes.size()];
      for (int i = 0; i < codes.size(); i++) {
        int code = codes.get(i)[0];
        codeOffsets[i] =
            OperatorCode.createOperatorCode(
                b,
                (byte) Math.min(code, BuiltinNames.PLACEHOLDER_FOR_GREATER_OP_CODES),
                0,
                codes.get(i)[1],
                code);
      }
      int[] metaOffsets = new int[metaBuffers.size()];
      int k = 0;
      for (Map.Entry<String, Integer> e : metaBuffers.entrySet()) {
        metaOffsets[k++] = Metadata.createMetadata(b, b.createString(e.getKey()), e.getValue());
      }
      int codesVec = Model.createOperatorCodesVector(b, codeOffsets);
      int subVec = Model.createSubgraphsVector(b, new int[] {subgraph});
      int desc = b.createString(g.description() == null ? DEFAULT_DESCRIPTION : g.description());
      int bufVec =
          Model.createBuffersVector(b, buffers.stream().mapToInt(Integer::intValue).toArray());
      int metaVec = Model.createMetadataVector(b, metaOffsets);
      int model = Model.createModel(b, 3, codesVec, subVec, desc, bufVec, 0, metaVec);
      Model.finishModelBuffer(b, model);
      return b.sizedByteArray();
    }

    private int emptyBuffer() {
      Buffer.startBuffer(b);
      return Buffer.endBuffer(b);
    }

    /**
     * Adds a buffer whose data starts on a 16-byte boundary of the finished file; returns its
     * index.
     */
    private int addBuffer(byte[] data) {
      // prep aligns the end of the next `length` bytes (= start of the data, counted from the
      // buffer's end) to 16, and raises the builder's minimum alignment so the finished file's
      // size is a multiple of 16: hence the data's absolute offset is 16-aligned.
      b.prep(DATA_ALIGNMENT, data.length);
      int vec = b.createByteVector(data);
      buffers.add(Buffer.createBuffer(b, vec, 0, 0));
      return buffers.size() - 1;
    }

    private byte[] runtimeVersionBytes() {
      String v = "1.5.0";
      for (OpSpec op : g.ops()) {
        String r = OpVersions.runtime(op.kind(), OpVersions.version(g, op));
        if (OpVersions.compareRuntime(r, v) > 0) v = r;
      }
      byte[] out = new byte[16];
      byte[] s = v.getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(s, 0, out, 0, s.length);
      return out;
    }

    private int opcode(List<int[]> codes, OpSpec op) {
      int code = op.kind().builtinCode();
      int version = OpVersions.version(g, op);
      for (int i = 0; i < codes.size(); i++)
        if (codes.get(i)[0] == code && codes.get(i)[1] == version) return i;
      codes.add(new int[] {code, version});
      return codes.size() - 1;
    }

    private int subgraph(int[] opcodeIndex) {
      int[] tensors = new int[g.tensors().size()];
      boolean[] variable = variables();
      for (int i = 0; i < tensors.length; i++)
        tensors[i] = tensor(g.tensor(i), tensorBuffer[i], variable[i]);
      int[] ops = new int[g.ops().size()];
      for (int i = 0; i < ops.length; i++) ops[i] = operator(g.ops().get(i), opcodeIndex[i]);
      int tv = SubGraph.createTensorsVector(b, tensors);
      int iv = SubGraph.createInputsVector(b, g.inputs());
      int ov = SubGraph.createOutputsVector(b, g.outputs());
      int opv = SubGraph.createOperatorsVector(b, ops);
      int name = b.createString(g.name() == null ? "main" : g.name());
      return SubGraph.createSubGraph(b, tv, iv, ov, opv, name);
    }

    /** The state inputs of stateful operators, written as TFLite variable tensors. */
    private boolean[] variables() {
      boolean[] v = new boolean[g.tensors().size()];
      for (OpSpec op : g.ops()) {
        int[] in = op.inputs();
        for (int k = 0; k < in.length; k++)
          if (op.kind().stateInput(k) && in[k] >= 0 && in[k] < v.length) v[in[k]] = true;
      }
      return v;
    }

    private int tensor(TensorSpec t, int buffer, boolean variable) {
      int shape = Tensor.createShapeVector(b, t.shape());
      int name = b.createString(t.name() == null ? "" : t.name());
      int quant = t.quant() == null ? 0 : quant(t.quant());
      return Tensor.createTensor(
          b, shape, (byte) t.type().tfliteCode(), buffer, name, quant, variable, 0, 0, false);
    }

    private int quant(QuantParams q) {
      // Identical parameter tables and zero-point vectors are written once and shared: per-axis
      // tensors otherwise spend 8 bytes per channel on all-zero int64 zero points.
      Integer done = quantTables.get(q);
      if (done != null) return done;
      int scale = QuantizationParameters.createScaleVector(b, q.scales());
      int zp =
          zeroPointVectors.computeIfAbsent(
              Arrays.toString(q.zeroPoints()),
              k -> QuantizationParameters.createZeroPointVector(b, q.zeroPoints()));
      int table =
          QuantizationParameters.createQuantizationParameters(
              b, 0, 0, scale, zp, (byte) 0, 0, q.quantizedDimension());
      quantTables.put(q, table);
      return table;
    }

    private int operator(OpSpec op, int opcodeIndex) {
      int in = Operator.createInputsVector(b, op.inputs());
      int out = Operator.createOutputsVector(b, op.outputs());
      int[] opts = TfliteOps.encode(b, op);
      int[] inter = RecurrentOptions.intermediates(op);
      int interVec = inter.length == 0 ? 0 : Operator.createIntermediatesVector(b, inter);
      return Operator.createOperator(
          b, opcodeIndex, in, out, (byte) opts[0], opts[1], 0, (byte) 0, 0, interVec);
    }
  }

  /**
   * Little-endian bytes of a constant, checking that the Java array type matches the tensor type.
   */
  static byte[] tensorBytes(TensorSpec t, int index) {
    String where = "tensor " + index + " '" + t.name() + "'";
    Object d = t.data();
    DType type = t.type();
    if (d instanceof float[] f && type == DType.FLOAT32) {
      ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      bb.asFloatBuffer().put(f);
      return bb.array();
    }
    if (d instanceof int[] a && type == DType.INT32) {
      ByteBuffer bb = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      bb.asIntBuffer().put(a);
      return bb.array();
    }
    if (d instanceof long[] a && type == DType.INT64) {
      ByteBuffer bb = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      bb.asLongBuffer().put(a);
      return bb.array();
    }
    if (d instanceof byte[] a && (type == DType.INT8 || type == DType.UINT8)) return a.clone();
    throw new ModelFormatException(
        where, "constant data " + d.getClass().getSimpleName() + " does not match type " + type);
  }
}
