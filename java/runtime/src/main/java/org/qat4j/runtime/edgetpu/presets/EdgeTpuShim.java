package org.qat4j.runtime.edgetpu.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP preset for qat4j's own native code: the dlopen shim over libedgetpu ({@code
 * native/edgetpu_shim.h}), the TFLite log formatter ({@code native/tflite_log.h}, a C error
 * reporter that expands TFLite's printf format and va_list) and the XNNPACK options helper ({@code
 * native/xnnpack_shim.h}, fills TFLite's options struct by field name in C). The generated bindings
 * land in {@code org.qat4j.runtime.edgetpu.internal}; the one JNI library links only the static
 * {@code edgetpushim} archive carrying all three, never libedgetpu itself, so loading it always
 * succeeds.
 */
@Properties(
    target = "org.qat4j.runtime.edgetpu.internal",
    global = "org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib",
    value =
        @Platform(
            value = {"linux-x86_64", "linux-arm64", "android-arm64"},
            include = {"edgetpu_shim.h", "tflite_log.h", "xnnpack_shim.h"},
            link = "edgetpushim"))
public class EdgeTpuShim implements InfoMapper {
  @Override
  public void map(InfoMap infoMap) {
    // The headers are plain C with self-describing types: the default mapping is all we need.
  }
}
