package org.qat4j.runtime;

import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;

/**
 * Creates the XNNPACK delegate through qat4j's C helper ({@code native/xnnpack_shim.c}, bound by
 * the JavaCPP preset): the helper fills TFLite's {@code TfLiteXNNPackDelegateOptions} by field
 * name, so no struct layout or return ABI is assumed in Java and the same code runs on x86-64 and
 * arm64. Unavailable, with the reason, when qat4j's JNI library is not built or the loaded TFLite
 * lacks XNNPACK.
 */
final class Xnnpack {
  static final String KERNEL_NAME = "TfLiteXNNPackDelegate";

  /** Null once bound; else why XNNPACK is unavailable. Guarded by the class lock. */
  private static String unavailable = "not bound yet";

  private Xnnpack() {}

  static Delegate.Handle create(int threads, Map<String, String> options) {
    bind();
    boolean qu8 = Boolean.parseBoolean(options.getOrDefault("qu8", "true"));
    boolean fp16 = Boolean.parseBoolean(options.getOrDefault("force_fp16", "false"));
    Pointer delegate = EdgeTpuShimLib.qat4j_xnnpack_create(threads, 1, qu8 ? 1 : 0, fp16 ? 1 : 0);
    if (delegate == null || delegate.isNull()) {
      throw new TfliteException("TfLiteXNNPackDelegateCreate", "returned NULL");
    }
    long address = delegate.address();
    return new Delegate.Handle() {
      @Override
      public long address() {
        return address;
      }

      @Override
      public String kernelName() {
        return KERNEL_NAME;
      }

      @Override
      public void free() {
        EdgeTpuShimLib.qat4j_xnnpack_delete(Native.at(address));
      }
    };
  }

  /**
   * TFLite's default {num_threads, flags} as the loaded library fills them (tests and diagnostics).
   */
  static int[] defaultThreadsAndFlags() {
    bind();
    return new int[] {
      EdgeTpuShimLib.qat4j_xnnpack_default_threads(), EdgeTpuShimLib.qat4j_xnnpack_default_flags()
    };
  }

  /**
   * Finds XNNPACK's functions in the loaded TFLite library once; throws "unavailable because …"
   * otherwise.
   */
  private static synchronized void bind() {
    if (unavailable == null) {
      return;
    }
    String path = Native.libraryPath();
    if (!CReporter.available()) {
      unavailable =
          "qat4j's JNI library (native/xnnpack_shim.c) is not available: "
              + CReporter.unavailableReason();
    } else {
      try {
        Loader.load(EdgeTpuShimLib.class);
        String why = EdgeTpuShimLib.qat4j_xnnpack_bind(path);
        unavailable = why == null ? null : why + " (" + path + ")";
      } catch (LinkageError e) {
        unavailable = "qat4j's JNI library lacks the XNNPACK helper: " + e;
      }
    }
    if (unavailable != null) {
      throw new TfliteException("create XNNPACK delegate", "unavailable because " + unavailable);
    }
  }
}
