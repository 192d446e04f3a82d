package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.cli.CliRun.has;
import static org.qat4j.cli.CliRun.ok;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented {@code --json} fields of every pipeline command, on a tiny real run (256 training
 * images): train → quantize → export float/int8 → ptq → eval → verify → bench → inspect → edgetpu
 * check.
 */
@Tag("native")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliContractTest {
  @TempDir static Path tmp;

  @BeforeAll
  void needsData() {
    CliRun.needsFashionMnist();
  }

  private static String p(String name) {
    return tmp.resolve(name).toString();
  }

  @Test
  @Order(1)
  void train() {
    JsonObject j =
        ok(
            "train",
            "--model",
            "reference-cnn",
            "--epochs",
            "1",
            "--seed",
            "3",
            "--limit",
            "256",
            "--test-limit",
            "200",
            "--schedule",
            "cosine",
            "--out",
            p("f.q4j"),
            "--json",
            "--quiet");
    has(j, "test_accuracy", "train_images_per_second", "epoch_seconds");
    assertEquals("cosine", j.get("schedule").getAsString());
    assertEquals(1, j.getAsJsonArray("epoch_seconds").size());
    double acc = j.get("test_accuracy").getAsDouble();
    assertTrue(acc >= 0 && acc <= 1, j.toString());
    assertTrue(Files.isRegularFile(tmp.resolve("f.q4j")));
  }

  @Test
  @Order(2)
  void quantize() {
    JsonObject j =
        ok(
            "quantize",
            "--in",
            p("f.q4j"),
            "--epochs",
            "1",
            "--limit",
            "128",
            "--test-limit",
            "200",
            "--out",
            p("q.q4j"),
            "--json",
            "--quiet");
    has(j, "test_accuracy_fake_quant");
    assertEquals("constant", j.get("schedule").getAsString());
    assertTrue(QatFiles.isQat(tmp.resolve("q.q4j")));
  }

  private static JsonObject export(String in, String format, String io, String out) {
    return ok("export", "--in", p(in), "--format", format, "--io", io, "--out", p(out), "--json");
  }

  @Test
  @Order(3)
  void exportAndPtq() {
    JsonObject f = export("f.q4j", "float", "float", "f.tflite");
    JsonObject q = export("q.q4j", "int8", "int8", "q.tflite");
    JsonObject u = export("q.q4j", "int8", "uint8", "qu.tflite");
    JsonObject ptq =
        ok(
            "ptq",
            "--in",
            p("f.q4j"),
            "--calibration",
            "64",
            "--out",
            p("ptq.tflite"),
            "--json",
            "--quiet");
    for (JsonObject j : new JsonObject[] {f, q, u, ptq}) {
      has(j, "path", "bytes");
      assertEquals(
          j.get("bytes").getAsLong(),
          tmp.resolve(Path.of(j.get("path").getAsString()).getFileName()).toFile().length());
      assertTrue(Args.isTflite(Path.of(j.get("path").getAsString())));
    }
    assertTrue(
        q.get("bytes").getAsLong() < f.get("bytes").getAsLong() / 3,
        "int8 should be about 4x smaller");
  }

  @Test
  @Order(4)
  void eval() {
    for (String b : new String[] {"builtin", "xnnpack"}) {
      JsonObject j =
          ok(
              "eval",
              "--model",
              p("q.tflite"),
              "--backend",
              b,
              "--limit",
              "200",
              "--json",
              "--quiet");
      has(j, "accuracy", "count", "backend");
      assertEquals(200, j.get("count").getAsInt());
      assertEquals(b, j.get("backend").getAsString());
    }
  }

  @Test
  @Order(5)
  void verify() {
    JsonObject j =
        ok(
            "verify",
            "--model",
            p("q.q4j"),
            "--tflite",
            p("q.tflite"),
            "--limit",
            "100",
            "--json",
            "--quiet");
    has(
        j,
        "bit_exact_fraction_builtin",
        "max_lsb_builtin",
        "bit_exact_fraction_xnnpack",
        "max_lsb_xnnpack",
        "top1_agreement",
        "accuracy_float",
        "accuracy_int8");
    assertTrue(j.get("max_lsb_builtin").getAsInt() <= 1, j.toString());
    assertEquals(0, j.getAsJsonArray("warnings").size(), j.toString());
  }

  /** verify of f.q4j against other.tflite, with {@code flags} and --quiet. */
  private static String[] verifyOther(String... flags) {
    String[] head = {
      "verify", "--model", p("f.q4j"), "--tflite", p("other.tflite"), "--limit", "200"
    };
    String[] all = Arrays.copyOf(head, head.length + flags.length + 1);
    System.arraycopy(flags, 0, all, head.length, flags.length);
    all[all.length - 1] = "--quiet";
    return all;
  }

  /**
   * Same architecture, other weights: structure matches, so the low agreement is what flags the
   * pair.
   */
  @Test
  @Order(10)
  void verifyOfAnUnrelatedExportWarnsAndFailsWhenStrict() {
    ok(
        "export",
        "--in",
        "zoo:reference-cnn",
        "--seed",
        "9",
        "--format",
        "int8",
        "--out",
        p("other.tflite"),
        "--json",
        "--quiet");
    JsonObject j = ok(verifyOther("--json"));
    assertTrue(j.get("top1_agreement").getAsDouble() < VerifyPair.MIN_AGREEMENT, j.toString());
    assertTrue(
        j.getAsJsonArray("warnings").get(0).getAsString().contains("may not come from this model"),
        j.toString());
    CliRun strict = CliRun.of(verifyOther("--strict", "--json"));
    assertEquals(1, strict.code(), strict.toString());
    assertFalse(strict.json().get("ok").getAsBoolean());
    assertTrue(
        strict
            .json()
            .getAsJsonArray("failures")
            .get(0)
            .getAsString()
            .startsWith("--strict: top-1 agreement"),
        strict.toString());
    assertTrue(strict.err().contains("failed: --strict"), strict.toString());
  }

  /**
   * More calibration images than exist: the count reported is the number used (the 60 000 training
   * images).
   */
  @Test
  @Order(11)
  void ptqReportsTheCalibrationImagesActuallyUsed() {
    JsonObject j =
        ok(
            "ptq",
            "--in",
            p("f.q4j"),
            "--calibration",
            "1000000000",
            "--out",
            p("all.tflite"),
            "--json",
            "--quiet");
    assertEquals(60000, j.get("calibration_images").getAsInt(), j.toString());
    assertEquals(1000000000, j.get("calibration_requested").getAsInt(), j.toString());
  }

  @Test
  @Order(6)
  void bench() {
    JsonObject j =
        ok(
            "bench",
            "--model",
            p("q.tflite"),
            "--backend",
            "xnnpack",
            "--threads",
            "1",
            "--runs",
            "20",
            "--warmup",
            "2",
            "--min-secs",
            "0",
            "--json",
            "--quiet");
    has(j, "backend", "threads", "init_ms", "first_ms", "steady", "delegated_ops", "cpu_ops");
    JsonObject s = j.getAsJsonObject("steady");
    for (String k :
        new String[] {
          "count", "avg_ms", "std_ms", "min_ms", "max_ms", "p50_ms", "p90_ms", "p99_ms"
        }) has(s, k);
    assertTrue(s.get("count").getAsInt() >= 20);
    assertTrue(
        s.get("min_ms").getAsDouble() <= s.get("p50_ms").getAsDouble()
            && s.get("p50_ms").getAsDouble() <= s.get("max_ms").getAsDouble());
    assertTrue(
        j.get("delegated_ops").getAsInt() > 0,
        "XNNPACK should take the int8 ops: " + j.get("coverage"));
  }

  @Test
  @Order(7)
  void inspect() {
    JsonObject j = ok("inspect", p("q.tflite"), "--json");
    has(j, "bytes", "subgraphs", "operators", "tensors");
    for (JsonElement e : j.getAsJsonArray("operators"))
      has(e.getAsJsonObject(), "index", "op", "version");
    boolean quantized = false;
    for (JsonElement e : j.getAsJsonArray("tensors")) {
      JsonObject t = e.getAsJsonObject();
      for (String k :
          new String[] {"name", "type", "shape", "scale", "zero_point", "quantized_dimension"})
        assertTrue(t.has(k), k + " in " + t);
      quantized |= t.get("type").getAsString().equals("INT8") && !t.get("scale").isJsonNull();
    }
    assertTrue(quantized);
  }

  @Test
  @Order(8)
  void edgetpuCheck() {
    JsonObject j = ok("edgetpu", "check", p("q.tflite"), "--json");
    has(j, "total_ops", "edgetpu_ops", "cpu_ops", "operators");
    assertEquals(
        j.get("total_ops").getAsInt(),
        j.get("edgetpu_ops").getAsInt() + j.get("cpu_ops").getAsInt());
    for (JsonElement e : j.getAsJsonArray("operators"))
      has(e.getAsJsonObject(), "index", "op", "status", "reason");
  }

  @Test
  @Order(9)
  void floatModelGivenToCheckOrVerifyIsRejectedClearly() {
    CliRun r =
        CliRun.of("verify", "--model", p("q.tflite"), "--tflite", p("q.tflite"), "--limit", "10");
    assertEquals(2, r.code(), r.toString());
    assertFalse(r.err().isBlank());
    CliRun q = CliRun.of("ptq", "--in", p("q.tflite"), "--out", p("y.tflite"));
    assertEquals(2, q.code(), q.toString());
    assertTrue(q.err().contains("already quantized"), q.toString());
    CliRun e =
        CliRun.of("export", "--in", p("q.tflite"), "--format", "int8", "--out", p("x.tflite"));
    assertEquals(2, e.code(), e.toString());
    assertTrue(e.err().contains("is a .tflite file"), e.toString());
  }
}
