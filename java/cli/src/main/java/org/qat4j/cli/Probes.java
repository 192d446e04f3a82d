package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/** Capability probes for {@code doctor}: each answers "available" or "unavailable because …", never throws. */
final class Probes {
  private Probes() {}

  record Tflite(String version, String error) {}

  private static Tflite tflite;

  static synchronized Tflite tflite() {
    if (tflite == null) {
      try {
        Loader.load(org.bytedeco.tensorflowlite.global.tensorflowlite.class);
        BytePointer v = org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteVersion();
        tflite = new Tflite(v.getString(), null);
      } catch (Throwable t) {
        tflite = new Tflite(null, "TFLite native library failed to load: " + t);
      }
    }
    return tflite;
  }

  static JsonArray backends() {
    Tflite t = tflite();
    JsonArray a = new JsonArray();
    String noTflite = t.error() == null ? null : t.error();
    a.add(backend("builtin", noTflite));
    a.add(backend("xnnpack", noTflite != null ? noTflite
        : Loader.addressof("TfLiteXNNPackDelegateCreate") == null ? "TfLiteXNNPackDelegateCreate is not exported by this TFLite build" : null));
    a.add(backend("nnapi", noTflite != null ? noTflite
        : Loader.addressof("TfLiteNnapiDelegateCreate") == null
            ? "NNAPI is Android-only; this " + Loader.getPlatform() + " TFLite build has no NNAPI delegate" : null));
    JsonObject tpu = edgetpu();
    a.add(backend("edgetpu", !tpu.get("found").getAsBoolean() ? tpu.get("reason").getAsString()
        : tpu.getAsJsonArray("devices").isEmpty() ? "libedgetpu found but no Coral device attached" : null));
    return a;
  }

  private static JsonObject backend(String name, String reason) {
    JsonObject o = Json.object("name", name, "available", reason == null);
    if (reason != null) o.addProperty("reason", reason);
    return o;
  }

  static JsonObject gemm() {
    JsonObject o = new JsonObject();
    try {
      org.qat4j.core.gemm.Gemm g = org.qat4j.core.gemm.Gemm.get();
      o.addProperty("name", g.name());
      o.addProperty("threads", org.qat4j.core.internal.Parallel.threads());
      if (!g.name().equals("openblas")) o.addProperty("reason", "OpenBLAS not in use (see -Dqat4j.gemm)");
    } catch (Throwable t) {
      o.addProperty("name", "none");
      o.addProperty("threads", 0);
      o.addProperty("reason", "GEMM failed to initialise: " + t);
    }
    return o;
  }

  private static final List<String> EDGETPU_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
      "/usr/lib", "/usr/local/lib", "/lib/x86_64-linux-gnu");

  /** Looks for libedgetpu.so.1 on the usual paths (the runtime module's binding replaces this probe). */
  static JsonObject edgetpu() {
    JsonObject o = new JsonObject();
    Path found = null;
    String env = System.getenv("LD_LIBRARY_PATH");
    List<String> dirs = new java.util.ArrayList<>(EDGETPU_DIRS);
    if (env != null) dirs.addAll(0, List.of(env.split(":")));
    for (String d : dirs) {
      if (d.isEmpty()) continue;
      Path p = Path.of(d, "libedgetpu.so.1");
      if (Files.exists(p)) { found = p; break; }
    }
    o.addProperty("found", found != null);
    if (found != null) o.addProperty("path", found.toString());
    else o.addProperty("reason", "libedgetpu.so.1 not found (install the Coral runtime: sudo apt-get install libedgetpu1-std)");
    o.add("devices", new JsonArray());
    return o;
  }
}
