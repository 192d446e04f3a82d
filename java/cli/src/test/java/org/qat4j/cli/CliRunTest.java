package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code run} on Google's models: .npy samples along the first axis (real values quantized with the
 * input's parameters, or stored int8 numbers), images, outputs dequantized per sample and output.
 */
@Tag("native")
class CliRunTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"builtin", "xnnpack"})
  void helloWorldGivesSineOnEveryNpySample(String backend) throws IOException {
    float[] x = new float[12];
    for (int i = 0; i < x.length; i++) x[i] = (float) (2 * Math.PI * i / (x.length - 1));
    Path npy = Files.write(tmp.resolve("x.npy"), UserDataFiles.npyF4(x, x.length, 1));
    CliRun r =
        CliRun.of(
            "run",
            "--model",
            RealModels.require("hello_world_int8.tflite"),
            "--input",
            npy.toString(),
            "--backend",
            backend,
            "--json",
            "-q");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(x.length, j.get("count").getAsInt());
    assertEquals(backend, j.get("backend").getAsString());
    JsonArray outs = j.getAsJsonArray("outputs");
    assertEquals(x.length, outs.size());
    for (int i = 0; i < x.length; i++) {
      JsonArray perSample = outs.get(i).getAsJsonArray();
      assertEquals(1, perSample.size(), "one model output");
      double y = perSample.get(0).getAsJsonArray().get(0).getAsDouble();
      assertEquals(Math.sin(x[i]), y, 0.15, "sample " + i + " x=" + x[i]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"builtin"})
  void storedInt8NumbersEqualQuantizedRealValues(String backend) throws IOException {
    // hello_world_int8's input: the stored numbers q and the real values (q - zp) * scale are the
    // same input, so both .npy files give identical outputs.
    CliRun info = CliRun.of("inspect", RealModels.require("hello_world_int8.tflite"), "--json");
    JsonObject in = info.json().getAsJsonArray("tensors").get(0).getAsJsonObject();
    double scale = in.get("scale").getAsDouble();
    int zp = in.get("zero_point").getAsInt();
    byte[] q = {-128, -100, -50, 0, 50, 127};
    float[] real = new float[q.length];
    for (int i = 0; i < q.length; i++) real[i] = (float) ((q[i] - zp) * scale);
    Path a = Files.write(tmp.resolve("q.npy"), UserDataFiles.npyI1(q, q.length, 1, 1));
    Path b = Files.write(tmp.resolve("r.npy"), UserDataFiles.npyF4(real, q.length, 1, 1));
    String m = RealModels.require("hello_world_int8.tflite");
    CliRun ra = CliRun.of("run", "--model", m, "--input", a.toString(), "--json", "-q");
    CliRun rb = CliRun.of("run", "--model", m, "--input", b.toString(), "--json", "-q");
    assertEquals(0, ra.code(), ra.toString());
    assertEquals(0, rb.code(), rb.toString());
    assertEquals(ra.json().get("outputs"), rb.json().get("outputs"));
    assertEquals(q.length, ra.json().get("count").getAsInt());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mobilenet_v2_1.0_224_quant.tflite", "keras_lstm_mnist_ptq.tflite"})
  void imagesAreSamples(String model) {
    boolean mnist = model.startsWith("keras");
    String img = RealModels.require(mnist ? "mnist_nine.bmp" : "bird.bmp");
    CliRun r =
        CliRun.of("run", "--model", RealModels.require(model), "--input", img, img, "--json", "-q");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(2, j.get("count").getAsInt());
    JsonArray first = j.getAsJsonArray("outputs").get(0).getAsJsonArray().get(0).getAsJsonArray();
    assertEquals(mnist ? 10 : 1001, first.size());
    float[] v = new float[first.size()];
    double sum = 0;
    for (int i = 0; i < v.length; i++) sum += v[i] = first.get(i).getAsFloat();
    assertEquals(1.0, sum, 0.05, "softmax probabilities");
    assertEquals(mnist ? 9 : 20, ReferenceCompare.argmax(v), r.toString());
    assertEquals(
        j.getAsJsonArray("outputs").get(0), j.getAsJsonArray("outputs").get(1), "same image twice");
    assertArrayEquals(
        new int[] {1, first.size()},
        Json.GSON.fromJson(j.getAsJsonArray("output_shapes").get(0), int[].class));
  }
}
