package org.qat4j.cli;

import org.qat4j.core.data.Dataset;
import org.qat4j.tflite.IndexInputs;
import org.qat4j.tflite.SubgraphInfo;

/**
 * Token ids in user data for a .tflite whose input is read as GATHER positions (an int8 Embedding's
 * INT32 input): every value must be a whole number below the table's rows, checked before TFLite or
 * the simulator run, as a usage error naming the option, the sample and the position.
 */
final class TokenIds {
  private TokenIds() {}

  /** Checks every sample of {@code data} against input 0 of {@code g}. */
  static void check(SubgraphInfo g, Dataset data, String option) {
    int limit = IndexInputs.limits(g)[0];
    if (limit < 0) return;
    String name = g.tensor(g.inputs()[0]).name();
    for (int s = 0; s < data.size(); s++) {
      try {
        IndexInputs.fromReal("input '" + name + "' of sample " + s, limit, data.sample(s));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(option + ": " + e.getMessage());
      }
    }
  }
}
