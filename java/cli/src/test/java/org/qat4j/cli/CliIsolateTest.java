package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import java.lang.reflect.Field;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --isolate} and {@code bench --isolate}: the same results as in process, and a
 * native crash in TFLite (provoked on demand by the runtime's child-only test hook, armed here
 * through reflection) is an exit 1 naming the signal while this JVM goes on.
 */
@Tag("native")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIsolateTest {
  @TempDir static Path tmp;

  @BeforeAll
  void trainAndQuantize() {
    assumeTrue(
        Args.hasFashionMnist(Args.DEFAULT_DATA),
        "Fashion-MNIST absent (sudo apt-get install dataset-fashion-mnist)");
    CliRun t =
        CliRun.of(
            "train",
            "--model",
            "reference-cnn",
            "--epochs",
            "1",
            "--limit",
            "256",
            "--test-limit",
            "50",
            "--out",
            p("f.q4j"),
            "--quiet");
    assertEquals(0, t.code(), t.toString());
    CliRun q = CliRun.of("ptq", "--in", p("f.q4j"), "--out", p("q.tflite"), "--quiet");
    assertEquals(0, q.code(), q.toString());
  }

  @AfterEach
  void disarm() throws ReflectiveOperationException {
    crashHook(null);
  }

  private static String p(String name) {
    return tmp.resolve(name).toString();
  }

  /** Sets the runtime's test-only crash hook ({@code ChildProcess.testCrash}, child JVMs only). */
  private static void crashHook(String stageAndSignal) throws ReflectiveOperationException {
    Field f = Class.forName("org.qat4j.runtime.ChildProcess").getDeclaredField("testCrash");
    f.setAccessible(true);
    f.set(null, stageAndSignal);
  }

  private static CliRun verify(boolean isolate) {
    return isolate
        ? CliRun.of(
            "verify",
            "--model",
            p("f.q4j"),
            "--tflite",
            p("q.tflite"),
            "--limit",
            "40",
            "--isolate",
            "--json",
            "--quiet")
        : CliRun.of(
            "verify",
            "--model",
            p("f.q4j"),
            "--tflite",
            p("q.tflite"),
            "--limit",
            "40",
            "--json",
            "--quiet");
  }

  private static CliRun bench(boolean isolate) {
    return isolate
        ? CliRun.of(
            "bench",
            "--model",
            p("q.tflite"),
            "--runs",
            "3",
            "--warmup",
            "0",
            "--min-secs",
            "0",
            "--isolate",
            "--json",
            "--quiet")
        : CliRun.of(
            "bench",
            "--model",
            p("q.tflite"),
            "--runs",
            "3",
            "--warmup",
            "0",
            "--min-secs",
            "0",
            "--json",
            "--quiet");
  }

  private static void assertCrashReported(CliRun r) {
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("SIGSEGV") && r.err().contains("invoke"), r.toString());
  }

  @Test
  void verifyIsolatedGivesTheSameFiguresAndSurvivesACrash() throws ReflectiveOperationException {
    CliRun in = verify(false), out = verify(true);
    assertEquals(0, in.code(), in.toString());
    assertEquals(0, out.code(), out.toString());
    JsonObject a = in.json(), b = out.json();
    for (String k :
        new String[] {
          "bit_exact_fraction_builtin", "max_lsb_builtin", "bit_exact_fraction_xnnpack",
          "max_lsb_xnnpack", "accuracy_int8", "count"
        }) {
      assertEquals(a.get(k), b.get(k), k + ": in process vs isolated");
    }
    crashHook("invoke:segv");
    assertEquals(0, verify(false).code(), "the hook acts in a child JVM only");
    assertCrashReported(verify(true));
  }

  @Test
  void benchIsolatedRunsAndSurvivesACrash() throws ReflectiveOperationException {
    CliRun ok = bench(true);
    assertEquals(0, ok.code(), ok.toString());
    assertTrue(ok.json().getAsJsonObject("steady").get("count").getAsInt() >= 3, ok.toString());
    crashHook("invoke:segv");
    assertEquals(0, bench(false).code(), "the hook acts in a child JVM only");
    assertCrashReported(bench(true));
  }
}
