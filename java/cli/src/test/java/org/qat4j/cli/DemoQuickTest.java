package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --quick} end to end on the real Fashion-MNIST and TFLite: every stage is ok (the
 * EdgeTPU pre-flight is pure Java and needs no device), the int8 model agrees with the simulator
 * within 1 LSB, learns far above chance, is about 4× smaller than float, and the report files are
 * written.
 */
@Tag("native")
@Tag("demo")
class DemoQuickTest {
  @TempDir Path tmp;

  @Test
  void quickDemoEndToEnd() throws Exception {
    assumeTrue(
        Args.hasFashionMnist(Args.DEFAULT_DATA),
        "Fashion-MNIST absent (sudo apt-get install dataset-fashion-mnist)");
    Path out = tmp.resolve("demo");
    CliRun r = CliRun.of("demo", "--quick", "--json", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    for (JsonElement e : j.getAsJsonArray("stages")) {
      JsonObject s = e.getAsJsonObject();
      String status = s.get("status").getAsString();
      assertEquals("ok", status, s.toString());
    }
    JsonObject acc = j.getAsJsonObject("accuracy");
    Set<String> models = new HashSet<>(acc.keySet());
    assertEquals(Set.of("float", "PTQ int8", "QAT int8"), models);
    // The issue-15 targets: meaningful quick numbers (BatchNorm statistics re-estimated after the
    // short run).
    assertTrue(acc.get("float").getAsDouble() >= 0.8, "float accuracy " + acc);
    assertTrue(
        acc.get("QAT int8").getAsDouble() >= acc.get("PTQ int8").getAsDouble() - 0.01,
        "QAT below PTQ - 1 pp: " + acc);
    JsonObject v = j.getAsJsonObject("verify");
    assertTrue(v.get("max_lsb_builtin").getAsInt() <= 1, v.toString());
    assertTrue(v.get("bit_exact_fraction_builtin").getAsDouble() > 0.9, v.toString());
    assertTrue(v.get("top1_agreement_fake_quant").getAsDouble() > 0.9, v.toString());
    JsonObject sizes = j.getAsJsonObject("sizes");
    double ratio = sizes.get("QAT int8").getAsDouble() / sizes.get("float").getAsDouble();
    assertTrue(ratio < 0.3, "int8/float size ratio " + ratio);
    assertEquals(4, j.getAsJsonArray("bench").size());
    for (JsonElement e : j.getAsJsonArray("bench")) {
      JsonObject s = e.getAsJsonObject().getAsJsonObject("steady");
      assertTrue(
          s.get("count").getAsInt() >= 50 && s.get("p50_ms").getAsDouble() > 0, s.toString());
    }
    assertEquals(3, j.getAsJsonArray("headline").size());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(
        html.split("<img class=\"plot\"", -1).length - 1 >= 5,
        "report should hold at least 5 plots");
    assertTrue(
        html.contains("id=\"subset-note\"") && html.contains("numbers come from a subset"),
        "quick report must say it is a subset");
    assertEquals(
        JsonParser.parseString(Files.readString(out.resolve("report.json")))
            .getAsJsonObject()
            .get("mode")
            .getAsString(),
        "quick");
    for (String f :
        new String[] {
          "float.tflite", "ptq-int8.tflite", "qat-int8.tflite", "float.q4j", "qat.q4j"
        }) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
  }
}
