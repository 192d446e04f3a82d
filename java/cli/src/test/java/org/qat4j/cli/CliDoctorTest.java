package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code doctor --json} carries the documented fields and probes the real TFLite library. */
@Tag("native")
class CliDoctorTest {
  @Test
  void doctorJsonHasContractFields() {
    CliRun r = CliRun.of("doctor", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(System.getProperty("java.version"), j.get("java").getAsString());
    assertTrue(j.get("tflite_version").getAsString().matches("\\d+\\.\\d+\\.\\d+.*"), r.out());
    Set<String> names = new HashSet<>();
    for (JsonElement e : j.getAsJsonArray("backends")) {
      JsonObject b = e.getAsJsonObject();
      names.add(b.get("name").getAsString());
      boolean available = b.get("available").getAsBoolean();
      if (!available) assertFalse(b.get("reason").getAsString().isBlank(), b.toString());
    }
    assertEquals(Set.of("builtin", "xnnpack", "nnapi", "edgetpu"), names);
    assertTrue(j.getAsJsonObject("gemm").has("name"));
    assertTrue(j.getAsJsonObject("gemm").get("threads").getAsInt() >= 1);
    assertTrue(j.getAsJsonObject("edgetpu").has("found"));
    assertTrue(j.getAsJsonArray("datasets").size() >= 1);
  }

  @Test
  void doctorHumanOutputGoesToStdout() {
    CliRun r = CliRun.of("doctor");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("tflite") && r.out().contains("backend builtin"), r.toString());
  }
}
