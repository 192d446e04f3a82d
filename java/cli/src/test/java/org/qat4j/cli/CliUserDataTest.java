package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User data (CSV, .npy/.npz, image folders) through train, quantize and ptq, and the errors for
 * data that does not fit.
 */
class CliUserDataTest {
  @TempDir static Path tmp;
  static Path tab;
  static Path trainCsv;
  static Path testNpz;

  @BeforeAll
  static void files() throws IOException {
    UserDataFiles.Tabular t = UserDataFiles.Tabular.write(tmp);
    tab = t.model();
    trainCsv = t.trainCsv();
    testNpz = t.testNpz();
  }

  static Path helloWorld(String name) {
    Path p =
        Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"))
            .resolve("real")
            .resolve(name);
    assumeTrue(
        Files.isRegularFile(p),
        p.toAbsolutePath() + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p;
  }

  private static JsonObject ok(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r.toString());
    return r.json();
  }

  private static String s(Path p) {
    return p.toString();
  }

  @Test
  void trainAndQuantizeOnCsvAndNpz() {
    JsonObject t =
        ok(
            "train",
            "--model",
            s(tab),
            "--data",
            s(trainCsv),
            "--label-column",
            "label",
            "--test-data",
            s(testNpz),
            "--epochs",
            "15",
            "--batch-size",
            "32",
            "--lr",
            "0.01",
            "--out",
            s(tmp.resolve("tab-trained.q4j")),
            "--json",
            "--quiet");
    assertEquals(600, t.get("train_images").getAsInt());
    assertEquals(200, t.get("test_count").getAsInt());
    assertTrue(t.get("test_accuracy").getAsDouble() > 0.9, t.toString());
    JsonObject q =
        ok(
            "quantize",
            "--in",
            s(tmp.resolve("tab-trained.q4j")),
            "--data",
            s(testNpz),
            "--val-data",
            s(testNpz),
            "--test-data",
            s(testNpz),
            "--epochs",
            "2",
            "--batch-size",
            "32",
            "--out",
            s(tmp.resolve("tab.qat")),
            "--json",
            "--quiet");
    assertTrue(q.get("test_accuracy_fake_quant").getAsDouble() > 0.9, q.toString());
  }

  @Test
  void dataThatDoesNotFitIsAUsageError() throws IOException {
    CliRun noTest =
        CliRun.of(
            "train",
            "--model",
            s(tab),
            "--data",
            s(trainCsv),
            "--label-column",
            "label",
            "--out",
            s(tmp.resolve("x.q4j")));
    assertEquals(2, noTest.code(), noTest.toString());
    assertTrue(noTest.err().contains("--test-data: needed"), noTest.toString());
    CliRun noLabels =
        CliRun.of(
            "train",
            "--model",
            s(tab),
            "--data",
            s(trainCsv),
            "--test-data",
            s(testNpz),
            "--out",
            s(tmp.resolve("x.q4j")));
    assertEquals(2, noLabels.code(), noLabels.toString());
    assertTrue(noLabels.err().contains("needs a label column"), noLabels.toString());
    Path four = Files.writeString(tmp.resolve("four.csv"), "1,2,3,0\n4,5,6,1\n");
    CliRun mismatch =
        CliRun.of(
            "train",
            "--model",
            s(tab),
            "--data",
            s(four),
            "--label-column",
            "3",
            "--test-data",
            s(testNpz),
            "--out",
            s(tmp.resolve("x.q4j")));
    assertEquals(2, mismatch.code(), mismatch.toString());
    assertTrue(mismatch.err().contains("do not fit the model input [2]"), mismatch.toString());
    Path bad = Files.writeString(tmp.resolve("bad.csv"), "a,b,label\n1,2,0\n3,oops,1\n");
    CliRun cell =
        CliRun.of(
            "train",
            "--model",
            s(tab),
            "--data",
            s(bad),
            "--label-column",
            "label",
            "--test-data",
            s(testNpz),
            "--out",
            s(tmp.resolve("x.q4j")));
    assertEquals(2, cell.code(), cell.toString());
    assertTrue(cell.err().contains("line 3, column 2: 'oops' is not a number"), cell.toString());
    assertEquals(1, cell.errLines(), cell.toString());
  }

  @Test
  void ptqReportsTheSamplesItUsed() throws IOException {
    Path model = helloWorld("hello_world_float.tflite");
    float[] x = new float[300];
    for (int i = 0; i < x.length; i++) x[i] = (float) (2 * Math.PI * i / x.length);
    Path npy = Files.write(tmp.resolve("x.npy"), UserDataFiles.npyF4(x, x.length));
    JsonObject r =
        ok(
            "ptq",
            "--in",
            s(model),
            "--data",
            s(npy),
            "--out",
            s(tmp.resolve("hw.tflite")),
            "--json",
            "--quiet");
    assertEquals(300, r.get("calibration_samples").getAsInt(), r.toString());
    assertEquals(300, r.get("calibration_images").getAsInt());
    assertEquals("npy", r.get("calibration_data").getAsString());
    JsonObject some =
        ok(
            "ptq",
            "--in",
            s(model),
            "--data",
            s(npy),
            "--calibration",
            "100",
            "--out",
            s(tmp.resolve("hw2.tflite")),
            "--json",
            "--quiet");
    assertEquals(100, some.get("calibration_samples").getAsInt());
  }

  @Test
  void generatedCalibrationOnlyWhenAskedAndWithAWarning() {
    Path model = helloWorld("hello_world_float.tflite");
    CliRun noData = CliRun.of("ptq", "--in", s(model), "--out", s(tmp.resolve("g.tflite")));
    assertEquals(2, noData.code(), noData.toString());
    assertTrue(
        noData
            .err()
            .contains(
                Args.hasFashionMnist(Args.DEFAULT_DATA)
                    ? "do not fit the model input [1]"
                    : "Fashion-MNIST"),
        noData.toString());
    CliRun gen =
        CliRun.of(
            "ptq",
            "--in",
            s(model),
            "--calibration",
            "generated",
            "--out",
            s(tmp.resolve("g.tflite")),
            "--json");
    assertEquals(0, gen.code(), gen.toString());
    assertTrue(gen.err().contains("warning: calibrating on 32 generated"), gen.toString());
    assertEquals("generated", gen.json().get("calibration_data").getAsString());
    CliRun both =
        CliRun.of(
            "ptq",
            "--in",
            s(model),
            "--calibration",
            "generated",
            "--data",
            s(trainCsv),
            "--out",
            s(tmp.resolve("g.tflite")));
    assertEquals(2, both.code(), both.toString());
  }

  @Test
  void imageFolderTrainsAtTheModelsInputSize() throws IOException {
    Path root = tmp.resolve("imgs");
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (String cls : new String[] {"dark", "light"}) {
      Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < 24; i++) {
        BufferedImage img = new BufferedImage(40, 32, BufferedImage.TYPE_INT_RGB);
        int base = cls.equals("dark") ? 30 : 200;
        for (int yy = 0; yy < 32; yy++)
          for (int xx = 0; xx < 40; xx++) {
            int v = base + r.nextInt(40);
            img.setRGB(xx, yy, v << 16 | v << 8 | v);
          }
        ImageIO.write(img, "png", root.resolve(cls).resolve(i + ".png").toFile());
      }
    }
    JsonObject t =
        ok(
            "train",
            "--model",
            "reference-cnn",
            "--data",
            s(root),
            "--test-data",
            s(root),
            "--resize",
            "crop",
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--out",
            s(tmp.resolve("img.q4j")),
            "--json",
            "--quiet");
    assertEquals(48, t.get("train_images").getAsInt());
    assertEquals(48, t.get("test_count").getAsInt());
    // Training accuracy shows images and labels line up; test accuracy after 12 steps reflects
    // BatchNorm's
    // barely-updated running statistics, not the data.
    assertTrue(t.getAsJsonArray("train_accuracy").get(1).getAsDouble() > 0.9, t.toString());
  }
}
