package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Dense;

/**
 * A two-input, two-output model built with our builders goes through the CLI: train → quantize →
 * export int8 → verify (bit-exact on BUILTIN, every output) → eval, and ptq; data from .npz files
 * with arrays named after the inputs and outputs (x_a, y_cls) or by position (x0, y0).
 */
@Tag("native")
class CliMultiIoTest {
  @TempDir static Path dir;
  static Path model;
  static Path train;
  static Path test;

  /** Inputs a [3] and b [2]; outputs cls [2] (sign of a0 + a1 − b0) and grp [3] (band of b1). */
  static Model twoInTwoOut() {
    GraphBuilder g = new GraphBuilder(5);
    Node a = g.input("a", 3);
    Node b = g.input("b", 2);
    Node h =
        g.add(
            new Dense("hidden", 24).activation(Activation.RELU),
            g.add(new Concatenate("cat"), a, b));
    return g.build(g.add(new Dense("cls", 2), h), g.add(new Dense("grp", 3), h));
  }

  /** {@code n} samples; arrays named {@code x_a…} when {@code named}, else {@code x0…}. */
  static Path npz(Path file, int n, long seed, boolean named) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[3 * n], b = new float[2 * n];
    int[] cls = new int[n], grp = new int[n];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < 3; k++) a[3 * s + k] = (float) (r.nextDouble() * 2 - 1);
      for (int k = 0; k < 2; k++) b[2 * s + k] = (float) (r.nextDouble() * 2 - 1);
      cls[s] = a[3 * s] + a[3 * s + 1] - b[2 * s] > 0 ? 1 : 0;
      grp[s] = b[2 * s + 1] < -0.33f ? 0 : b[2 * s + 1] < 0.33f ? 1 : 2;
    }
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      put(z, named ? "x_a" : "x0", UserDataFiles.npyF4(a, n, 3));
      put(z, named ? "x_b" : "x1", UserDataFiles.npyF4(b, n, 2));
      put(z, named ? "y_cls" : "y0", UserDataFiles.npyI8(cls));
      put(z, named ? "y_grp" : "y1", UserDataFiles.npyI8(grp));
    }
    return file;
  }

  private static void put(ZipOutputStream z, String name, byte[] npy) throws IOException {
    z.putNextEntry(new ZipEntry(name + ".npy"));
    z.write(npy);
  }

  @BeforeAll
  static void files() throws IOException {
    model = dir.resolve("two.q4j");
    ModelIO.save(twoInTwoOut(), model);
    train = npz(dir.resolve("train.npz"), 1000, 1, true);
    test = npz(dir.resolve("test.npz"), 300, 2, false);
  }

  private static JsonObject ok(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r.toString());
    return r.json();
  }

  @Test
  void trainQuantizeExportVerifyAndEvalEveryOutput() {
    Path trained = dir.resolve("t.q4j"), qat = dir.resolve("t.qat"), int8 = dir.resolve("t.tflite");
    JsonObject t = train(trained);
    JsonArray outs = t.getAsJsonArray("outputs");
    assertEquals(2, outs.size(), t.toString());
    assertEquals("cls", outs.get(0).getAsJsonObject().get("name").getAsString());
    assertTrue(t.get("test_accuracy").getAsDouble() > 0.9, t.toString());
    assertTrue(
        outs.get(1).getAsJsonObject().get("test_accuracy").getAsDouble() > 0.8, t.toString());
    assertEquals(1000, t.get("train_images").getAsInt());
    assertEquals(300, t.get("test_count").getAsInt());
    JsonObject q = quantize(trained, qat);
    assertTrue(q.get("test_accuracy_fake_quant").getAsDouble() > 0.85, q.toString());
    ok("export", "--in", qat.toString(), "--format", "int8", "--out", int8.toString(), "--json");
    verifyAndEvalAgree(qat, int8);
  }

  private static JsonObject train(Path out) {
    return ok(
        "train",
        "--model",
        model.toString(),
        "--data",
        train.toString(),
        "--test-data",
        test.toString(),
        "--epochs",
        "15",
        "--batch-size",
        "32",
        "--lr",
        "0.01",
        "--out",
        out.toString(),
        "--json",
        "--quiet");
  }

  private static JsonObject quantize(Path in, Path out) {
    return ok(
        "quantize",
        "--in",
        in.toString(),
        "--data",
        train.toString(),
        "--test-data",
        test.toString(),
        "--epochs",
        "1",
        "--batch-size",
        "32",
        "--lr",
        "0.001",
        "--out",
        out.toString(),
        "--json",
        "--quiet");
  }

  /** verify: bit-exact on every output; eval: the same per-output int8 accuracies on BUILTIN. */
  private static void verifyAndEvalAgree(Path qat, Path int8) {
    JsonObject v =
        ok(
            "verify",
            "--model",
            qat.toString(),
            "--tflite",
            int8.toString(),
            "--data",
            test.toString(),
            "--json",
            "--quiet");
    assertEquals(300, v.get("count").getAsInt());
    assertEquals(1.0, v.get("bit_exact_fraction_builtin").getAsDouble(), v.toString());
    assertEquals(300 * 5, v.get("output_elements").getAsLong(), "both outputs compared");
    JsonObject e =
        ok("eval", "--model", int8.toString(), "--data", test.toString(), "--json", "--quiet");
    assertEquals(300, e.get("count").getAsInt());
    for (int o = 0; o < 2; o++) {
      JsonObject vo = v.getAsJsonArray("outputs").get(o).getAsJsonObject();
      assertEquals(1.0, vo.get("bit_exact_fraction_builtin").getAsDouble(), vo.toString());
      assertEquals(
          vo.get("accuracy_int8").getAsDouble(),
          e.getAsJsonArray("outputs").get(o).getAsJsonObject().get("accuracy").getAsDouble(),
          "eval and verify score output " + o + " alike on TFLite BUILTIN");
      assertTrue(vo.get("accuracy_int8").getAsDouble() > 0.8, vo.toString());
    }
  }

  @Test
  void ptqCalibratesOnTheNpzAndVerifiesBitExact() {
    Path int8 = dir.resolve("p.tflite");
    JsonObject p =
        ok(
            "ptq",
            "--in",
            model.toString(),
            "--data",
            train.toString(),
            "--calibration",
            "100",
            "--out",
            int8.toString(),
            "--json",
            "--quiet");
    assertEquals(100, p.get("calibration_samples").getAsInt());
    assertEquals("npz", p.get("calibration_data").getAsString());
    JsonObject v =
        ok(
            "verify",
            "--model",
            model.toString(),
            "--tflite",
            int8.toString(),
            "--data",
            test.toString(),
            "--json",
            "--quiet");
    assertEquals(1.0, v.get("bit_exact_fraction_builtin").getAsDouble(), v.toString());
    assertEquals(2, v.getAsJsonArray("outputs").size());
  }

  @Test
  void dataThatDoesNotFitIsAUsageErrorNamingTheArray() throws IOException {
    Path csv = Files.writeString(dir.resolve("d.csv"), "1,2,3,4,5,0\n");
    CliRun r =
        CliRun.of(
            "ptq",
            "--in",
            model.toString(),
            "--data",
            csv.toString(),
            "--out",
            dir.resolve("x.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("one array per input"), r.toString());
    Path half = dir.resolve("half.npz");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(half))) {
      put(z, "x_a", UserDataFiles.npyF4(new float[6], 2, 3));
    }
    r =
        CliRun.of(
            "ptq",
            "--in",
            model.toString(),
            "--data",
            half.toString(),
            "--out",
            dir.resolve("x.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("input 1 'b'") && r.err().contains("x_b.npy"), r.toString());
    r =
        CliRun.of(
            "ptq",
            "--in",
            model.toString(),
            "--calibration",
            "generated",
            "--out",
            dir.resolve("x.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("several inputs"), r.toString());
  }
}
