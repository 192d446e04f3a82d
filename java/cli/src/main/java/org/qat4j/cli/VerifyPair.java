package org.qat4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.qat4j.core.Model;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Does a .tflite belong to the model it is verified against? The weighted operators (convolution,
 * depthwise, fully connected) and their filter shapes survive lowering unchanged (BatchNorm folds
 * into the filter values, not their shapes), so the model's own float lowering must show the same
 * multiset as the .tflite; a low top-1 agreement is a second, softer sign.
 */
final class VerifyPair {
  /**
   * A deployed int8 model from the same weights agrees with them on far more than this (0.99+
   * measured).
   */
  static final double MIN_AGREEMENT = 0.9;

  private static final Set<String> WEIGHTED =
      Set.of("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED");

  private VerifyPair() {}

  /** Exit 2 when the weighted operators of {@code tflite} differ from {@code model}'s lowering. */
  static void check(Model model, String modelRef, TfliteModelInfo tflite, Path tflitePath) {
    List<String> want;
    try {
      want = weighted(TfliteReader.read(TfliteWriter.write(FloatLowering.lower(model))));
    } catch (RuntimeException e) {
      return; // a model the float lowering does not cover: only the agreement check applies
    }
    List<String> got = weighted(tflite);
    if (!want.equals(got)) {
      throw CliException.usage(
          "--tflite: "
              + tflitePath
              + " does not come from --model "
              + modelRef
              + ": the model has "
              + want.size()
              + " weighted operator(s) "
              + want
              + ", the .tflite "
              + got.size()
              + " "
              + got);
    }
  }

  /** "OP[filter shape]" of every weighted operator of the first subgraph, sorted. */
  static List<String> weighted(TfliteModelInfo info) {
    List<String> l = new ArrayList<>();
    SubgraphInfo sg = info.subgraph(0);
    for (OperatorInfo op : sg.operators()) {
      if (WEIGHTED.contains(op.opName()) && op.inputs().length > 1 && op.inputs()[1] >= 0) {
        l.add(op.opName() + Arrays.toString(sg.tensor(op.inputs()[1]).shape()));
      }
    }
    Collections.sort(l);
    return l;
  }

  /** The warning for a top-1 agreement below {@link #MIN_AGREEMENT}, or null. */
  static String agreementWarning(double agreement, String modelRef, Path tflite) {
    if (!(agreement < MIN_AGREEMENT)) return null;
    return String.format(
        java.util.Locale.ROOT,
        "top-1 agreement between %s and %s is only %.3f (expected > %.2f): "
            + "the .tflite may not come from this model, or quantization broke it",
        modelRef,
        tflite,
        agreement,
        MIN_AGREEMENT);
  }
}
