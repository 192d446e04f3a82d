package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code classify} on Google's MobileNets and the Coral test photos: bird.bmp is a chickadee,
 * grace_hopper.bmp a military uniform, with the labels the models carry or a given file; a model
 * without labels prints indices.
 */
@Tag("native")
class CliClassifyTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "mobilenet_v2_1.0_224_quant.tflite, builtin",
    "mobilenet_v2_1.0_224_quant.tflite, xnnpack",
    "tf2_mobilenet_v2_1.0_224_ptq.tflite, builtin",
    "tf2_mobilenet_v2_1.0_224_ptq.tflite, xnnpack"
  })
  void birdIsAChickadee(String model, String backend) {
    CliRun r =
        CliRun.of(
            "classify",
            "--model",
            RealModels.require(model),
            "--backend",
            backend,
            RealModels.require("bird.bmp"),
            RealModels.require("grace_hopper.bmp"),
            "--top",
            "3",
            "--json",
            "-q");
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertEquals(backend, j.get("backend").getAsString());
    assertTrue(j.get("labels").getAsString().contains("imagenet_labels.txt"), r.toString());
    JsonArray results = j.getAsJsonArray("results");
    assertEquals(2, results.size());
    JsonObject bird = top(results, 0);
    assertEquals("chickadee", bird.get("label").getAsString(), r.toString());
    assertEquals(20, bird.get("index").getAsInt());
    assertTrue(bird.get("score").getAsDouble() > 0.5, r.toString());
    assertEquals("military uniform", top(results, 1).get("label").getAsString(), r.toString());
    assertEquals(3, results.get(0).getAsJsonObject().getAsJsonArray("top").size());
  }

  @Test
  void labelsFileAndHumanOutput() throws IOException {
    Path labels = Files.writeString(tmp.resolve("three.txt"), "zero\none\ntwo\n");
    CliRun r =
        CliRun.of(
            "classify",
            "--model",
            RealModels.require("mobilenet_v2_1.0_224_quant.tflite"),
            "--labels",
            labels.toString(),
            RealModels.require("bird.bmp"),
            "--top",
            "1");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.err().contains("3 labels") && r.err().contains("1001 output classes"), r.toString());
    assertTrue(r.out().contains("class (20)"), "index 20 has no name in a 3-line file:\n" + r);
  }

  @Test
  void sharedLabelsFileNamesTheIndex() throws IOException {
    Path v1 = RealModels.dir().resolveSibling("mobilenet_v1_0.25_128_quant.tflite");
    String labels = RealModels.require("../imagenet_labels.txt");
    CliRun r =
        CliRun.of(
            "classify",
            "--model",
            RealModels.require("../" + v1.getFileName()),
            "--labels",
            labels,
            RealModels.require("bird.bmp"),
            "--json",
            "-q");
    assertEquals(0, r.code(), r.toString());
    assertEquals(labels, r.json().get("labels").getAsString());
    JsonObject t = top(r.json().getAsJsonArray("results"), 0);
    String line = Files.readAllLines(Path.of(labels)).get(t.get("index").getAsInt()).strip();
    assertEquals(line, t.get("label").getAsString(), r.toString());
  }

  @Test
  void modelWithoutLabelsPrintsIndices() throws IOException {
    Path img = tmp.resolve("gray.png");
    ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", img.toFile());
    CliRun r = CliRun.of("classify", "--model", "zoo:reference-cnn", img.toString(), "--json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("no labels"), r.toString());
    assertEquals("none", r.json().get("labels").getAsString());
    JsonArray top =
        r.json().getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonArray("top");
    assertEquals(5, top.size());
    assertTrue(top.get(0).getAsJsonObject().get("label").isJsonNull(), r.toString());
  }

  @Test
  void nonImageModelIsAUsageError() {
    CliRun r =
        CliRun.of(
            "classify",
            "--model",
            RealModels.require("micro_speech_quantized.tflite"),
            RealModels.require("bird.bmp"));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("is not an image input"), r.toString());
  }

  private static JsonObject top(JsonArray results, int image) {
    return results.get(image).getAsJsonObject().getAsJsonArray("top").get(0).getAsJsonObject();
  }
}
