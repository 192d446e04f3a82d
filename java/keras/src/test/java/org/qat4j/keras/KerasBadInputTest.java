package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged or unsupported files give one KerasImportException naming the file (and the layer), never
 * another exception.
 */
class KerasBadInputTest {
  @TempDir Path tmp;

  @Test
  void truncatedZip() throws IOException {
    byte[] b = Files.readAllBytes(Fixtures.require("01_fashion_cnn_k341.keras"));
    Path p = write("cut.keras", Arrays.copyOf(b, b.length / 2));
    expect(() -> KerasImporter.read(p), "cut.keras: not a readable .keras zip");
  }

  @Test
  void notAZipNorHdf5() throws IOException {
    Path p = write("notes.keras", "this is not a model".getBytes(StandardCharsets.UTF_8));
    expect(() -> KerasImporter.read(p), "notes.keras: neither a .keras zip nor an HDF5 file");
    Path empty = write("empty.h5", new byte[0]);
    expect(() -> KerasImporter.read(empty), "empty.h5: neither a .keras zip nor an HDF5 file");
  }

  @Test
  void zipWithoutWeights() throws IOException {
    Path p = rezip("noweights.keras", c -> c, "model.weights.h5");
    expect(
        () -> KerasImporter.read(p), "noweights.keras: .keras zip has no 'model.weights.h5' entry");
  }

  @Test
  void truncatedHdf5() throws IOException {
    byte[] b = Files.readAllBytes(Fixtures.require("05_cifar10_cnn_k36_legacy.h5"));
    Path p = write("cut.h5", Arrays.copyOf(b, 4096));
    expect(() -> KerasImporter.read(p), "cut.h5: ");
  }

  @Test
  void hdf5WithoutModelConfig() throws IOException {
    Path p = tmp.resolve("plain.h5");
    try (WritableHdfFile w = HdfFile.write(p)) {
      w.putGroup("data");
    }
    expect(
        () -> KerasImporter.read(p),
        "plain.h5: HDF5 file without a model_config attribute is not a Keras model file");
  }

  @Test
  void unknownLayerClass() throws IOException {
    Path p =
        rezip(
            "fancy.keras",
            c -> c.replace("\"class_name\": \"Dropout\"", "\"class_name\": \"FancyDropout\""),
            null);
    expect(
        () -> KerasImporter.read(p),
        "fancy.keras, layer 'dropout' (FancyDropout): unknown Keras layer class 'FancyDropout'");
  }

  @Test
  void channelsFirst() throws IOException {
    Path p =
        rezip(
            "nchw.keras",
            c ->
                c.replaceFirst(
                    "\"data_format\": \"channels_last\"", "\"data_format\": \"channels_first\""),
            null);
    expect(
        () -> KerasImporter.read(p),
        "nchw.keras, layer 'conv2d' (Conv2D): data_format 'channels_first' is not supported");
  }

  @Test
  void weightShapeDisagreesWithConfig() throws IOException {
    Path p = rezip("units.keras", c -> c.replace("\"units\": 128", "\"units\": 100"), null);
    expect(
        () -> KerasImporter.read(p),
        "units.keras, layer 'dense' (Dense): weight '/layers/dense/vars/0' has shape [1600, 128], the layer needs [1600, 100]");
  }

  @Test
  void invalidConfigJson() throws IOException {
    Path p = rezip("json.keras", c -> c.substring(0, c.length() / 2), null);
    expect(() -> KerasImporter.read(p), "json.keras!config.json: model config is not valid JSON");
  }

  @Test
  void truncatedWeightsInsideZip() throws IOException {
    Path src = Fixtures.require("01_fashion_cnn_k341.keras");
    Map<String, byte[]> entries = entries(src);
    entries.put("model.weights.h5", Arrays.copyOf(entries.get("model.weights.h5"), 2048));
    Path p = zip("cutweights.keras", entries);
    expect(() -> KerasImporter.read(p), "cutweights.keras");
  }

  @Test
  void missingArchitectureFile() {
    Path w = Fixtures.require("03_mnist_mlp_k3_weightsonly.h5");
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> KerasImporter.read(w, tmp.resolve("absent.json")));
  }

  private static void expect(Executable run, String prefix) {
    KerasImportException e = assertThrows(KerasImportException.class, run);
    System.out.println("refused: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(prefix), "message: " + e.getMessage());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  /** 01_fashion_cnn_k341.keras with config.json edited and optionally one entry left out. */
  private Path rezip(String name, UnaryOperator<String> editConfig, String drop)
      throws IOException {
    Map<String, byte[]> entries = entries(Fixtures.require("01_fashion_cnn_k341.keras"));
    entries.put(
        "config.json",
        editConfig
            .apply(new String(entries.get("config.json"), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8));
    if (drop != null) entries.remove(drop);
    return zip(name, entries);
  }

  private static Map<String, byte[]> entries(Path zip) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries()))
        m.put(e.getName(), z.getInputStream(e).readAllBytes());
    }
    return m;
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path p = tmp.resolve(name);
    try (OutputStream out = Files.newOutputStream(p);
        ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return p;
  }
}
