package org.qat4j.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.DType;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteWriter;

/**
 * The files of the bad-input catalogue ({@link CliBadInputTest}): real qat4j models and exports,
 * damaged copies of them, NaN/Inf models, broken Fashion-MNIST folders, and a digest of the whole
 * folder so each row can prove it left every input (and every previous output) unchanged.
 */
final class BadInputFixture {
  static final Path FMNIST = Path.of("/usr/share/datasets/fashion-mnist");

  final Path dir;

  BadInputFixture(Path dir) throws IOException {
    this.dir = dir;
    Model cnn = Zoo.referenceCnn(1);
    ModelIO.save(cnn, f("cnn.q4j"));
    ModelIO.save(Zoo.mlp(1), f("mlp.q4j"));
    ModelIO.save(poisoned(Float.NaN), f("nan.q4j"));
    ModelIO.save(poisoned(Float.POSITIVE_INFINITY), f("inf.q4j"));
    byte[] floatTfl = TfliteWriter.write(FloatLowering.lower(cnn));
    Files.write(f("float.tflite"), floatTfl);
    Files.write(
        f("nan-float.tflite"), TfliteWriter.write(FloatLowering.lower(poisoned(Float.NaN))));
    Files.write(
        f("int8.tflite"),
        TfliteWriter.write(Int8Lowering.lower(Ptq.quantize(cnn, generated(cnn)), DType.INT8)));
    QatFiles.save(Quantize.model(Zoo.referenceCnn(1)), Zoo.referenceCnn(1), f("cnn.qat"));
    damagedTflites(floatTfl);
    damagedModels();
    Files.writeString(f("notes.txt"), "not a model\n");
    Files.createDirectories(f("folder.tflite"));
    Files.write(f("victim.tflite"), floatTfl);
    Files.copy(f("cnn.q4j"), f("victim.q4j"));
    Files.copy(f("cnn.qat"), f("victim.qat"));
    Files.createDirectories(f("out"));
    Files.writeString(f("out/report.json"), "{\"headline\": [], \"stages\": []}\n");
    Files.writeString(f("out/report.html"), "<p>previous report</p>\n");
    Files.createSymbolicLink(f("link-to-cnn.q4j"), f("cnn.q4j"));
    Files.createLink(f("hardlink-to-cnn.q4j"), f("cnn.q4j"));
    Files.createDirectories(f("sub"));
    brokenData();
    imageAndArrays();
  }

  /** Inputs of classify/run: a 28×28 image, and .npy arrays that do not fit int8.tflite's input. */
  private void imageAndArrays() throws IOException {
    javax.imageio.ImageIO.write(
        new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
        "png",
        f("img.png").toFile());
    Files.write(f("x-shape.npy"), UserDataFiles.npyF4(new float[10], 2, 5));
    Files.write(f("x-uint8.npy"), UserDataFiles.npyU1(new byte[784], 1, 784));
  }

  Path f(String name) {
    return dir.resolve(name);
  }

  String s(String name) {
    return f(name).toString();
  }

  private static Model poisoned(float v) {
    Model m = Zoo.referenceCnn(1);
    m.params().values().iterator().next().value().buffer().put(3, v);
    return m;
  }

  private static List<Tensor> generated(Model m) {
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[8 * 28 * 28];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble();
    return List.of(Tensor.of(v, 8, 28, 28, 1));
  }

  private void damagedTflites(byte[] good) throws IOException {
    Files.write(f("empty.tflite"), new byte[0]);
    Files.write(f("trunc100.tflite"), Arrays.copyOf(good, 100));
    Files.write(f("trunc-half.tflite"), Arrays.copyOf(good, good.length / 2));
    byte[] root = good.clone();
    root[0] = root[1] = root[2] = root[3] = (byte) 0xFF;
    Files.write(f("bad-root.tflite"), root);
    byte[] header = new byte[64];
    header[4] = 'T';
    header[5] = 'F';
    header[6] = 'L';
    header[7] = '3';
    Files.write(f("header-only.tflite"), header);
    byte[] ff = good.clone();
    Arrays.fill(ff, 8, ff.length, (byte) 0xFF);
    Files.write(f("ff.tflite"), ff);
  }

  private void damagedModels() throws IOException {
    byte[] q4j = Files.readAllBytes(f("cnn.q4j"));
    Files.write(f("trunc.q4j"), Arrays.copyOf(q4j, q4j.length / 2));
    Files.write(f("empty.q4j"), new byte[0]);
    byte[] noise = new byte[4096];
    new SplittableRandom(5).nextBytes(noise);
    Files.write(f("noise.q4j"), noise);
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(f("other.zip")))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
      zip.write("a zip, not a model".getBytes());
      zip.closeEntry();
    }
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(f("half.qat")))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("qat.json"));
      zip.write(
          "{\"format\": \"qat4j.qat\", \"version\": 1, \"scheme\": \"default_8bit\"}".getBytes());
      zip.closeEntry();
    }
    Files.write(f("report-binary.json"), noise);
    Files.writeString(f("report-array.json"), "[1, 2, 3]\n");
    Files.writeString(f("report-other.json"), "{\"name\": \"not a demo report\"}\n");
  }

  /** Fashion-MNIST folders with one damaged file each (the other three link to the real ones). */
  private void brokenData() throws IOException {
    byte[] badMagic = {0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28};
    byte[] truncated = {
      0x00, 0x00, 0x08, 0x03, 0, 0, (byte) 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3
    };
    byte[] labels2 = {0x00, 0x00, 0x08, 0x01, 0, 0, 0, 2, 1, 2};
    data("data-badmagic", "train-images-idx3-ubyte", badMagic);
    data("data-truncated", "train-images-idx3-ubyte", truncated);
    data("data-test-truncated", "t10k-images-idx3-ubyte", truncated);
    data("data-count", "train-labels-idx1-ubyte", labels2);
    data("data-notgzip", "train-images-idx3-ubyte.gz", "not gzip at all".getBytes());
    data("data-missing", null, null);
  }

  private void data(String name, String bad, byte[] content) throws IOException {
    Path d = Files.createDirectories(f(name));
    for (String base : Args.FMNIST_FILES) {
      if (bad != null && bad.startsWith(base)) {
        Files.write(d.resolve(bad), content);
      } else if (bad != null || !base.startsWith("t10k-labels")) {
        Files.createSymbolicLink(d.resolve(base + ".gz"), FMNIST.resolve(base + ".gz"));
      }
    }
  }

  /** A stream that fails like a full disk once 1 000 bytes have been written through it. */
  static OutputStream diskFullAfter1000Bytes(OutputStream s) {
    return new FilterOutputStream(s) {
      private long written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written + len > 1000) throw new IOException("No space left on device");
        written += len;
        out.write(b, off, len);
      }
    };
  }

  /**
   * Relative path → SHA-256 of every regular file (a symlink → its target), so any change, leftover
   * or new file shows.
   */
  Map<String, String> digest() throws IOException {
    Map<String, String> m = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(all::add);
    }
    for (Path p : all) {
      String rel = dir.relativize(p).toString();
      if (Files.isSymbolicLink(p)) m.put(rel, "-> " + Files.readSymbolicLink(p));
      else if (Files.isRegularFile(p)) m.put(rel, sha256(Files.readAllBytes(p)));
      else m.put(rel, "dir");
    }
    return m;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
