package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Human output: aligned columns, rounded numbers, fractions as percentages. */
class HumanOutputTest {
  private static List<String> render(Consumer<PrintWriter> f) {
    StringWriter w = new StringWriter();
    try (PrintWriter p = new PrintWriter(w)) {
      f.accept(p);
    }
    return w.toString().lines().toList();
  }

  @Test
  void trainingResultIsAnEpochTableAndRoundedFields() {
    JsonObject r =
        JsonParser.parseString(
                "{\"ok\":true,\"command\":\"train\",\"epoch_seconds\":[12.345,10.01],"
                    + "\"train_loss\":[0.51234567,0.31],\"train_accuracy\":[0.8123456,0.9],"
                    + "\"val_accuracy\":[0.85,1.0],\"val_loss\":[0.4,0.3],"
                    + "\"test_accuracy\":0.91444,\"train_images_per_second\":2406.777,"
                    + "\"test_count\":10000,\"path\":\"cnn.q4j\",\"curve\":{}}")
            .getAsJsonObject();
    List<String> l = render(out -> Human.training(r, out));
    assertEquals("epoch  train loss  train acc   val acc  seconds", l.get(0));
    assertEquals("    1      0.5123    81.23 %   85.00 %     12.3", l.get(1));
    assertEquals("    2      0.3100    90.00 %  100.00 %     10.0", l.get(2));
    assertTrue(l.contains("test_accuracy            91.44 %"), String.join("\n", l));
    assertTrue(l.contains("train_images_per_second  2,406.8"), String.join("\n", l));
    assertTrue(l.contains("test_count               10,000"), String.join("\n", l));
    assertTrue(l.contains("path                     cnn.q4j"), String.join("\n", l));
    assertTrue(l.stream().noneMatch(s -> s.startsWith("ok") || s.startsWith("curve")));
  }

  @Test
  void valuesAreRoundedByKind() {
    assertEquals("91.44 %", Table.value("top1_agreement", JsonParser.parseString("0.914444")));
    assertEquals("100.00 %", Table.value("accuracy", JsonParser.parseString("1")));
    assertEquals("0.0123", Table.value("test_loss", JsonParser.parseString("0.0123456")));
    assertEquals("1,234,567", Table.value("bytes", JsonParser.parseString("1234567")));
    assertEquals("2,406.8", Table.value("images_per_second", JsonParser.parseString("2406.777")));
    assertEquals("123,457", Table.value("x", JsonParser.parseString("123456.78")));
    assertEquals("[1,2]", Table.value("x", JsonParser.parseString("[1,2]")));
    assertEquals("-", Table.value("accuracy", JsonParser.parseString("null")));
  }

  /**
   * A real short run: the table has a row per epoch with a validation accuracy; -q keeps stderr
   * empty.
   */
  @Test
  void trainPrintsAnEpochTableWithValidationAccuracy() {
    assumeTrue(Args.hasFashionMnist(Args.DEFAULT_DATA), "Fashion-MNIST not installed");
    String[] args = {
      "train",
      "--model",
      "reference-cnn",
      "--epochs",
      "2",
      "--limit",
      "128",
      "--test-limit",
      "100",
      "-q"
    };
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r::toString);
    assertEquals("", r.err(), "-q: nothing on stderr");
    List<String> l = r.out().lines().toList();
    assertTrue(l.get(0).matches("epoch  train loss  train acc +val acc  seconds"), l.get(0));
    for (int e = 1; e <= 2; e++)
      assertTrue(
          l.get(e).matches(" +" + e + " +\\d\\.\\d{4} +\\d+\\.\\d\\d % +\\d+\\.\\d\\d % +[\\d.,]+"),
          l.get(e));
    assertTrue(l.stream().anyMatch(s -> s.matches("test_accuracy +\\d+\\.\\d\\d %")), r::toString);
    JsonObject j = CliRun.of(append(args, "--json")).json();
    assertEquals(2, j.getAsJsonArray("val_accuracy").size());
    assertEquals(2, j.getAsJsonArray("val_loss").size());
  }

  private static String[] append(String[] a, String x) {
    String[] b = Arrays.copyOf(a, a.length + 1);
    b[a.length] = x;
    return b;
  }
}
