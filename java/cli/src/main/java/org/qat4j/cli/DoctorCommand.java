package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qat4j doctor}: what this machine can run, and why not when it cannot. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Check the environment: Java, TFLite, backends, GEMM path, libedgetpu, datasets.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j doctor",
      "  ./qat4j doctor --json | jq '.backends[] | select(.available)'"
    })
final class DoctorCommand extends BaseCommand {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Fashion-MNIST folder to check (default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:qat4j.fashionMnist:-/usr/share/datasets/fashion-mnist}")
  Path data;

  @Override
  JsonObject execute() {
    JsonObject r = new JsonObject();
    r.addProperty("java", System.getProperty("java.version"));
    r.addProperty("java_vendor", System.getProperty("java.vendor"));
    r.addProperty("java_home", System.getProperty("java.home"));
    r.addProperty(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    r.addProperty("cpus", Runtime.getRuntime().availableProcessors());
    r.addProperty("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    Probes.Tflite t = Probes.tflite();
    r.addProperty("tflite_version", t.version());
    if (t.error() != null) r.addProperty("tflite_error", t.error());
    r.add("backends", Probes.backends());
    r.add("gemm", Probes.gemm());
    r.add("edgetpu", Probes.edgetpu());
    r.add("datasets", datasets());
    r.add("verdicts", verdicts(r));
    return r;
  }

  /**
   * One verdict per capability: {@code {capability, ok, reason}}, the reason saying why not when it
   * is unavailable.
   */
  static JsonArray verdicts(JsonObject r) {
    JsonArray v = new JsonArray();
    JsonObject g = r.getAsJsonObject("gemm");
    v.add(verdict("training", !g.get("name").getAsString().equals("none"), g));
    JsonObject t = new JsonObject();
    if (r.has("tflite_error")) t.add("reason", r.get("tflite_error"));
    v.add(verdict("tflite", !r.get("tflite_version").isJsonNull(), t));
    for (JsonElement e : r.getAsJsonArray("backends")) {
      JsonObject b = e.getAsJsonObject();
      v.add(
          verdict("backend " + b.get("name").getAsString(), b.get("available").getAsBoolean(), b));
    }
    JsonObject fm = r.getAsJsonArray("datasets").get(0).getAsJsonObject();
    v.add(verdict("fashion-mnist", fm.get("found").getAsBoolean(), fm));
    return v;
  }

  private static JsonObject verdict(String capability, boolean ok, JsonObject source) {
    JsonObject o = Json.object("capability", capability, "ok", ok);
    if (!ok)
      o.addProperty(
          "reason", source.has("reason") ? source.get("reason").getAsString() : "unknown");
    return o;
  }

  private JsonArray datasets() {
    JsonArray a = new JsonArray();
    boolean ok = Args.hasFashionMnist(data);
    JsonObject fm = Json.object("name", "fashion-mnist", "path", data.toString(), "found", ok);
    if (!ok)
      fm.addProperty(
          "reason", "not found; install with: sudo apt-get install dataset-fashion-mnist");
    a.add(fm);
    Path models =
        Path.of(
            System.getProperty(
                "qat4j.sharedModels",
                Path.of(System.getProperty("qat4j.root", "."))
                    .resolve("../shared/models")
                    .toString()));
    boolean m = Files.isDirectory(models);
    JsonObject sm =
        Json.object(
            "name",
            "shared-models",
            "path",
            models.toAbsolutePath().normalize().toString(),
            "found",
            m);
    if (!m) sm.addProperty("reason", "folder absent (optional; used by tests)");
    a.add(sm);
    return a;
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    printRuntime(r, out);
    printLibraries(r, out);
    out.println();
    Table v = new Table("capability", "verdict");
    for (JsonElement e : r.getAsJsonArray("verdicts")) {
      JsonObject o = e.getAsJsonObject();
      v.row(
          o.get("capability").getAsString(),
          o.get("ok").getAsBoolean()
              ? "ok"
              : "unavailable because " + o.get("reason").getAsString());
    }
    v.print(out);
  }

  /** The Java, OS, TFLite and backend lines of the human report. */
  private static void printRuntime(JsonObject r, PrintWriter out) {
    out.printf(
        "java            %s (%s)%n",
        r.get("java").getAsString(), r.get("java_vendor").getAsString());
    out.printf(
        "os              %s, %d cpus, heap %d MB%n",
        r.get("os").getAsString(), r.get("cpus").getAsInt(), r.get("max_heap_mb").getAsLong());
    out.printf(
        "tflite          %s%n",
        r.get("tflite_version").isJsonNull()
            ? "NOT LOADED: " + r.get("tflite_error").getAsString()
            : r.get("tflite_version").getAsString());
    for (JsonElement e : r.getAsJsonArray("backends")) {
      JsonObject b = e.getAsJsonObject();
      out.printf(
          "backend %-8s%s%n",
          b.get("name").getAsString(),
          b.get("available").getAsBoolean()
              ? "available"
              : "unavailable: " + b.get("reason").getAsString());
    }
  }

  /** The GEMM, libedgetpu and dataset lines of the human report. */
  private static void printLibraries(JsonObject r, PrintWriter out) {
    JsonObject g = r.getAsJsonObject("gemm");
    out.printf(
        "gemm            %s, split over %d layer thread(s)%s%n",
        g.get("name").getAsString(),
        g.get("threads").getAsInt(),
        g.has("reason") ? " (" + g.get("reason").getAsString() + ")" : "");
    JsonObject t = r.getAsJsonObject("edgetpu");
    out.printf(
        "libedgetpu      %s%n",
        t.get("found").getAsBoolean()
            ? "found"
                + (t.has("version") ? " " + t.get("version").getAsString() : "")
                + ", "
                + t.getAsJsonArray("devices").size()
                + " device(s)"
            : "not found (reason under verdicts)");
    for (JsonElement e : r.getAsJsonArray("datasets")) {
      JsonObject d = e.getAsJsonObject();
      if (!d.get("found").getAsBoolean() && d.get("name").getAsString().equals("shared-models"))
        continue; // optional, only tests use it
      out.printf(
          "dataset %-15s %s%n",
          d.get("name").getAsString(),
          d.get("found").getAsBoolean()
              ? d.get("path").getAsString()
              : d.get("reason").getAsString() + " (" + d.get("path").getAsString() + ")");
    }
  }
}
