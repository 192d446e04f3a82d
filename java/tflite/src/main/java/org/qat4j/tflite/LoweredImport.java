package org.qat4j.tflite;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Converts subgraph 0 of a validated model into a {@link LoweredGraph}, collecting every
 * unsupported item.
 */
final class LoweredImport {
  private LoweredImport() {}

  static LoweredGraph convert(TfliteModelInfo m) {
    SubgraphInfo s = m.subgraph(0);
    List<String> problems = new ArrayList<>();
    List<TensorSpec> tensors = new ArrayList<>();
    for (TensorInfo t : s.tensors()) tensors.add(tensor(m, t, problems));
    List<OpSpec> ops = new ArrayList<>();
    for (OperatorInfo op : s.operators()) {
      OpKind k = op.custom() ? null : OpKind.fromBuiltin(op.builtinCode());
      if (k == null) {
        problems.add("operator " + op.index() + " (" + op.opName() + ") is not supported");
        continue;
      }
      try {
        ops.add(new OpSpec(k, op.inputs(), op.outputs(), options(k, op)));
      } catch (IllegalArgumentException e) {
        problems.add("operator " + op.index() + " (" + op.opName() + "): " + e.getMessage());
      }
    }
    if (m.subgraphs().size() > 1)
      problems.add(
          "model has "
              + m.subgraphs().size()
              + " subgraphs; only subgraph 0 is imported and it must be the only one");
    if (!problems.isEmpty())
      throw new ModelFormatException(
          "subgraph 0", "cannot convert: " + String.join("; ", problems));
    Map<String, byte[]> meta = new LinkedHashMap<>();
    for (MetadataInfo md : m.metadata()) {
      if (!md.name().equals("min_runtime_version")) meta.put(md.name(), m.bufferData(md.buffer()));
    }
    return new LoweredGraph(s.name(), tensors, ops, s.inputs(), s.outputs(), meta, m.description());
  }

  private static TensorSpec tensor(TfliteModelInfo m, TensorInfo t, List<String> problems) {
    DType type = t.dtype();
    if (type == null || !type.lowered()) {
      problems.add(
          "tensor " + t.index() + " '" + t.name() + "' has unsupported type " + t.typeName());
      return null;
    }
    QuantizationInfo q = t.quantization();
    QuantParams qp = null;
    if (q != null && q.hasScales()) {
      try {
        qp =
            new QuantParams(
                q.scales(),
                q.zeroPoints().length == 0 ? new long[q.scales().length] : q.zeroPoints(),
                q.quantizedDimension());
      } catch (IllegalArgumentException e) {
        problems.add("tensor " + t.index() + " '" + t.name() + "': " + e.getMessage());
      }
    }
    Object data = null;
    if (t.constant()) {
      ByteBuffer b = m.tensorData(0, t.index());
      switch (type) {
        case FLOAT32 -> {
          float[] a = new float[b.remaining() / 4];
          b.asFloatBuffer().get(a);
          data = a;
        }
        case INT32 -> {
          int[] a = new int[b.remaining() / 4];
          b.asIntBuffer().get(a);
          data = a;
        }
        case INT64 -> {
          long[] a = new long[b.remaining() / 8];
          b.asLongBuffer().get(a);
          data = a;
        }
        case INT8, UINT8 -> {
          byte[] a = new byte[b.remaining()];
          b.get(a);
          data = a;
        }
        default ->
            problems.add(
                "tensor "
                    + t.index()
                    + " '"
                    + t.name()
                    + "': constant data of type "
                    + type
                    + " is not supported");
      }
    }
    return new TensorSpec(t.name(), t.shape(), type, qp, data);
  }

  /** The options record of {@code k} from the operator's decoded schema fields. */
  static OpOptions options(OpKind k, OperatorInfo op) {
    Map<String, Object> o = op.options();
    // the LSTM's gate activation is no fused clamp: its options record keeps the schema code
    FusedActivation act =
        o.get("fused_activation_function") instanceof String a
                && k != OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM
            ? FusedActivation.valueOf(activationName(a))
            : FusedActivation.NONE;
    return TfliteOps.options(k, o, act);
  }

  private static String activationName(String a) {
    for (FusedActivation f : FusedActivation.values()) if (f.name().equals(a)) return a;
    throw new IllegalArgumentException("fused activation " + a + " is not supported");
  }
}
