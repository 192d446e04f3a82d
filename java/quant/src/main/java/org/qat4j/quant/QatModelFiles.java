package org.qat4j.quant;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.io.ModelIO;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.SharedRangeQuantizer;

/**
 * The QAT model file: the {@link ModelIO} archive (graph with the QAT layers' configs, every param
 * including ranges) plus "qat.json" with the scheme, the node → range-quantizer map and each
 * quantizer's enabled/observing switches.
 */
final class QatModelFiles {
  static final String ENTRY = "qat.json";

  private QatModelFiles() {}

  static void save(QatModel qat, Map<String, FakeQuantizer> rangeOf, Path file) throws IOException {
    JsonObject meta = new JsonObject(), ranges = new JsonObject(), switches = new JsonObject();
    meta.add("scheme", schemeJson(qat.scheme()));
    for (var e : rangeOf.entrySet())
      ranges.addProperty(e.getKey(), e.getValue() == null ? null : e.getValue().name());
    meta.add("range_of", ranges);
    for (FakeQuantizer q : qat.quantizers()) {
      JsonObject s = new JsonObject();
      s.addProperty("enabled", q.enabled());
      s.addProperty("observing", q.observing());
      switches.add(q.name(), s);
    }
    meta.add("quantizers", switches);
    byte[] json =
        new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .create()
            .toJson(meta)
            .getBytes(StandardCharsets.UTF_8);
    ModelIO.save(qat.model(), file, Map.of(ENTRY, json)); // atomic: temporary file, fsync, rename
  }

  static QatModel load(Path file) throws IOException {
    Model model = ModelIO.load(file);
    JsonObject meta = readMeta(file);
    Map<String, FakeQuantizer> byName = new LinkedHashMap<>();
    for (Node n : model.nodes())
      for (FakeQuantizer q : QatModel.quantizersOf(n.layer())) byName.put(q.name(), q);
    for (FakeQuantizer q : byName.values()) {
      if (q.rule() instanceof SharedRangeQuantizer s && s.source() == null)
        s.link(find(byName, s.sourceName(), file));
    }
    for (var e : meta.getAsJsonObject("quantizers").entrySet()) {
      FakeQuantizer q = find(byName, e.getKey(), file);
      JsonObject s = e.getValue().getAsJsonObject();
      q.setEnabled(s.get("enabled").getAsBoolean());
      q.setObserving(s.get("observing").getAsBoolean());
    }
    Map<String, FakeQuantizer> rangeOf = new LinkedHashMap<>();
    for (var e : meta.getAsJsonObject("range_of").entrySet()) {
      rangeOf.put(
          e.getKey(),
          e.getValue().isJsonNull() ? null : find(byName, e.getValue().getAsString(), file));
    }
    return new QatModel(model, scheme(meta.getAsJsonObject("scheme"), file), rangeOf);
  }

  private static FakeQuantizer find(Map<String, FakeQuantizer> byName, String name, Path file)
      throws IOException {
    FakeQuantizer q = byName.get(name);
    if (q == null)
      throw new IOException(
          file + ":" + ENTRY + ": no quantizer named '" + name + "' in the model");
    return q;
  }

  private static JsonObject readMeta(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().equals(ENTRY))
          return JsonParser.parseString(new String(zip.readAllBytes(), StandardCharsets.UTF_8))
              .getAsJsonObject();
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ":" + ENTRY + ": unreadable (" + e.getMessage() + ")", e);
    }
    throw new IOException(
        file + ": no '" + ENTRY + "' entry: a float model, not a QAT model (use ModelIO.load)");
  }

  private static JsonObject schemeJson(Scheme s) {
    JsonObject o = new JsonObject();
    if (s == Default8Bit.INSTANCE) {
      o.addProperty("name", "Default8Bit");
    } else if (s instanceof NBit n) {
      o.addProperty("name", "NBit");
      o.addProperty("weight_bits", n.weightBits());
      o.addProperty("activation_bits", n.activationBits());
      o.addProperty("per_axis", n.perAxis());
    } else {
      throw new IllegalArgumentException(
          "scheme '" + s.name() + "' is not built in and cannot be saved");
    }
    return o;
  }

  private static Scheme scheme(JsonObject o, Path file) throws IOException {
    String name = o.get("name").getAsString();
    return switch (name) {
      case "Default8Bit" -> Default8Bit.INSTANCE;
      case "NBit" ->
          new NBit(
              o.get("weight_bits").getAsInt(),
              o.get("activation_bits").getAsInt(),
              o.get("per_axis").getAsBoolean());
      default -> throw new IOException(file + ":" + ENTRY + ": unknown scheme '" + name + "'");
    };
  }
}
