package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * User data through TFLite: the hello_world check (PTQ of Google's float sine model on a
 * CSV of x in [0, 2π] must be at least as accurate as Google's own int8 model on the same x grid),
 * and eval/verify on a labelled .npz.
 */
@Tag("native")
class CliUserDataNativeTest {
  @TempDir Path tmp;

  /** Mean |model(x) − sin x| over {@code n} evenly spaced x in [0, 2π], run in TFLite BUILTIN. */
  static double meanAbsError(Path tflite, int n) throws IOException {
    double sum = 0;
    try (TfliteModel m = TfliteModel.fromFile(tflite);
        Interpreter it = Interpreter.create(m)) {
      for (int i = 0; i < n; i++) {
        double x = 2 * Math.PI * i / (n - 1);
        it.input(0).writeReal(new float[] {(float) x});
        it.invoke();
        sum += Math.abs(it.output(0).readReal()[0] - Math.sin(x));
      }
    }
    return sum / n;
  }

  @Test
  void helloWorldPtqOnACsvBeatsGooglesInt8() throws IOException {
    Path floatModel = CliUserDataTest.helloWorld("hello_world_float.tflite");
    Path google = CliUserDataTest.helloWorld("hello_world_int8.tflite");
    SplittableRandom r = new SplittableRandom(2026);
    StringBuilder csv = new StringBuilder("x\n");
    for (int i = 0; i < 1000; i++)
      csv.append(String.format(Locale.ROOT, "%.6f%n", r.nextDouble() * 2 * Math.PI));
    Path data = Files.writeString(tmp.resolve("x.csv"), csv);
    Path ours = tmp.resolve("hello_world_qat4j_int8.tflite");
    ptqOnAll1000(floatModel, data, ours, "csv");
    int grid = 1000;
    double oursErr = meanAbsError(ours, grid);
    double googleErr = meanAbsError(google, grid);
    double floatErr = meanAbsError(floatModel, grid);
    System.out.printf(
        Locale.ROOT,
        "hello_world mean |y - sin x| over %d x in [0, 2pi]: float %.4f, Google int8 %.4f, qat4j ptq int8 %.4f%n",
        grid,
        floatErr,
        googleErr,
        oursErr);
    assertTrue(
        Math.abs(googleErr - 0.0228) < 0.003,
        "Google's int8 should show its documented 0.0228, got " + googleErr);
    assertTrue(oursErr <= googleErr, "qat4j PTQ " + oursErr + " vs Google int8 " + googleErr);
  }

  @Test
  void helloWorldPtqOnAnNpyStaysWithinGooglesError() throws IOException {
    Path floatModel = CliUserDataTest.helloWorld("hello_world_float.tflite");
    SplittableRandom r = new SplittableRandom(2026);
    float[] x = new float[1000];
    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 * Math.PI);
    Path data = Files.write(tmp.resolve("x.npy"), UserDataFiles.npyF4(x, x.length));
    Path ours = tmp.resolve("hello_world_npy_int8.tflite");
    ptqOnAll1000(floatModel, data, ours, "npy");
    double err = meanAbsError(ours, 1000);
    System.out.printf(Locale.ROOT, "hello_world qat4j ptq int8 (.npy calibration): %.4f%n", err);
    assertTrue(err <= 0.0228, "qat4j PTQ " + err + " vs Google's documented int8 0.0228");
  }

  @Test
  void evalAndVerifyOnAnNpz() throws IOException {
    UserDataFiles.Tabular data = UserDataFiles.Tabular.write(tmp);
    Path tab = data.model();
    Path npz = data.testNpz();
    Path trained = tmp.resolve("t.q4j");
    assertEquals(
        0,
        CliRun.of(
                "train",
                "--model",
                tab.toString(),
                "--data",
                data.trainCsv().toString(),
                "--label-column",
                "label",
                "--test-data",
                npz.toString(),
                "--epochs",
                "10",
                "--batch-size",
                "32",
                "--lr",
                "0.01",
                "--out",
                trained.toString(),
                "--quiet")
            .code());
    Path qat = tmp.resolve("t.qat");
    assertEquals(
        0,
        CliRun.of(
                "quantize",
                "--in",
                trained.toString(),
                "--data",
                npz.toString(),
                "--test-data",
                npz.toString(),
                "--epochs",
                "1",
                "--out",
                qat.toString(),
                "--quiet")
            .code());
    Path int8 = tmp.resolve("t.tflite");
    assertEquals(
        0,
        CliRun.of(
                "export",
                "--in",
                qat.toString(),
                "--format",
                "int8",
                "--out",
                int8.toString(),
                "--quiet")
            .code());
    CliRun ev =
        CliRun.of(
            "eval", "--model", int8.toString(), "--data", npz.toString(), "--json", "--quiet");
    assertEquals(0, ev.code(), ev.toString());
    assertEquals(200, ev.json().get("count").getAsInt());
    assertTrue(ev.json().get("accuracy").getAsDouble() > 0.85, ev.toString());
    CliRun isolated =
        CliRun.of(
            "eval",
            "--model",
            int8.toString(),
            "--data",
            npz.toString(),
            "--isolate",
            "--json",
            "--quiet");
    assertEquals(0, isolated.code(), isolated.toString());
    assertEquals(
        ev.json().get("accuracy"),
        isolated.json().get("accuracy"),
        "TFLite in a child JVM gives the same results");
    CliRun v =
        CliRun.of(
            "verify",
            "--model",
            qat.toString(),
            "--tflite",
            int8.toString(),
            "--data",
            npz.toString(),
            "--json",
            "--quiet");
    assertEquals(0, v.code(), v.toString());
    JsonObject j = v.json();
    assertEquals(200, j.get("count").getAsInt());
    assertEquals(1.0, j.get("bit_exact_fraction_builtin").getAsDouble(), v.toString());
    Path xOnly =
        Files.write(tmp.resolve("x.npy"), UserDataFiles.npyF4(new float[] {0, 1, 2, 3}, 2, 2));
    CliRun unlabelled = CliRun.of("eval", "--model", int8.toString(), "--data", xOnly.toString());
    assertEquals(2, unlabelled.code(), unlabelled.toString());
    assertTrue(unlabelled.err().contains("labelled data needs a .npz"), unlabelled.toString());
  }

  /**
   * {@code ptq} of {@code floatModel} calibrated on all 1,000 samples of {@code data} (a {@code
   * kind} file).
   */
  private static void ptqOnAll1000(Path floatModel, Path data, Path ours, String kind) {
    CliRun run =
        CliRun.of(
            "ptq",
            "--in",
            floatModel.toString(),
            "--data",
            data.toString(),
            "--calibration",
            "1000",
            "--out",
            ours.toString(),
            "--json",
            "--quiet");
    assertEquals(0, run.code(), run.toString());
    assertEquals(1000, run.json().get("calibration_samples").getAsInt());
    assertEquals(kind, run.json().get("calibration_data").getAsString());
  }
}
