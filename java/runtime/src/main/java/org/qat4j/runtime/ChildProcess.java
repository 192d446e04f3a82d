package org.qat4j.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The child JVM of an isolated interpreter: same java executable and class path, {@link
 * IsolatedChild} as main class, talking {@link Wire} frames over its stdin/stdout. Its stderr
 * (TFLite's log, the JVM's fatal error report) is kept, bounded, for crash messages. Children end
 * when closed, when this JVM shuts down (hook), or when their stdin reaches end of stream (this JVM
 * died).
 */
final class ChildProcess {
  /** Stderr kept per child: the head (TFLite's log and the JVM crash header come first). */
  static final int STDERR_CAP = 16 * 1024;

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Pattern JVM_SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+) \\(0x[0-9a-f]+\\)");
  private static final String[] SIGNALS = {
    null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"
  };

  /**
   * Test-only: passed to the child as {@code -Dqat4j.isolate.testCrash}, e.g. "invoke:segv" (see
   * IsolatedChild).
   */
  static volatile String testCrash;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "qat4j-isolate-reaper"));
  }

  private final Process process;
  private final OutputStream toChild;
  private final InputStream fromChild;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final Thread stderrPump;
  private long stderrDropped;

  ChildProcess() {
    try {
      ProcessBuilder pb = new ProcessBuilder(command());
      pb.environment()
          .put(
              "LIBC_FATAL_STDERR_", "1"); // glibc's heap-corruption messages to stderr, not the tty
      process = pb.start();
    } catch (IOException e) {
      throw new TfliteException("isolated start", "cannot start a child JVM: " + e.getMessage(), e);
    }
    LIVE.add(process);
    toChild = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
    fromChild = new BufferedInputStream(process.getInputStream(), 1 << 16);
    stderrPump = new Thread(this::pumpStderr, "qat4j-isolate-stderr-" + process.pid());
    stderrPump.setDaemon(true);
    stderrPump.start();
  }

  private static List<String> command() {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-XX:+DisplayVMOutputToStderr",
                "-XX:+ErrorFileToStderr",
                "-XX:-CreateCoredumpOnCrash"));
    for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
      String k = e.getKey().toString();
      if (k.startsWith("qat4j.")
          || k.startsWith("org.bytedeco.")
          || k.equals("java.library.path")
          || k.equals("java.io.tmpdir")) {
        cmd.add("-D" + k + "=" + e.getValue());
      }
    }
    if (testCrash != null) {
      cmd.add("-Dqat4j.isolate.testCrash=" + testCrash);
    }
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), IsolatedChild.class.getName()));
    return cmd;
  }

  private void pumpStderr() {
    byte[] buf = new byte[8192];
    try (InputStream err = process.getErrorStream()) {
      for (int n; (n = err.read(buf)) > 0; ) {
        synchronized (stderr) {
          int keep = Math.max(0, Math.min(n, STDERR_CAP - stderr.size()));
          stderr.write(buf, 0, keep);
          stderrDropped += n - keep;
        }
      }
    } catch (IOException e) {
      // the child is gone; what was read is kept
    }
  }

  long pid() {
    return process.pid();
  }

  OutputStream in() {
    return toChild;
  }

  InputStream out() {
    return fromChild;
  }

  /**
   * Waits up to {@code millis} for the child to exit, then kills it; returns the exit code (-1 if
   * it had to be killed).
   */
  int reap(long millis) {
    try {
      try {
        toChild.close();
      } catch (IOException e) {
        // already closed by a dead child
      }
      if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return -1;
      }
      stderrPump.join(2000);
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return -1;
    } finally {
      LIVE.remove(process);
    }
  }

  /** The kept stderr, with a marker when more was written than kept. */
  String stderr() {
    synchronized (stderr) {
      String s = stderr.toString(StandardCharsets.UTF_8);
      return stderrDropped == 0
          ? s
          : s + "\n… (" + stderrDropped + " more bytes of child stderr not kept)";
    }
  }

  /**
   * Names how the child died: the signal from the JVM's fatal error report ("# SIGSEGV (0xb) at
   * pc=…", after which the JVM aborts, exit 134) or else from the exit code 128+N that a
   * signal-killed process reports.
   */
  static String cause(int exitCode, String stderr) {
    Matcher m = JVM_SIGNAL.matcher(stderr);
    if (m.find()) {
      return m.group(1) + " (JVM fatal error report; exit code " + exitCode + ")";
    }
    if (exitCode > 128 && exitCode - 128 < SIGNALS.length) {
      return SIGNALS[exitCode - 128] + " (exit code " + exitCode + ")";
    }
    if (exitCode > 128) {
      return "signal " + (exitCode - 128) + " (exit code " + exitCode + ")";
    }
    return exitCode == -1 ? "no exit within the wait (killed)" : "exit code " + exitCode;
  }

  /**
   * The part of stderr worth a message: TFLite's log before the JVM report, then the report's
   * header lines (signal, problematic frame), bounded to about 4 KiB.
   */
  static String excerpt(String stderr) {
    int report = stderr.indexOf("# A fatal error has been detected");
    String before = (report < 0 ? stderr : stderr.substring(0, Math.max(0, report - 2))).trim();
    if (before.length() > 2048) {
      before = "…" + before.substring(before.length() - 2048);
    }
    StringBuilder sb = new StringBuilder(before);
    if (report >= 0) {
      for (String line : stderr.substring(report).split("\n", 40)) {
        if (line.startsWith("#") && line.trim().length() > 1 && sb.length() < 4096) {
          String l = line.trim();
          sb.append(sb.length() == 0 ? "" : "\n")
              .append(l.length() > 300 ? l.substring(0, 300) + "…" : l);
        }
      }
    }
    return sb.toString();
  }
}
