package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.util.List;
import org.qat4j.ir.DType;

/**
 * Element-wise agreement of one model output between two executors over every sample: identical
 * elements and the largest difference in output quantization steps ("LSB").
 */
final class OutputTally {
  private final DType type;
  private final double lsb;
  private long elements;
  private long exact;
  private long maxLsb;

  /**
   * {@code lsb}: the real size of one step for float outputs that a DEQUANTIZE produces, NaN for
   * other float outputs (any difference counts as 1 step); stored numbers of integer outputs are
   * compared in their own steps.
   */
  OutputTally(DType type, double lsb) {
    this.type = type;
    this.lsb = lsb;
  }

  void add(Object a, Object b) {
    double[] x = TensorIo.numbers(a, type), y = TensorIo.numbers(b, type);
    if (x.length != y.length)
      throw CliException.failed("output sizes differ: " + x.length + " vs " + y.length);
    for (int i = 0; i < x.length; i++) {
      double d = Math.abs(x[i] - y[i]);
      long steps;
      if (d == 0) steps = 0;
      else if (type != DType.FLOAT32) steps = (long) d;
      else steps = Double.isNaN(lsb) ? 1 : Math.max(1, Math.round(d / lsb));
      if (steps == 0) exact++;
      maxLsb = Math.max(maxLsb, steps);
    }
    elements += x.length;
  }

  long elements() {
    return elements;
  }

  long exact() {
    return exact;
  }

  long maxLsb() {
    return maxLsb;
  }

  double exactFraction() {
    return elements == 0 ? 1.0 : exact / (double) elements;
  }

  /**
   * Totals over outputs into {@code r} as {@code bit_exact_fraction_<suffix>}, {@code
   * max_lsb_<suffix>}.
   */
  static void total(List<OutputTally> l, String suffix, JsonObject r) {
    long n = 0, e = 0, m = 0;
    for (OutputTally t : l) {
      n += t.elements;
      e += t.exact;
      m = Math.max(m, t.maxLsb);
    }
    r.addProperty("bit_exact_fraction_" + suffix, n == 0 ? 1.0 : e / (double) n);
    r.addProperty("max_lsb_" + suffix, m);
  }

  void into(JsonObject r, String suffix) {
    r.addProperty("bit_exact_fraction_" + suffix, exactFraction());
    r.addProperty("max_lsb_" + suffix, maxLsb);
  }
}
