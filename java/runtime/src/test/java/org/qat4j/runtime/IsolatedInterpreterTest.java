package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crash isolation: TFLite in a child JVM. Native crashes are provoked on demand by the child
 * runner's test-only hook (a native write to an unmapped address, or SIGABRT), since the real
 * crashing model stays out of the repository.
 */
@Tag("native")
class IsolatedInterpreterTest {
  /** Accumulators without .5 ties, so TFLite equals the Java reference (see InterpreterTest). */
  private static final byte[] X = {3, -5, 9, 0};

  private static final Interpreter.Options ISOLATED =
      Interpreter.Options.builder().isolated(true).build();

  @AfterEach
  void noCrashHook() {
    ChildProcess.testCrash = null;
  }

  private static long childPid(Interpreter it) {
    return ((ChildEngine) it.engine()).pid();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void nativeCrashDuringInvokeIsAnExceptionNamingSignalAndStageAndTheJvmGoesOn() {
    ChildProcess.testCrash = "invoke:segv";
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m, ISOLATED)) {
      long pid = childPid(it);
      it.input(0).write(new byte[] {1, 2, 3, 4});
      TfliteException e = assertThrows(TfliteException.class, it::invoke);
      assertEquals("isolated invoke", e.step());
      assertTrue(
          e.getMessage().contains("SIGSEGV") && e.getMessage().contains("during invoke"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("Problematic frame"),
          "JVM report header kept: " + e.getMessage());
      assertFalse(alive(pid), "crashed child reaped");
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> it.output(0).readBytes());
      assertTrue(
          refused.getMessage().contains("SIGSEGV")
              && refused.getMessage().contains("during invoke"),
          refused.getMessage());
      assertThrows(IllegalStateException.class, it::invoke);
    }
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m)) {
      it.input(0).write(X);
      it.invoke();
      assertArrayEquals(TinyModels.int8FcReference(X), it.output(0).readBytes(), "parent goes on");
    }
  }

  @Test
  void abortWhileDeletingIsReportedByClose() {
    ChildProcess.testCrash = "delete:abort";
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build())) {
      Interpreter it = Interpreter.create(m, ISOLATED);
      long pid = childPid(it);
      it.input(0).write(X);
      it.invoke();
      assertArrayEquals(TinyModels.int8FcReference(X), it.output(0).readBytes());
      TfliteException e = assertThrows(TfliteException.class, it::close);
      assertEquals("isolated delete", e.step());
      assertTrue(e.getMessage().contains("SIGABRT (exit code 134)"), e.getMessage());
      assertFalse(alive(pid));
      it.close();
      assertThrows(IllegalStateException.class, it::inputCount);
    }
  }

  @Test
  void crashWhileLoadingFailsCreate() {
    ChildProcess.testCrash = "load:segv";
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build())) {
      TfliteException e =
          assertThrows(TfliteException.class, () -> Interpreter.create(m, ISOLATED));
      assertEquals("isolated load", e.step());
      assertTrue(e.getMessage().contains("SIGSEGV"), e.getMessage());
    }
  }

  @Test
  void sameViewsChecksAndErrorsAsInProcess() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter local = Interpreter.create(m);
        Interpreter iso =
            Interpreter.create(
                m, Interpreter.Options.builder().isolated(true).checkInputs(true).build())) {
      long pid = childPid(iso);
      assertEquals(local.inputCount(), iso.inputCount());
      assertEquals(local.input(0).toString(), iso.input("x").toString());
      for (int t = 0; t < m.tensorCount(); t++) {
        assertEquals(local.tensor(t).toString(), iso.tensor(t).toString());
      }
      String want =
          assertThrows(IllegalArgumentException.class, () -> local.input(0).write(new float[5]))
              .getMessage();
      assertEquals(
          want,
          assertThrows(IllegalArgumentException.class, () -> iso.input(0).write(new float[5]))
              .getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> iso.input(0).write(new float[] {0, Float.NaN, 0, 0}));
      assertThrows(IllegalArgumentException.class, () -> iso.input(0).write(new byte[16]));
      assertThrows(IllegalStateException.class, () -> iso.output(0).write(new float[3]));
      assertThrows(IndexOutOfBoundsException.class, () -> iso.input(1));
      float[] x = {1, -2, 3.5f, 0.25f};
      local.input(0).write(x);
      iso.input(0).write(x);
      local.invoke();
      iso.invoke();
      assertArrayEquals(local.output(0).readFloats(), iso.output(0).readFloats());
      iso.resizeInput(0, 2, 4);
      local.resizeInput(0, 2, 4);
      assertArrayEquals(new int[] {2, 4}, iso.input(0).shape());
      float[] x2 = {1, 2, 3, 4, -1, -2, -3, -4};
      local.input(0).write(x2);
      iso.input(0).write(x2);
      local.invoke();
      iso.invoke();
      assertArrayEquals(local.output(0).readBuffer().array(), iso.output(0).readBuffer().array());
      iso.close();
      assertFalse(alive(pid), "child ends on close()");
      assertThrows(IllegalStateException.class, iso::invoke);
    }
  }

  @Test
  void mobileNetOutputsAreByteIdenticalToInProcess() throws Exception {
    byte[] pixels = SharedModels.catPixels(128);
    OpProfile profile = new OpProfile();
    DelegateCoverage.Latest coverage = new DelegateCoverage.Latest();
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(RealModelTest.MODEL));
        Interpreter local =
            Interpreter.create(m, Interpreter.Options.builder().threads(1).build());
        Interpreter iso =
            Interpreter.create(
                m,
                Interpreter.Options.builder()
                    .threads(1)
                    .isolated(true)
                    .listener(profile)
                    .listener(coverage)
                    .build())) {
      assertEquals("BUILTIN: 31/31 ops on TFLite CPU kernels", coverage.get().summary());
      for (int round = 0; round < 2; round++) {
        local.input(0).write(pixels);
        iso.input(0).write(pixels);
        local.invoke();
        iso.invoke();
        assertArrayEquals(local.output(0).readBytes(), iso.output(0).readBytes());
      }
      assertFalse(profile.table().isEmpty(), "operator timings cross the pipe");
    }
  }

  @Test
  void childEndsWhenTheParentJvmDiesWithoutClosing() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process parent =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dqat4j.sharedModels=" + SharedModels.dir(),
                IsolatedParent.class.getName())
            .redirectErrorStream(true)
            .start();
    long child;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> lines = r.lines().toList();
      String pidLine =
          lines.stream()
              .filter(l -> l.startsWith("child "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("parent printed no child pid: " + lines));
      child = Long.parseLong(pidLine.substring(6).trim());
    }
    assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
    assertEquals(3, parent.exitValue(), "parent halted without close or shutdown hooks");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (alive(child) && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    assertFalse(alive(child), "child " + child + " outlived its parent");
  }

  /**
   * A parent JVM that opens an isolated interpreter, prints the child's pid and halts (no hooks, no
   * close).
   */
  static final class IsolatedParent {
    public static void main(String[] args) {
      TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
      Interpreter it = Interpreter.create(m, ISOLATED);
      it.invoke();
      System.out.println("child " + childPid(it));
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }
  }
}
