package org.qat4j.tflite.edgetpu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.qat4j.ir.DType;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.edgetpu.OpRules.Verdict;

/**
 * Predicts, without the compiler, what edgetpu_compiler 16 does with a .tflite model (subgraph 0):
 * per operator mapped or not and why, with the single cut after the first unmapped operator. For an
 * already compiled model (one holding {@code edgetpu-custom-op}) it describes the segments and the
 * CPU operators instead. Pure Java; the model is only read.
 */
public final class EdgeTpuPreflight {
  /** The custom code of the operator that carries a compiled Edge TPU segment. */
  public static final String CUSTOM_OP = "edgetpu-custom-op";

  private EdgeTpuPreflight() {}

  /**
   * The prediction (or, for a compiled model, the content report) for a model read by {@code
   * TfliteReader}.
   */
  public static PreflightReport check(TfliteModelInfo model) {
    if (model == null) throw new IllegalArgumentException("model must not be null");
    SubgraphInfo sg = model.subgraph(0);
    List<String> warnings = new ArrayList<>();
    if (model.subgraphs().size() > 1) {
      warnings.add(
          "model has " + model.subgraphs().size() + " subgraphs; only subgraph 0 is checked");
    }
    ioWarnings(sg, warnings);
    for (OperatorInfo op : sg.operators()) {
      if (CUSTOM_OP.equals(op.customCode())) return compiled(model, sg, warnings);
    }
    return predict(model, sg, warnings);
  }

  private static PreflightReport predict(
      TfliteModelInfo model, SubgraphInfo sg, List<String> warnings) {
    OpRules rules = new OpRules(model, sg);
    Set<Integer> graphInputs = new HashSet<>();
    for (int i : sg.inputs()) graphInputs.add(i);
    List<PreflightReport.OperatorResult> out = new ArrayList<>();
    OperatorInfo cut = null;
    for (OperatorInfo op : sg.operators()) {
      Verdict v = rules.judge(op);
      if (cut != null) {
        String after = "after the cut at op " + cut.index() + " (" + cut.opName() + ")";
        out.add(
            v.mapped()
                ? result(op, Status.AFTER_CUT, after)
                : result(op, v.status(), v.reason() + "; " + after));
        continue;
      }
      if (!v.mapped() && inputEdgeQuantize(op, sg, graphInputs)) {
        out.add(
            result(
                op,
                v.status(),
                v.reason()
                    + "; float-input QUANTIZE stays on the CPU before the Edge TPU"
                    + " segment and does not cut the graph"));
        continue;
      }
      if (!v.mapped()) cut = op;
      out.add(result(op, v.status(), v.reason()));
    }
    if (cut != null && cut.index() < sg.operators().size() - 1) {
      warnings.add(
          "op "
              + cut.index()
              + " ("
              + cut.opName()
              + ") is not mapped: it and every later operator run on the CPU");
    }
    return new PreflightReport(false, model.description(), out, warnings, List.of());
  }

  /**
   * A QUANTIZE reading a float graph input: the compiler leaves it on the CPU without cutting (see
   * EDGETPU-PREFLIGHT.md).
   */
  private static boolean inputEdgeQuantize(
      OperatorInfo op, SubgraphInfo sg, Set<Integer> graphInputs) {
    int[] in = op.inputs();
    return op.opName().equals("QUANTIZE")
        && in.length == 1
        && graphInputs.contains(in[0])
        && sg.tensor(in[0]).dtype() == DType.FLOAT32;
  }

  private static PreflightReport compiled(
      TfliteModelInfo model, SubgraphInfo sg, List<String> warnings) {
    List<PreflightReport.OperatorResult> out = new ArrayList<>();
    List<PreflightReport.Segment> segments = new ArrayList<>();
    for (OperatorInfo op : sg.operators()) {
      if (CUSTOM_OP.equals(op.customCode())) {
        segments.add(new PreflightReport.Segment(op.index(), op.customOptionsSize()));
        out.add(
            result(
                op,
                Status.COMPILED_SEGMENT,
                "compiled payload " + op.customOptionsSize() + " bytes of custom_options"));
      } else {
        out.add(result(op, Status.COMPILED_CPU, "not part of any Edge TPU segment"));
      }
    }
    warnings.add(
        "on-chip/off-chip parameter memory is not recorded in a readable form in the compiled model"
            + " (it is printed only in the compiler's log)");
    return new PreflightReport(true, model.description(), out, warnings, segments);
  }

  private static void ioWarnings(SubgraphInfo sg, List<String> warnings) {
    for (int i : sg.inputs()) ioWarning(sg.tensor(i), "input", warnings);
    for (int o : sg.outputs()) ioWarning(sg.tensor(o), "output", warnings);
  }

  private static void ioWarning(TensorInfo t, String what, List<String> warnings) {
    if (t.dtype() == DType.INT8 || t.dtype() == DType.UINT8) return;
    warnings.add(
        "Model not quantized at its "
            + what
            + ": "
            + what
            + " "
            + OpRules.describe(t)
            + " is "
            + t.typeName()
            + "; export int8/uint8 model I/O so no QUANTIZE/DEQUANTIZE runs on the CPU");
  }

  private static PreflightReport.OperatorResult result(
      OperatorInfo op, String status, String reason) {
    return new PreflightReport.OperatorResult(
        op.index(), op.opName(), op.version(), status, reason);
  }
}
