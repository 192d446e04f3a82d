package org.qat4j.runtime;

import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * Creates the XNNPACK delegate, which the preset exports but does not bind: the functions are found with
 * {@link Loader#addressof(String)} and called through existing JavaCPP thunks (tflite-format.md §3).
 */
final class Xnnpack {
  static final String KERNEL_NAME = "TfLiteXNNPackDelegate";
  static final int FLAG_QS8 = 0x1;
  static final int FLAG_QU8 = 0x2;
  static final int FLAG_FORCE_FP16 = 0x4;
  /** Generous upper bound of sizeof(TfLiteXNNPackDelegateOptions) in TFLite 2.20 (56 bytes measured: threads, flags, cache, …, fd = -1 at offset 40). */
  private static final int OPTIONS_BYTES = 256;

  private Xnnpack() {
  }

  static Delegate.Handle create(int threads, Map<String, String> options) {
    Native.load();
    Pointer create = Loader.addressof("TfLiteXNNPackDelegateCreate");
    Pointer delete = Loader.addressof("TfLiteXNNPackDelegateDelete");
    Pointer defaults = Loader.addressof("TfLiteXNNPackDelegateOptionsDefault");
    if (create == null || delete == null || defaults == null) {
      throw new TfliteException("create XNNPACK delegate", "unavailable because TfLiteXNNPackDelegateCreate/Delete/"
          + "OptionsDefault are not exported by the loaded TFLite library");
    }
    if (!Native.sretInFirstArgument()) {
      throw new TfliteException("create XNNPACK delegate", "unavailable because calling "
          + "TfLiteXNNPackDelegateOptionsDefault without own JNI needs the x86-64 SysV ABI (os.arch="
          + System.getProperty("os.arch") + ")");
    }
    int flags = FLAG_QS8 | FLAG_QU8;
    if (Boolean.parseBoolean(options.getOrDefault("force_fp16", "false"))) {
      flags |= FLAG_FORCE_FP16;
    }
    if (!Boolean.parseBoolean(options.getOrDefault("qu8", "true"))) {
      flags &= ~FLAG_QU8;
    }
    try (BytePointer opts = new BytePointer(OPTIONS_BYTES)) {
      opts.fill(0);
      Native.callPointerFn(defaults, opts);
      if (threads > 0) {
        opts.putInt(0, threads);
      }
      opts.putInt(4, opts.getInt(4) | flags);
      Pointer delegate = Native.callPointerFn(create, opts);
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
          Native.callPointerFn(delete, Native.at(address));
        }
      };
    }
  }

  /** Raw defaults as TFLite fills them (test and diagnostics). */
  static int[] defaultThreadsAndFlags() {
    Native.load();
    Pointer defaults = Loader.addressof("TfLiteXNNPackDelegateOptionsDefault");
    try (BytePointer opts = new BytePointer(OPTIONS_BYTES)) {
      opts.fill(0);
      Native.callPointerFn(defaults, opts);
      return new int[] {opts.getInt(0), opts.getInt(4)};
    }
  }
}
