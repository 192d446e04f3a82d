package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  /** One verdict per capability, matching the probes: "ok" or "unavailable because …". */
  @Test
  void doctorEndsWithOneVerdictPerCapability() {
    JsonObject j = CliRun.of("doctor", "--json").json();
    List<String> caps = new ArrayList<>();
    for (JsonElement e : j.getAsJsonArray("verdicts")) {
      JsonObject v = e.getAsJsonObject();
      caps.add(v.get("capability").getAsString());
      if (!v.get("ok").getAsBoolean()) assertFalse(v.get("reason").getAsString().isBlank());
    }
    assertEquals(
        List.of(
            "training",
            "tflite",
            "backend builtin",
            "backend xnnpack",
            "backend nnapi",
            "backend edgetpu",
            "fashion-mnist"),
        caps);
    for (JsonElement e : j.getAsJsonArray("backends")) {
      JsonObject b = e.getAsJsonObject();
      JsonObject v =
          j.getAsJsonArray("verdicts")
              .get(2 + names(j).indexOf(b.get("name").getAsString()))
              .getAsJsonObject();
      assertEquals(b.get("available").getAsBoolean(), v.get("ok").getAsBoolean(), v.toString());
    }
    List<String> lines = CliRun.of("doctor").out().lines().toList();
    List<String> verdicts = lines.subList(lines.size() - caps.size(), lines.size());
    for (int i = 0; i < caps.size(); i++) {
      String l = verdicts.get(i);
      assertTrue(l.startsWith(caps.get(i) + " "), l);
      assertTrue(l.endsWith(" ok") || l.contains(" unavailable because "), l);
    }
    assertTrue(lines.stream().noneMatch(l -> l.contains("shared-models") && l.contains("absent")));
  }

  private static List<String> names(JsonObject j) {
    List<String> n = new ArrayList<>();
    for (JsonElement e : j.getAsJsonArray("backends"))
      n.add(e.getAsJsonObject().get("name").getAsString());
    return n;
  }
}
