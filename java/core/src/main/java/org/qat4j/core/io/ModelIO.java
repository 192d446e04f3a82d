package org.qat4j.core.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Configs;
import org.qat4j.core.layers.LayerRegistry;

/**
 * Saves a {@link Model} as one zip file holding {@code model.json} (the readable graph: nodes with
 * name, type, config and inputs) and {@code weights.bin} (every parameter, trainable or not, keyed
 * "layer/param"); loading rebuilds the layers through {@link LayerRegistry}.
 */
public final class ModelIO {
  static final String GRAPH = "model.json";
  static final String WEIGHTS = "weights.bin";
  private static final String FORMAT = "qat4j.model";

  private ModelIO() {}

  /** Writes {@code model} to {@code file} atomically. */
  public static void save(Model model, Path file) throws IOException {
    save(model, file, Map.of());
  }

  /**
   * Writes {@code model} plus {@code extra} zip entries (name → bytes, e.g. a module's metadata) to
   * {@code file} atomically (temporary file, fsync, rename).
   */
  public static void save(Model model, Path file, Map<String, byte[]> extra) throws IOException {
    AtomicFile.write(
        file,
        out -> {
          ZipOutputStream zip = new ZipOutputStream(out);
          writeEntries(model, zip);
          for (Map.Entry<String, byte[]> e : extra.entrySet()) put(zip, e.getKey(), e.getValue());
          zip.finish();
        });
  }

  public static Model load(Path file) throws IOException {
    Map<String, byte[]> entries = readZip(file);
    return fromEntries(entries, file.toString());
  }

  /** The graph description written as {@code model.json}. */
  public static JsonObject graphJson(Model model) {
    JsonArray nodes = new JsonArray();
    for (Node n : model.nodes()) {
      JsonObject o = new JsonObject();
      o.addProperty("name", n.name());
      o.addProperty("type", n.layer().type());
      o.add("config", n.layer().config());
      JsonArray ins = new JsonArray();
      for (Node i : n.inputs()) ins.add(i.name());
      o.add("inputs", ins);
      nodes.add(o);
    }
    JsonObject g = new JsonObject();
    g.addProperty("format", FORMAT);
    g.addProperty("version", 1);
    g.addProperty("input", model.input().name());
    g.addProperty("output", model.output().name());
    g.add("nodes", nodes);
    return g;
  }

  static void writeEntries(Model model, ZipOutputStream zip) throws IOException {
    put(zip, GRAPH, json(graphJson(model)));
    zip.putNextEntry(new ZipEntry(WEIGHTS));
    WeightsFormat.write(zip, weights(model));
    zip.closeEntry();
  }

  /** Pretty-printed UTF-8 JSON, the form of every JSON entry in model and checkpoint files. */
  static byte[] json(JsonObject o) {
    return new GsonBuilder()
        .setPrettyPrinting()
        .create()
        .toJson(o)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A UTF-8 JSON object entry; throws a runtime exception when it is not one. */
  static JsonObject parse(byte[] b) {
    return JsonParser.parseString(new String(b, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  private static List<NamedArray> weights(Model model) {
    List<NamedArray> l = new ArrayList<>();
    for (Map.Entry<String, Param> e : model.params().entrySet()) {
      l.add(
          new NamedArray(e.getKey(), e.getValue().value().shape(), e.getValue().value().toArray()));
    }
    return l;
  }

  static Map<String, byte[]> readZip(Path file) throws IOException {
    if (!Files.isRegularFile(file))
      throw new NoSuchFileException(file.toString(), null, "model/checkpoint file not found");
    Map<String, byte[]> m = new HashMap<>();
    try (InputStream in = Files.newInputStream(file);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) m.put(e.getName(), zip.readAllBytes());
    } catch (IOException e) {
      throw new IOException(file + ": not a readable zip archive (" + e.getMessage() + ")", e);
    }
    if (m.isEmpty()) throw new IOException(file + ": empty or not a zip archive");
    return m;
  }

  static byte[] entry(Map<String, byte[]> entries, String name, String where) throws IOException {
    byte[] b = entries.get(name);
    if (b == null)
      throw new IOException(
          where + ": missing entry '" + name + "' (entries: " + entries.keySet() + ")");
    return b;
  }

  static Model fromEntries(Map<String, byte[]> entries, String where) throws IOException {
    JsonObject g;
    try {
      g = parse(entry(entries, GRAPH, where));
    } catch (RuntimeException e) {
      throw new IOException(where + ":" + GRAPH + ": unreadable JSON (" + e.getMessage() + ")", e);
    }
    if (!FORMAT.equals(g.has("format") ? g.get("format").getAsString() : null)) {
      throw new IOException(where + ":" + GRAPH + ": not a qat4j model graph (format field)");
    }
    Model model;
    try {
      model = buildGraph(g);
    } catch (RuntimeException e) {
      throw new IOException(where + ":" + GRAPH + ": " + e.getMessage(), e);
    }
    assignWeights(
        model,
        WeightsFormat.read(entry(entries, WEIGHTS, where), where + ":" + WEIGHTS),
        where + ":" + WEIGHTS);
    return model;
  }

  private static Model buildGraph(JsonObject g) {
    GraphBuilder b = new GraphBuilder(0);
    Map<String, Node> byName = new LinkedHashMap<>();
    for (JsonElement e : g.getAsJsonArray("nodes")) {
      JsonObject o = e.getAsJsonObject();
      String name = o.get("name").getAsString(), type = o.get("type").getAsString();
      JsonObject config = o.has("config") ? o.getAsJsonObject("config") : new JsonObject();
      List<Node> ins = new ArrayList<>();
      for (JsonElement i : o.getAsJsonArray("inputs")) {
        Node n = byName.get(i.getAsString());
        if (n == null)
          throw new IllegalArgumentException(
              "layer '" + name + "' reads unknown or later layer '" + i.getAsString() + "'");
        ins.add(n);
      }
      Node node =
          "Input".equals(type)
              ? b.input(name, Configs.ints(config, "shape"))
              : b.add(LayerRegistry.create(type, name, config), ins.toArray(Node[]::new));
      byName.put(name, node);
    }
    Node out = byName.get(g.get("output").getAsString());
    if (out == null)
      throw new IllegalArgumentException(
          "output layer '" + g.get("output").getAsString() + "' not among the nodes");
    return b.build(out);
  }

  private static void assignWeights(Model model, Map<String, NamedArray> w, String where)
      throws IOException {
    Map<String, Param> params = model.params();
    for (Map.Entry<String, Param> e : params.entrySet()) {
      NamedArray a = w.get(e.getKey());
      if (a == null)
        throw new IOException(where + ": no values for parameter '" + e.getKey() + "'");
      int[] want = e.getValue().value().shape();
      if (!Arrays.equals(a.shape(), want)) {
        throw new IOException(
            where
                + ": parameter '"
                + e.getKey()
                + "' has shape "
                + Arrays.toString(a.shape())
                + " in the file but "
                + Arrays.toString(want)
                + " in the model");
      }
      e.getValue().value().copyFrom(a.data());
    }
    for (String k : w.keySet()) {
      if (!params.containsKey(k))
        throw new IOException(where + ": value '" + k + "' matches no parameter of the model");
    }
  }
}
