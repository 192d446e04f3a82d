package org.qat4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code --loss-weights}: the weight of each output's loss in multi-output training, either by name
 * ({@code class=1,group=0.5}; an output left out weighs 0, so {@code class=1} trains on that output
 * alone) or by position ({@code 1,0.5}, one per output in the model's order).
 */
final class LossWeights {
  private static final String OPT = "--loss-weights";

  private LossWeights() {}

  /** Weights for {@code outputs} (in order); {@code text} null gives 1 for every output. */
  static double[] parse(String text, List<String> outputs) {
    double[] w = new double[outputs.size()];
    if (text == null) {
      Arrays.fill(w, 1.0);
      return w;
    }
    String[] parts = text.split(",", -1);
    long named = Arrays.stream(parts).filter(t -> t.contains("=")).count();
    if (named == 0) positional(parts, outputs, w);
    else if (named == parts.length) byName(parts, outputs, w);
    else
      throw CliException.usage(
          OPT
              + ": give every weight as NAME=W or none (W,W,… in output order), got '"
              + text
              + "'");
    if (Arrays.stream(w).sum() == 0)
      throw CliException.usage(OPT + ": every weight is 0; at least one output must be trained");
    return w;
  }

  private static void positional(String[] parts, List<String> outputs, double[] w) {
    if (parts.length != outputs.size())
      throw CliException.usage(
          OPT
              + ": "
              + parts.length
              + " weight(s) for "
              + outputs.size()
              + " outputs "
              + outputs
              + "; give one per output or NAME=W pairs");
    for (int i = 0; i < parts.length; i++) w[i] = number(parts[i], outputs.get(i));
  }

  private static void byName(String[] parts, List<String> outputs, double[] w) {
    List<String> seen = new ArrayList<>();
    for (String part : parts) {
      int eq = part.indexOf('=');
      String name = part.substring(0, eq).trim();
      int o = outputs.indexOf(name);
      if (o < 0)
        throw CliException.usage(
            OPT + ": the model has no output '" + name + "'; its outputs are " + outputs);
      if (seen.contains(name))
        throw CliException.usage(OPT + ": output '" + name + "' is given twice");
      seen.add(name);
      w[o] = number(part.substring(eq + 1), name);
    }
  }

  private static double number(String text, String output) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw CliException.usage(
          OPT + ": weight of output '" + output + "' is not a number: '" + text.trim() + "'");
    }
    if (!Double.isFinite(v) || v < 0)
      throw CliException.usage(
          String.format(
              Locale.ROOT,
              "%s: weight of output '%s' must be a finite number >= 0, got %s",
              OPT,
              output,
              text.trim()));
    return v;
  }
}
