package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.ir.DType;

@Tag("native")
class HarnessTest {
  static float[][] randomInputs(int n, int size, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[n][size];
    for (float[] row : x) {
      for (int i = 0; i < size; i++) {
        row[i] = r.nextFloat() * 4 - 2;
      }
    }
    return x;
  }

  @Test
  void accuracyUsesTheModelsPredictionsAndCanFail() {
    float[][] x = randomInputs(40, 4, 1);
    int[] labels = new int[x.length];
    int[] wrong = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      labels[i] = Validation.argmax(InterpreterTest.floatFcReference(x[i]));
      wrong[i] = (labels[i] + 1) % 3;
    }
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      assertEquals(1.0, Validation.accuracy(it, x, labels).top1());
      assertEquals(0.0, Validation.accuracy(it, x, wrong).top1());
    }
  }

  @Test
  void accuracyOnSamplesReadOneAtATime() {
    float[][] x = randomInputs(12, 4, 5);
    int[] labels = new int[12];
    for (int i = 0; i < 12; i++) {
      labels[i] = Validation.argmax(InterpreterTest.floatFcReference(x[i]));
    }
    labels[0] = (labels[0] + 1) % 3;
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      Validation.Accuracy a = Validation.accuracy(it, 12, i -> x[i], i -> labels[i]);
      assertEquals(11, a.correct());
      assertThrows(
          IllegalArgumentException.class,
          () -> Validation.accuracy(it, 2, i -> new float[3], i -> 0));
    }
  }

  @Test
  void int8InputIsQuantizedWithTheModelsParameters() {
    float[][] x = randomInputs(20, 4, 2);
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m)) {
      int[] labels = new int[x.length];
      int close = 0;
      for (int i = 0; i < x.length; i++) {
        byte[] q = AffineCodec.quantize(x[i], it.input(0).quantization(), DType.INT8);
        byte[] ref = TinyModels.int8FcReference(q);
        float[] r = {ref[0], ref[1], ref[2]};
        labels[i] = Validation.argmax(r);
        java.util.Arrays.sort(r);
        close += r[2] - r[1] <= 1 ? 1 : 0; // a tie-rounding difference of 1 LSB may flip these
      }
      Validation.Accuracy acc = Validation.accuracy(it, x, labels);
      assertTrue(acc.correct() >= x.length - close, acc + ", ambiguous samples " + close);
      assertTrue(close < x.length / 2, "test data must be mostly unambiguous");
    }
  }

  @Test
  void agreementAndCrossBackendOnFloatModel() {
    float[][] x = randomInputs(10, 4, 3);
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter a = Interpreter.create(m);
        Interpreter b =
            Interpreter.create(m, Interpreter.Options.builder().backend(Backend.XNNPACK).build())) {
      Validation.Agreement ag = Validation.agreement(a, b, x);
      assertEquals(1.0, ag.top1Agreement());
      assertTrue(ag.maxAbsDiff() < 1e-5, "" + ag);
      assertTrue(Double.isNaN(ag.maxDiffInOutputScale()));
      Validation.BackendComparison c =
          Validation.compareBackends(m, Backend.BUILTIN, Backend.XNNPACK, x, 1);
      assertEquals(30, c.elements());
      assertEquals(1.0, c.top1Agreement());
      assertTrue(c.coverageB().contains("delegated"), c.coverageB());
    }
  }

  @Test
  void crossBackendOnUint8MobileNet() throws Exception {
    float[][] x = {toReal(SharedModels.catPixels(128))};
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(RealModelTest.MODEL))) {
      Validation.BackendComparison c =
          Validation.compareBackends(m, Backend.BUILTIN, Backend.XNNPACK, x, 1);
      System.out.println("mobilenet BUILTIN vs XNNPACK: " + c);
      assertEquals(1001, c.elements());
      assertEquals(1.0, c.top1Agreement());
      assertTrue(c.maxLsb() <= 8 && c.exactMatchPercent() > 50, c.toString());
    }
  }

  static float[] toReal(byte[] pixels) {
    float[] f = new float[pixels.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((pixels[i] & 0xff) - 128) / 128f;
    }
    return f;
  }

  @Test
  void benchmarkReportHasAllFieldsAndJson(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("fc.tflite");
    Files.write(model, TinyModels.int8Fc().build());
    Benchmark.Report r =
        Benchmark.run(
            Benchmark.Config.of(model)
                .with(Backend.XNNPACK, 1)
                .runs(2, 0, 20, 0, 5)
                .profiling(true));
    assertEquals(20, r.steady().count());
    assertEquals(20, r.steadySamplesMs().size());
    // the samples are what the summary was computed from
    assertEquals(
        Stats.of(r.steadySamplesMs().stream().mapToDouble(Double::doubleValue).toArray()),
        r.steady());
    assertThrows(UnsupportedOperationException.class, () -> r.steadySamplesMs().set(0, 0.0));
    assertTrue(r.warmup().count() >= 2);
    assertTrue(
        r.steady().min() <= r.steady().p50()
            && r.steady().p50() <= r.steady().p99()
            && r.steady().p99() <= r.steady().max());
    assertTrue(r.coverage().delegated());
    assertEquals(Files.size(model), r.modelBytes());
    assertEquals("2.20.0", r.tfliteVersion());
    assertNotNull(r.ops());
    JsonObject j = JsonParser.parseString(r.toJson()).getAsJsonObject();
    assertEquals("XNNPACK", j.get("backend").getAsString());
    assertEquals(20, j.getAsJsonObject("steady").get("count").getAsInt());
    assertEquals(20, j.getAsJsonArray("steadySamplesMs").size());
    assertTrue(r.toText().contains("Steady"));
    Benchmark.Report timed =
        Benchmark.run(Benchmark.Config.of(model).runs(0, 0, 1_000_000, 0, 0.2));
    assertTrue(timed.steady().count() < 1_000_000, "max_secs must bound the run");
  }
}
