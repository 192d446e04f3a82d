package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/**
 * Capability probes for {@code doctor}: each answers "available" or "unavailable because …", never
 * throws.
 */
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
    String noTflite = t.error();
    a.add(backend("builtin", noTflite));
    a.add(
        backend(
            "xnnpack",
            noTflite != null
                ? noTflite
                : Loader.addressof("TfLiteXNNPackDelegateCreate") == null
                    ? "TfLiteXNNPackDelegateCreate is not exported by this TFLite build"
                    : null));
    a.add(
        backend(
            "nnapi",
            noTflite != null
                ? noTflite
                : Loader.addressof("TfLiteNnapiDelegateCreate") == null
                    ? "NNAPI is Android-only; this "
                        + Loader.getPlatform()
                        + " TFLite build has no NNAPI delegate"
                    : null));
    JsonObject tpu = edgetpu();
    a.add(
        backend(
            "edgetpu",
            tpu.get("available").getAsBoolean() ? null : tpu.get("reason").getAsString()));
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
      o.addProperty("threads", org.qat4j.ir.internal.Parallel.threads());
      if (!g.name().equals("openblas"))
        o.addProperty("reason", "OpenBLAS not in use (see -Dqat4j.gemm)");
    } catch (Throwable t) {
      o.addProperty("name", "none");
      o.addProperty("threads", 0);
      o.addProperty("reason", "GEMM failed to initialise: " + t);
    }
    return o;
  }

  /** libedgetpu found/version/devices through the runtime's EdgeTPU binding; never throws. */
  static JsonObject edgetpu() {
    JsonObject o = new JsonObject();
    try {
      org.qat4j.runtime.edgetpu.EdgeTpuLibrary lib = org.qat4j.runtime.edgetpu.EdgeTpu.system();
      o.addProperty("library", lib.path());
      o.addProperty("found", lib.loaded());
      JsonArray devs = new JsonArray();
      if (lib.loaded()) {
        o.addProperty("version", lib.version());
        for (org.qat4j.runtime.edgetpu.EdgeTpuDevice d : lib.devices()) {
          devs.add(
              Json.object(
                  "type", d.type().name().toLowerCase(java.util.Locale.ROOT), "path", d.path()));
        }
      }
      o.add("devices", devs);
      org.qat4j.runtime.edgetpu.EdgeTpuAvailability a = lib.probe();
      o.addProperty("available", a.available());
      if (!a.available()) o.addProperty("reason", a.reason());
    } catch (RuntimeException | LinkageError e) {
      o.addProperty("found", false);
      o.add("devices", new JsonArray());
      o.addProperty("available", false);
      o.addProperty("reason", "the EdgeTPU binding failed: " + e);
    }
    return o;
  }
}
