package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.Lstm;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.tflite.fb.ActivationFunctionType;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.UnidirectionalSequenceLSTMOptions;

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM's options table for the rows of {@link TfliteOps}: written, decoded
 * (the operator's intermediates travel with it, as tensor indices), and its version (TFLite's
 * op_version.cc: 1 float or int8, 2 and 3 hybrid, 4 diagonal recurrent weights).
 */
final class RecurrentOptions {
  private RecurrentOptions() {}

  /** {union type, table offset}. */
  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    OpOptions.SequenceLstm o = op.options(OpOptions.SequenceLstm.class);
    return new int[] {
      BuiltinOptions.UnidirectionalSequenceLSTMOptions,
      UnidirectionalSequenceLSTMOptions.createUnidirectionalSequenceLSTMOptions(
          b,
          (byte) o.activationCode(),
          o.cellClip(),
          o.projClip(),
          o.timeMajor(),
          o.asymmetricQuantizeInputs(),
          o.diagonalRecurrentTensors())
    };
  }

  /** The intermediates vector of {@code op}, empty for other kinds. */
  static int[] intermediates(OpSpec op) {
    if (!(op.options() instanceof OpOptions.SequenceLstm o)) return new int[0];
    return o.intermediates().stream().mapToInt(Integer::intValue).toArray();
  }

  /** The options record from the decoded table (TFLite's defaults for absent fields). */
  static OpOptions decode(Map<String, Object> o) {
    List<Integer> inter = new ArrayList<>();
    if (o.get("intermediates") instanceof List<?> l) for (Object i : l) inter.add((Integer) i);
    return new OpOptions.SequenceLstm(
        activationCode(o.get("fused_activation_function")),
        o.get("cell_clip") instanceof Float f ? f : 0f,
        o.get("proj_clip") instanceof Float f ? f : 0f,
        Boolean.TRUE.equals(o.get("time_major")),
        Boolean.TRUE.equals(o.get("asymmetric_quantize_inputs")),
        Boolean.TRUE.equals(o.get("diagonal_recurrent_tensors")),
        inter);
  }

  /** The schema code of a decoded activation name (NONE when absent). */
  private static int activationCode(Object name) {
    String[] names = ActivationFunctionType.names;
    for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
    if (name instanceof String s && s.startsWith("ACTIVATION_"))
      return Integer.parseInt(s.substring("ACTIVATION_".length()));
    return 0;
  }

  /** The operator version. */
  static int version(LoweredGraph g, OpSpec op) {
    OpOptions.SequenceLstm o = op.options(OpOptions.SequenceLstm.class);
    if (o.diagonalRecurrentTensors()) return 4;
    int[] in = op.inputs();
    boolean hybrid =
        in.length > 2
            && type(g, in[Lstm.INPUT]) == DType.FLOAT32
            && type(g, in[Lstm.INPUT_WEIGHTS + 1]) == DType.INT8;
    return !hybrid ? 1 : o.asymmetricQuantizeInputs() ? 3 : 2;
  }

  private static DType type(LoweredGraph g, int i) {
    return i >= 0 && i < g.tensors().size() ? g.tensor(i).type() : null;
  }
}
