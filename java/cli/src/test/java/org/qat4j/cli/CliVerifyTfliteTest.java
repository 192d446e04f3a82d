package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --tflite X} without a qat4j model, on Google's own int8 models: BUILTIN equals the
 * integer simulator, the generated and .npy input sets, {@code --reference} against the float
 * original, and clear refusals (float model, operators the simulator lacks).
 */
@Tag("native")
class CliVerifyTfliteTest {
  @TempDir Path tmp;

  @Test
  void googlesInt8ModelIsBitExactOnGeneratedInputs() {
    CliRun r =
        CliRun.of(
            "verify", "--tflite", RealModels.require("hello_world_int8.tflite"), "--json", "-q");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(1.0, j.get("bit_exact_fraction_builtin").getAsDouble(), r.toString());
    assertEquals(0, j.get("max_lsb_builtin").getAsInt());
    assertTrue(j.get("max_lsb_xnnpack").getAsInt() <= 1, r.toString());
    assertTrue(j.get("bit_exact_fraction_xnnpack").getAsDouble() > 0.5, r.toString());
    assertEquals(InputSamples.GENERATED, j.get("count").getAsInt());
    assertTrue(j.get("inputs").getAsString().startsWith("generated"), r.toString());
    JsonObject out = j.getAsJsonArray("outputs").get(0).getAsJsonObject();
    assertEquals(InputSamples.GENERATED, out.get("elements").getAsInt());
    assertEquals("INT8", out.get("type").getAsString());
  }

  @Test
  void npyDataAndFloatReferenceGiveSqnr() throws IOException {
    float[] x = new float[50];
    for (int i = 0; i < x.length; i++) x[i] = (float) (2 * Math.PI * i / (x.length - 1));
    Path npy = Files.write(tmp.resolve("x.npy"), UserDataFiles.npyF4(x, 50, 1));
    CliRun r =
        CliRun.of(
            "verify",
            "--tflite",
            RealModels.require("hello_world_int8.tflite"),
            "--reference",
            RealModels.require("hello_world_float.tflite"),
            "--data",
            npy.toString(),
            "--json",
            "-q");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(50, j.get("count").getAsInt());
    assertEquals(1.0, j.get("bit_exact_fraction_builtin").getAsDouble(), r.toString());
    assertTrue(j.get("top1_agreement").isJsonNull(), "one output value: not a classifier");
    double sqnr = j.getAsJsonArray("output_sqnr_db").get(0).getAsDouble();
    // sin x in [-1, 1] with a mean error of about 0.02 between int8 and float: roughly 30 dB.
    assertTrue(sqnr > 20 && sqnr < 60, "int8 vs float SQNR " + sqnr + " dB");
  }

  @Test
  void floatModelIsAUsageError() {
    CliRun r = CliRun.of("verify", "--tflite", RealModels.require("hello_world_float.tflite"));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("float model") && r.err().contains("--reference"), r.toString());
  }

  @Test
  void edgetpuCompiledModelIsAUsageError() {
    CliRun r =
        CliRun.of(
            "verify",
            "--tflite",
            RealModels.require("keras_lstm_mnist_ptq_edgetpu.tflite"),
            "--json");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("compiled for the Edge TPU"), r.toString());
    assertEquals(1, r.errLines(), r.toString());
  }

  @Test
  void operatorsTheSimulatorLacksAreNamedOncePerKind() {
    String reader =
        "subgraph 0: cannot convert: operator 64 (RESIZE_BILINEAR) is not supported; operator 69"
            + " (RESIZE_BILINEAR) is not supported; operator 71 (ARG_MAX) is not supported";
    assertEquals(
        "it lacks operator(s) RESIZE_BILINEAR (ops 64, 69), ARG_MAX (op 71); TFLite itself runs it"
            + " (./qat4j run / eval / bench)",
        TfliteVerify.unsupported(reader));
    assertEquals("something else", TfliteVerify.unsupported("something else"));
  }

  @Test
  void referenceThatDoesNotFitIsAUsageError() {
    CliRun r =
        CliRun.of(
            "verify",
            "--tflite",
            RealModels.require("hello_world_int8.tflite"),
            "--reference",
            RealModels.require("micro_speech_quantized.tflite"));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--reference") && r.err().contains("does not fit"), r.toString());
  }
}
