package org.qat4j.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.qat4j.tflite.IndexInputs;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.QuantizationInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * Java-side validation of untrusted .tflite bytes before anything reaches native code. {@link
 * TfliteReader} does the tflite-format.md §4 checklist (structure, indices, shapes, tensor bytes,
 * quantization); on top of it the runtime is stricter in two places: every quantization scale must
 * be finite and positive whatever the tensor type, and no operator or subgraph output may be a
 * constant tensor or go unproduced, variable tensors included.
 */
final class ModelCheck {
  /** Upper bound of the summed static tensor bytes (guards against 16 GiB "valid" allocations). */
  static final long MAX_TENSOR_BYTES = 1L << 31;

  private ModelCheck() {}

  /**
   * Validates the bytes; throws {@link TfliteException} (step "model check") naming the first
   * problem.
   */
  static ModelSummary check(byte[] bytes) {
    TfliteModelInfo info;
    try {
      info = TfliteReader.read(bytes, MAX_TENSOR_BYTES);
    } catch (ModelFormatException e) {
      throw new TfliteException("model check", e.getMessage(), e);
    }
    for (SubgraphInfo s : info.subgraphs()) {
      checkSubgraph(s, "subgraph " + s.index());
    }
    return summary(info.subgraph(0));
  }

  private static ModelSummary summary(SubgraphInfo s) {
    List<String> opNames = new ArrayList<>();
    for (OperatorInfo op : s.operators()) {
      opNames.add(op.opName());
    }
    return new ModelSummary(s.tensors().size(), opNames, IndexInputs.limits(s));
  }

  private static void checkSubgraph(SubgraphInfo s, String where) {
    List<TensorInfo> tensors = s.tensors();
    for (TensorInfo t : tensors) {
      checkScales(t, where + " tensor " + t.index());
    }
    Set<Integer> produced = new HashSet<>();
    for (int in : s.inputs()) {
      produced.add(in);
    }
    for (OperatorInfo op : s.operators()) {
      for (int out : op.outputs()) {
        if (tensors.get(out).constant()) {
          throw fail(
              where
                  + " operator "
                  + op.index()
                  + " writes tensor "
                  + out
                  + " which holds constant data");
        }
        produced.add(out);
      }
    }
    for (int out : s.outputs()) {
      if (tensors.get(out).constant()) {
        throw fail(
            where
                + " output tensor "
                + out
                + " is a constant buffer (TFLite would overwrite model data)");
      }
      if (!produced.contains(out)) {
        throw fail(where + " output tensor " + out + " is produced by no operator");
      }
    }
  }

  /**
   * The reader checks scales only of int8/uint8/int16 tensors; the runtime rejects a bad scale on
   * any tensor.
   */
  private static void checkScales(TensorInfo t, String where) {
    QuantizationInfo q = t.quantization();
    float[] scales = q == null ? new float[0] : q.scales();
    for (int i = 0; i < scales.length; i++) {
      if (!(scales[i] > 0) || Float.isInfinite(scales[i])) {
        throw fail(
            where + ": quantization scale[" + i + "] = " + scales[i] + " must be finite and > 0");
      }
    }
  }

  private static TfliteException fail(String msg) {
    return new TfliteException("model check", msg);
  }
}
