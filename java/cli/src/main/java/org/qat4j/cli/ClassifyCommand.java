package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qat4j classify}: top-k classes of images with an image classifier .tflite (any source),
 * preprocessed from the model's input tensor, labels from a file or the model's metadata.
 */
@Command(
    name = "classify",
    mixinStandardHelpOptions = true,
    description =
        "Classify images (PNG, JPEG, BMP) with a .tflite image classifier: top-k labels and scores.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j classify --model mobilenet_v2_1.0_224_quant.tflite bird.bmp",
      "  ./qat4j classify --model m.tflite --labels imagenet_labels.txt --top 3 a.jpg b.png --json",
      "",
      "Images are resized to the input's H x W (bilinear; --resize crop keeps the aspect ratio);",
      "uint8 inputs get the pixel values, int8 inputs pixel - 128, float inputs pixels scaled to [-1, 1],",
      "unless --mean/--std give (p/255 - mean)/std, quantized with the input's scale and zero point.",
      "Labels: --labels FILE (line i = output index i), else the labels file the model carries",
      "(TFLite metadata), else indices only.",
      "JSON fields: results[{image, top[{label, index, score}]}], backend (labels, model)"
    })
final class ClassifyCommand extends BaseCommand {
  @Mixin InterpreterOptions run;

  @Mixin ImageOptions image;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (PNG, JPEG, BMP).")
  List<Path> images;

  @Option(
      names = "--labels",
      paramLabel = "FILE",
      description = "Class names, one per line (line i = output index i).")
  Path labels;

  @Option(
      names = "--top",
      defaultValue = "5",
      paramLabel = "K",
      description = "Classes to report per image (default: ${DEFAULT-VALUE}).")
  int top;

  @Override
  JsonObject execute() throws Exception {
    Args.positive(top, "--top");
    image.check();
    if (labels != null) DataOption.exists(labels, "--labels");
    for (Path f : images) DataOption.exists(f, "IMAGE");
    run.check(pipeline());
    try (ModelRunner m = ModelRunner.open(run.model, run.backend, run.threads, run.customOps)) {
      if (m.inputs().size() != 1)
        throw CliException.usage(
            "--model: "
                + run.model
                + " has "
                + m.inputs().size()
                + " inputs; classify takes single-input image models");
      TensorIo.Port out = m.outputs().get(0);
      List<Object> inputs = new ArrayList<>(); // every image decoded before any work or message
      for (Path f : images) inputs.add(image.read(f, m.inputs().get(0), "IMAGE"));
      Labels names = labels(out.elements());
      JsonArray results = new JsonArray();
      for (int i = 0; i < images.size(); i++) {
        Object[] y = m.invoke(new Object[] {inputs.get(i)});
        results.add(result(images.get(i), TensorIo.real(y[0], out), names));
      }
      JsonObject r = new JsonObject();
      r.add("results", results);
      r.addProperty("backend", TfliteRun.id(run.backend));
      r.addProperty("labels", names.source());
      r.addProperty("model", run.model.toString());
      return r;
    }
  }

  private Labels labels(int classes) throws IOException {
    Labels l = labels != null ? Labels.file(labels) : Labels.embedded(run.model, classes);
    if (l.names().isEmpty())
      info(
          "no labels: the model carries none; pass --labels FILE (one per line) for names, printing indices");
    else if (l.names().size() != classes)
      info(
          String.format(
              Locale.ROOT,
              "warning: %d labels (%s) for %d output classes: names may be shifted",
              l.names().size(),
              l.source(),
              classes));
    return l;
  }

  private JsonObject result(Path f, float[] scores, Labels names) {
    JsonArray t = new JsonArray();
    IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> i))
        .limit(top)
        .forEach(
            i -> {
              JsonObject e = new JsonObject();
              e.addProperty("label", names.name(i));
              e.addProperty("index", i);
              e.addProperty("score", scores[i]);
              t.add(e);
            });
    JsonObject r = new JsonObject();
    r.addProperty("image", f.toString());
    r.add("top", t);
    return r;
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    for (JsonElement e : r.getAsJsonArray("results")) {
      JsonObject o = e.getAsJsonObject();
      out.println(o.get("image").getAsString());
      for (JsonElement t : o.getAsJsonArray("top")) {
        JsonObject c = t.getAsJsonObject();
        String label = c.get("label").isJsonNull() ? "class" : c.get("label").getAsString();
        out.printf(
            Locale.ROOT,
            "  %.4f  %s (%d)%n",
            c.get("score").getAsDouble(),
            label,
            c.get("index").getAsInt());
      }
    }
    out.println(
        "backend: "
            + r.get("backend").getAsString()
            + ", labels: "
            + r.get("labels").getAsString());
  }
}
