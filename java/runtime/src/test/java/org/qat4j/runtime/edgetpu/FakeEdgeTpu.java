package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Loader;

/**
 * Locates the libedgetpu TEST DOUBLE (native/test/fake_edgetpu.c, built by cmake into
 * target/native/PLATFORM during generate-sources) and talks to its control hook. Tests skip with a
 * message when it was not built (e.g. -Dqat4j.native.skip=true).
 */
final class FakeEdgeTpu {
  /** The test double's state is process-global: tests using it hold this lock. */
  static final String LOCK = "qat4j.fakeEdgetpu";

  private FakeEdgeTpu() {}

  static Path path() {
    String override = System.getProperty("qat4j.fakeEdgetpu");
    if (override != null) {
      return Path.of(override);
    }
    try {
      Path testClasses =
          Path.of(FakeEdgeTpu.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return testClasses
          .getParent()
          .resolve("native")
          .resolve(Loader.getPlatform())
          .resolve("libfake_edgetpu.so");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test double as an EdgeTpuLibrary, reset to one USB device; skips when not built. */
  static EdgeTpuLibrary library() {
    Path p = path();
    assumeTrue(
        Files.isRegularFile(p),
        "libedgetpu test double not built at "
            + p
            + " (cmake runs in generate-sources unless -Dqat4j.native.skip=true)");
    assumeTrue(NativeShim.loaded(), "EdgeTPU JNI library not loaded: " + NativeShim.LOAD_FAILURE);
    EdgeTpuLibrary lib = EdgeTpu.library(p.toString());
    control(lib, "reset");
    return lib;
  }

  static String control(EdgeTpuLibrary lib, String command) {
    String answer = lib.testControl(command);
    if (answer == null || answer.startsWith("error")) {
      throw new IllegalStateException("test double rejected " + command + ": " + answer);
    }
    return answer;
  }

  /** Parses the "stats" answer: key=value pairs separated by spaces, options last. */
  static Map<String, String> stats(EdgeTpuLibrary lib) {
    String s = control(lib, "stats");
    Map<String, String> m = new LinkedHashMap<>();
    int opt = s.indexOf(" options=");
    m.put("options", s.substring(opt + " options=".length()));
    for (String kv : s.substring(0, opt).split(" ")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }
}
