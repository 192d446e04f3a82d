package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TFLite's error reports reach exceptions formatted by the C reporter: values filled in, no printf
 * placeholders.
 */
@Tag("native")
class TfliteLogTest {
  @BeforeEach
  void requireCReporter() {
    Native.load();
    assumeTrue(
        Native.formatsMessages(), "C reporter unavailable: " + CReporter.unavailableReason());
  }

  static TfliteException failure(Consumer<TinyModels> mutate) {
    return CrashListTest.rejected(mutate);
  }

  static void assertNoPlaceholders(String msg) {
    for (String p : new String[] {"%s", "%d", "%zu", "%i", "%f"}) {
      assertFalse(msg.contains(p), "placeholder " + p + " in: " + msg);
    }
  }

  @Test
  void unsupportedOpVersionNamesOpcodeAndVersion() {
    TfliteException e = failure(m -> m.opVersion = 99);
    assertEquals("TfLiteInterpreterCreate", e.step());
    assertTrue(
        e.getMessage().contains("builtin opcode 'FULLY_CONNECTED' version '99'"), e.getMessage());
    assertNoPlaceholders(e.getMessage());
  }

  @Test
  void kernelTypeCheckNamesTypesFileLineAndNode() {
    TfliteException e =
        failure(
            m ->
                m.tensors.set(
                    3,
                    new TinyModels.T(new int[] {1, 3}, TinyModels.INT32, 0, "y", null, null, 0)));
    assertEquals("TfLiteInterpreterAllocateTensors", e.step());
    String msg = e.getMessage();
    assertTrue(msg.contains("(INT32 != FLOAT32)"), msg);
    assertTrue(msg.matches("(?s).*fully_connected\\.cc:\\d+ .*"), msg);
    assertTrue(
        msg.contains(" tensorflow/lite/kernels/fully_connected.cc:") && !msg.contains("/home/"),
        msg);
    assertTrue(msg.contains("Node number 0 (FULLY_CONNECTED) failed to prepare"), msg);
    assertNoPlaceholders(msg);
  }

  @Test
  void buildMachinePathsAreCutToTheTfliteSourceTree() {
    assertEquals(
        "x tensorflow/lite/kernels/conv.cc:12 bad; tensorflow/lite/core/a.cc:3",
        CReporter.shortenSourcePaths(
            "x /home/runner/build/p/tensorflow/lite/kernels/conv.cc:12 bad; /b/tensorflow/lite/core/a.cc:3"));
    assertEquals(
        "no path here, 3/4 and a/tensorflow/lite/x",
        CReporter.shortenSourcePaths("no path here, 3/4 and a/tensorflow/lite/x"));
  }

  @Test
  void concurrentFailuresKeepTheirOwnMessages() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<?>[] runs = new Future<?>[16];
      for (int i = 0; i < runs.length; i++) {
        int version = 50 + i;
        runs[i] =
            pool.submit(
                (Callable<Void>)
                    () -> {
                      String msg = failure(m -> m.opVersion = version).getMessage();
                      assertTrue(msg.contains("version '" + version + "'"), msg);
                      assertEquals(
                          1,
                          msg.split("version '", -1).length - 1,
                          "one report per interpreter: " + msg);
                      return null;
                    });
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void drainClearsAndClosedLogsAreIgnored() {
    Pointer log = Native.openLog();
    assertEquals("", Native.drainLog(log));
    Native.closeLog(log);
    assertEquals("", Native.drainLog(log), "drain after close must not touch freed memory");
    Native.closeLog(log);
  }
}
