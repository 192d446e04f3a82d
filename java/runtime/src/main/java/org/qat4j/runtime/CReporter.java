package org.qat4j.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorflowlite.Reporter_Pointer_BytePointer_Pointer;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;
import org.qat4j.runtime.edgetpu.internal.qat4j_log;

/**
 * TFLite's error reporter implemented in C ({@code native/tflite_log.c}, linked into qat4j's JNI
 * library): it expands each printf format with its va_list into a {@code qat4j_log} (user data), so
 * messages carry their values. Absent when the JNI library is not built ({@code
 * -Dqat4j.native.skip=true}) or not loadable; {@link Native} then falls back to the Java reporter.
 */
final class CReporter {
  /**
   * Holds the C function address; every TFLite call taking {@link #REPORTER} reads it, so it is
   * never freed.
   */
  private static final PointerPointer<Pointer> SLOT;

  private static final Reporter_Pointer_BytePointer_Pointer REPORTER;
  private static final String LOAD_FAILURE;

  /**
   * Addresses of open logs: drain/close of an unknown or closed log is a no-op instead of a
   * use-after-free.
   */
  private static final Set<Long> OPEN = ConcurrentHashMap.newKeySet();

  /** An absolute path up to TFLite's source tree, as in TF_LITE_ENSURE messages. */
  private static final Pattern SOURCE_PATH =
      Pattern.compile("(?<![\\w/])/\\S*?/(tensorflow/lite/)");

  static {
    PointerPointer<Pointer> slot = null;
    Reporter_Pointer_BytePointer_Pointer reporter = null;
    String failure = null;
    try {
      Loader.load(EdgeTpuShimLib.class);
      Pointer fn = EdgeTpuShimLib.qat4j_log_reporter();
      if (fn == null || fn.isNull()) {
        failure = "qat4j_log_reporter returned NULL";
      } else {
        slot = Native.thunkSlot(fn);
        reporter = new Reporter_Pointer_BytePointer_Pointer(slot);
      }
    } catch (LinkageError | RuntimeException e) {
      failure = "qat4j's JNI library is not loadable: " + e;
    }
    SLOT = slot;
    REPORTER = reporter;
    LOAD_FAILURE = failure;
  }

  private CReporter() {}

  /** True when TFLite messages are formatted in C. */
  static boolean available() {
    return REPORTER != null;
  }

  /** Null when {@link #available()}, else why not. */
  static String unavailableReason() {
    return LOAD_FAILURE;
  }

  /** The reporter to hand to TFLite with a log from {@link #open()} as user data. */
  static Reporter_Pointer_BytePointer_Pointer reporter() {
    return REPORTER;
  }

  static Pointer open() {
    qat4j_log log = EdgeTpuShimLib.qat4j_log_new();
    if (log == null || log.isNull()) {
      throw new TfliteException("qat4j_log_new", "returned NULL (out of native memory)");
    }
    OPEN.add(log.address());
    return log;
  }

  static String drain(Pointer log) {
    if (log == null || !OPEN.contains(log.address())) {
      return "";
    }
    byte[] out = new byte[EdgeTpuShimLib.QAT4J_LOG_CAP];
    long n = EdgeTpuShimLib.qat4j_log_drain(new qat4j_log(log), out, out.length);
    return shortenSourcePaths(
        new String(out, 0, (int) Math.min(n, out.length), StandardCharsets.UTF_8).trim());
  }

  /**
   * TFLite's kernel messages start with the source path of the machine that built the library
   * ("/home/runner/build/…/tensorflow/lite/kernels/x.cc:221"); keep it from "tensorflow/lite/" on.
   */
  static String shortenSourcePaths(String msg) {
    return SOURCE_PATH.matcher(msg).replaceAll("$1");
  }

  static void close(Pointer log) {
    if (log != null && OPEN.remove(log.address())) {
      EdgeTpuShimLib.qat4j_log_free(new qat4j_log(log));
    }
  }
}
