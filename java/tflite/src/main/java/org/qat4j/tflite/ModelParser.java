package org.qat4j.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.Metadata;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.QuantizationParameters;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * Copies a structurally verified flatbuffer into info records. Only index checks needed to build
 * the records happen here (buffer and opcode indices); everything else is {@link ModelValidator}'s.
 */
final class ModelParser {
  private final byte[] bytes;
  private final Model model;
  private final List<BufferInfo> buffers = new ArrayList<>();

  private ModelParser(byte[] bytes) {
    this.bytes = bytes;
    this.model = Model.getRootAsModel(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  static TfliteModelInfo parse(byte[] bytes) {
    return new ModelParser(bytes).parse();
  }

  private TfliteModelInfo parse() {
    if (model.version() != 3)
      throw new ModelFormatException("model", "schema version " + model.version() + " is not 3");
    if (model.subgraphsLength() < 1) throw new ModelFormatException("model", "no subgraphs");
    if (model.buffersLength() < 1)
      throw new ModelFormatException(
          "model", "no buffers (buffer 0, the empty sentinel, is required)");
    for (int i = 0; i < model.buffersLength(); i++) buffers.add(buffer(i));
    List<OpCode> codes = new ArrayList<>();
    for (int i = 0; i < model.operatorCodesLength(); i++) codes.add(opcode(i));
    List<SubgraphInfo> subgraphs = new ArrayList<>();
    for (int s = 0; s < model.subgraphsLength(); s++) subgraphs.add(subgraph(s, codes));
    List<MetadataInfo> metadata = new ArrayList<>();
    for (int i = 0; i < model.metadataLength(); i++) {
      Metadata m = model.metadata(i);
      int b = bufferIndex(m.buffer(), "metadata " + i);
      metadata.add(new MetadataInfo(str(m.nameAsByteBuffer()), b, buffers.get(b).size()));
    }
    for (int i = 0; i < model.metadataBufferLength(); i++)
      bufferIndex(model.metadataBuffer(i), "metadata_buffer " + i);
    return new TfliteModelInfo(
        (int) model.version(),
        str(model.descriptionAsByteBuffer()),
        bytes.length,
        subgraphs,
        buffers,
        metadata,
        bytes);
  }

  private BufferInfo buffer(int i) {
    Buffer b = model.buffers(i);
    ByteBuffer data = b.dataAsByteBuffer();
    if (data != null && data.remaining() > 0)
      return new BufferInfo(i, data.remaining(), data.position(), false);
    // offset > 1 marks data stored outside the flatbuffer, at that absolute file offset.
    if (b.offset() > 1) {
      long off = b.offset();
      long size = b.size();
      if (size < 0 || off < 0 || off + size > bytes.length || off + size < 0) {
        throw new ModelFormatException(
            "buffer " + i,
            "external data ["
                + off
                + ", +"
                + size
                + ") outside the file ("
                + bytes.length
                + " bytes)");
      }
      return new BufferInfo(i, size, off, true);
    }
    return new BufferInfo(i, 0, -1, false);
  }

  private record OpCode(int builtin, String custom, int version) {}

  private OpCode opcode(int i) {
    OperatorCode c = model.operatorCodes(i);
    // Readers take the larger of the two fields (codes > 127 live only in builtin_code).
    int code = Math.max(c.builtinCode(), c.deprecatedBuiltinCode());
    String custom = code == BuiltinNames.CUSTOM ? str(c.customCodeAsByteBuffer()) : null;
    return new OpCode(code, custom, c.version());
  }

  private int bufferIndex(long b, String where) {
    if (b < 0 || b >= buffers.size())
      throw new ModelFormatException(
          where, "buffer index " + b + " out of range [0, " + buffers.size() + ")");
    return (int) b;
  }

  private SubgraphInfo subgraph(int s, List<OpCode> codes) {
    SubGraph g = model.subgraphs(s);
    String where = "subgraph " + s;
    List<TensorInfo> tensors = new ArrayList<>();
    Tensor t = new Tensor();
    for (int i = 0; i < g.tensorsLength(); i++)
      tensors.add(tensor(g.tensors(t, i), i, where + ", tensor " + i));
    List<OperatorInfo> ops = new ArrayList<>();
    Operator op = new Operator();
    for (int i = 0; i < g.operatorsLength(); i++)
      ops.add(operator(g.operators(op, i), i, codes, where + ", operator " + i));
    int[] in = new int[g.inputsLength()];
    for (int i = 0; i < in.length; i++) in[i] = g.inputs(i);
    int[] out = new int[g.outputsLength()];
    for (int i = 0; i < out.length; i++) out[i] = g.outputs(i);
    return new SubgraphInfo(s, str(g.nameAsByteBuffer()), tensors, ops, in, out);
  }

  private TensorInfo tensor(Tensor t, int i, String where) {
    int[] shape = new int[t.shapeLength()];
    for (int k = 0; k < shape.length; k++) shape[k] = t.shape(k);
    int[] sig = new int[t.shapeSignatureLength()];
    for (int k = 0; k < sig.length; k++) sig[k] = t.shapeSignature(k);
    int b = bufferIndex(t.buffer(), where);
    int type = t.type();
    return new TensorInfo(
        i,
        str(t.nameAsByteBuffer()),
        shape,
        sig,
        type,
        BuiltinNames.type(type),
        b,
        buffers.get(b).size(),
        quant(t.quantization()),
        t.isVariable(),
        t.sparsity() != null);
  }

  private static QuantizationInfo quant(QuantizationParameters q) {
    if (q == null) return null;
    float[] scales = new float[q.scaleLength()];
    for (int k = 0; k < scales.length; k++) scales[k] = q.scale(k);
    long[] zps = new long[q.zeroPointLength()];
    for (int k = 0; k < zps.length; k++) zps[k] = q.zeroPoint(k);
    float[] min = new float[q.minLength()];
    for (int k = 0; k < min.length; k++) min[k] = q.min(k);
    float[] max = new float[q.maxLength()];
    for (int k = 0; k < max.length; k++) max[k] = q.max(k);
    if (scales.length == 0 && zps.length == 0 && min.length == 0 && max.length == 0) return null;
    return new QuantizationInfo(scales, zps, q.quantizedDimension(), min, max);
  }

  private OperatorInfo operator(Operator op, int i, List<OpCode> codes, String where) {
    long oc = op.opcodeIndex();
    if (oc >= codes.size())
      throw new ModelFormatException(
          where, "opcode index " + oc + " out of range [0, " + codes.size() + ")");
    OpCode c = codes.get((int) oc);
    int[] in = new int[op.inputsLength()];
    for (int k = 0; k < in.length; k++) in[k] = op.inputs(k);
    int[] out = new int[op.outputsLength()];
    for (int k = 0; k < out.length; k++) out[k] = op.outputs(k);
    int type = op.builtinOptionsType() & 0xFF;
    if (type != 0 && op.builtinOptions(new org.qat4j.tflite.fb.PadOptions()) == null) {
      throw new ModelFormatException(
          where,
          "options type " + OptionsDecoder.typeName(type) + " declared without an options table");
    }
    String name = c.custom() != null ? c.custom() : BuiltinNames.op(c.builtin());
    return new OperatorInfo(
        i,
        (int) oc,
        name,
        c.builtin(),
        c.custom(),
        c.version(),
        in,
        out,
        type == 0 ? "NONE" : OptionsDecoder.typeName(type),
        OptionsDecoder.decode(op),
        op.customOptionsLength());
  }

  /**
   * Decodes a string field leniently (invalid UTF-8 is replaced, as TFLite never decodes it); null
   * → "".
   */
  private static String str(ByteBuffer b) {
    if (b == null) return "";
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return new String(a, StandardCharsets.UTF_8);
  }
}
