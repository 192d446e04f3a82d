package org.qat4j.runtime.edgetpu;

import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;

/** Loads qat4j's EdgeTPU JNI library once; failure is recorded, never thrown at class load. */
final class NativeShim {
  static final Set<String> PLATFORMS = Set.of("linux-x86_64", "linux-arm64", "android-arm64");

  /** Null when the JNI library is loaded, else why not. */
  static final String LOAD_FAILURE = load();

  private NativeShim() {}

  private static String load() {
    String platform;
    try {
      platform = Loader.getPlatform();
    } catch (Throwable t) {
      return "JavaCPP could not determine the platform: " + t;
    }
    if (!PLATFORMS.contains(platform)) {
      return "qat4j's EdgeTPU binding is not built for "
          + platform
          + " (supported: linux-x86_64, linux-arm64"
          + "; libedgetpu exists for Linux only)";
    }
    try {
      Loader.load(EdgeTpuShimLib.class);
      return null;
    } catch (Throwable t) {
      return "qat4j's EdgeTPU JNI library is missing for "
          + platform
          + " (built by the runtime module's javacpp build unless -Dqat4j.native.skip=true): "
          + t;
    }
  }

  static boolean loaded() {
    return LOAD_FAILURE == null;
  }

  /** Copies a native C string; null for a NULL pointer. */
  static String string(BytePointer p) {
    return p == null || p.isNull() ? null : p.getString();
  }
}
