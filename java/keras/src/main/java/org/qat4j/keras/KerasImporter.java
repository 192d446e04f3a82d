package org.qat4j.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.qat4j.core.Model;

/**
 * Imports Keras models into float qat4j {@link Model}s: Keras 3 {@code .keras} zips (config.json +
 * model.weights.h5, in the Keras 3, tf.keras 2.13/2.14 and 2.15 weight layouts), legacy HDF5 {@code
 * .h5} files (Keras 2.x and Keras-3-written, model_config + model_weights), and weights-only HDF5
 * files with a separate architecture JSON. Weights are copied bit for bit. Layers or options qat4j
 * cannot compute exactly are refused with a {@link KerasImportException} naming the Keras class,
 * the layer and the file. HDF5 is read with jhdf.
 */
public final class KerasImporter {
  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private KerasImporter() {}

  /** The model of a {@code .keras} or full-model {@code .h5} file, as saved. */
  public static Model load(Path file) throws IOException {
    return read(file).model();
  }

  /**
   * Imports a {@code .keras} zip or a full-model legacy {@code .h5} (format told by its magic
   * bytes), as saved.
   */
  public static KerasImport read(Path file) throws IOException {
    return read(file, false);
  }

  /**
   * As {@link #read(Path)}; with {@code logits} a model that ends in a softmax (a Softmax layer or
   * a Dense/Conv with activation softmax) is returned without it, giving the logits that {@code
   * Trainer}'s softmax cross-entropy and QAT expect.
   */
  public static KerasImport read(Path file, boolean logits) throws IOException {
    String label = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    byte[] head = head(file);
    try {
      if (startsWith(head, ZIP)) return readKeras(file, label, logits);
      if (startsWith(head, HDF5)) return readH5(file, label, logits);
    } catch (KerasImportException e) {
      throw e;
    } catch (RuntimeException e) {
      throw wrapped(label, e);
    }
    throw new KerasImportException(
        label, "neither a .keras zip nor an HDF5 file (first bytes " + hex(head) + ")");
  }

  /**
   * Imports a weights-only HDF5 file ({@code save_weights}: Keras 2 layer_names or Keras 3
   * layers/.../vars layout) with the architecture JSON ({@code model.to_json()} or a .keras
   * config.json) that describes it.
   */
  public static KerasImport read(Path weightsH5, Path architectureJson) throws IOException {
    return read(weightsH5, architectureJson, false);
  }

  /**
   * As {@link #read(Path, Path)}, without a final softmax when {@code logits} (see {@link
   * #read(Path, boolean)}).
   */
  public static KerasImport read(Path weightsH5, Path architectureJson, boolean logits)
      throws IOException {
    String label = weightsH5.getFileName().toString();
    JsonObject config =
        parse(
            Files.readString(architectureJson, StandardCharsets.UTF_8),
            architectureJson.getFileName().toString());
    if (!startsWith(head(weightsH5), HDF5))
      throw new KerasImportException(label, "not an HDF5 file");
    try (HdfFile h5 = open(weightsH5, label)) {
      WeightStore store =
          h5.getAttribute("layer_names") != null
              ? new LegacyWeights(h5, label)
              : new SavedWeights(h5, label);
      String version = H5.stringAttr(h5, "keras_version", label);
      return convert(config, store, label, version == null ? "unknown" : version, logits);
    } catch (KerasImportException e) {
      throw e;
    } catch (RuntimeException e) {
      throw wrapped(label, e);
    }
  }

  private static KerasImport readKeras(Path file, String label, boolean logits) throws IOException {
    byte[] configBytes;
    byte[] weightBytes;
    String version = "unknown";
    try (ZipFile zip = new ZipFile(file.toFile())) {
      configBytes = entry(zip, "config.json", label);
      weightBytes = entry(zip, "model.weights.h5", label);
      if (zip.getEntry("metadata.json") != null) {
        JsonObject meta =
            parse(
                new String(entry(zip, "metadata.json", label), StandardCharsets.UTF_8),
                label + "!metadata.json");
        if (meta.has("keras_version")) version = meta.get("keras_version").getAsString();
      }
    } catch (ZipException e) {
      throw new KerasImportException(label, "not a readable .keras zip: " + e.getMessage(), e);
    }
    JsonObject config =
        parse(new String(configBytes, StandardCharsets.UTF_8), label + "!config.json");
    try (HdfFile h5 = fromBytes(weightBytes, label + "!model.weights.h5")) {
      return convert(
          config, new SavedWeights(h5, label + "!model.weights.h5"), label, version, logits);
    }
  }

  private static KerasImport readH5(Path file, String label, boolean logits) throws IOException {
    try (HdfFile h5 = open(file, label)) {
      String config = H5.stringAttr(h5, "model_config", label);
      if (config == null) {
        boolean weightsOnly =
            h5.getAttribute("layer_names") != null
                || h5.getChild("layers") != null
                || h5.getChild("vars") != null;
        throw new KerasImportException(
            label,
            weightsOnly
                ? "weights-only HDF5 file (no model_config attribute): pass the architecture JSON with KerasImporter.read(weights, architectureJson)"
                : "HDF5 file without a model_config attribute is not a Keras model file");
      }
      Node weights = h5.getChild("model_weights");
      if (!(weights instanceof Group g))
        throw new KerasImportException(
            label, "HDF5 file has a model_config but no model_weights group");
      String version = H5.stringAttr(h5, "keras_version", label);
      return convert(
          parse(config, label + "@model_config"),
          new LegacyWeights(g, label),
          label,
          version == null ? "unknown" : version,
          logits);
    }
  }

  private static KerasImport convert(
      JsonObject config, WeightStore store, String label, String version, boolean logits) {
    // a to_json() architecture names the Keras version that wrote it
    if (version.equals("unknown") && config.has("keras_version"))
      version = config.get("keras_version").getAsString();
    GraphConverter c = new GraphConverter(config, store, label, version);
    Model m = c.convert(config, logits);
    return new KerasImport(m, store.layout(), version, c.weightSources(), c.frozenLayers());
  }

  /**
   * jhdf rejects damaged HDF5 structures and core layers impossible shapes: both concern this file.
   */
  private static KerasImportException wrapped(String label, RuntimeException e) {
    if (e instanceof HdfException)
      return new KerasImportException(
          label, "damaged or unreadable HDF5 data: " + e.getMessage(), e);
    return new KerasImportException(label, "cannot import: " + e.getMessage(), e);
  }

  private static HdfFile open(Path file, String label) {
    try {
      return new HdfFile(file);
    } catch (RuntimeException e) {
      throw new KerasImportException(label, "not a readable HDF5 file: " + e.getMessage(), e);
    }
  }

  private static HdfFile fromBytes(byte[] bytes, String label) {
    if (!startsWith(bytes, HDF5)) throw new KerasImportException(label, "not an HDF5 file");
    try {
      return HdfFile.fromBytes(bytes);
    } catch (RuntimeException e) {
      throw new KerasImportException(label, "not a readable HDF5 file: " + e.getMessage(), e);
    }
  }

  private static byte[] entry(ZipFile zip, String name, String label) throws IOException {
    ZipEntry e = zip.getEntry(name);
    if (e == null) throw new KerasImportException(label, ".keras zip has no '" + name + "' entry");
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    } catch (ZipException | java.io.EOFException ex) {
      throw new KerasImportException(
          label, "damaged zip entry '" + name + "': " + ex.getMessage(), ex);
    }
  }

  private static JsonObject parse(String json, String where) {
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject())
        throw new KerasImportException(where, "model config is not a JSON object");
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new KerasImportException(where, "model config is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(8);
    }
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && Arrays.equals(Arrays.copyOf(a, prefix.length), prefix);
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x & 0xff));
    return sb.toString();
  }
}
