package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qat4j run}: any .tflite on images or .npy arrays; every output of every sample,
 * dequantized to float and flattened.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a .tflite on images or .npy arrays and print every output (dequantized).",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j run --model mobilenet_v2_1.0_224_quant.tflite --input bird.bmp grace_hopper.bmp --json",
      "  ./qat4j run --model hello_world_int8.tflite --input x.npy --backend xnnpack --json",
      "",
      "Images (PNG, JPEG, BMP) are samples of a single image input, preprocessed as in classify.",
      ".npy: one file per model input, in input order; the first dimension is the sample axis and",
      "the rest must hold the input's values; float arrays are real values (quantized with the",
      "input's scale and zero point), integer arrays of the input's own type are fed as stored.",
      "JSON fields: outputs[sample][output][values], backend, count (output_names, output_shapes)"
    })
final class RunCommand extends BaseCommand {
  @Mixin InterpreterOptions run;

  @Mixin ImageOptions image;

  @Option(
      names = "--input",
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description = "Images (samples of the one input) or .npy arrays (one per model input).")
  List<Path> inputs;

  @Override
  JsonObject execute() throws Exception {
    image.check();
    boolean images = kind();
    run.check(pipeline());
    try (ModelRunner m = ModelRunner.open(run.model, run.backend, run.threads, run.customOps)) {
      List<Object[]> samples =
          images ? images(m) : InputSamples.fromNpy(inputs, m.inputs(), "--input").samples();
      JsonArray outputs = new JsonArray();
      for (Object[] s : samples) {
        Object[] y = m.invoke(s);
        JsonArray per = new JsonArray();
        for (int o = 0; o < y.length; o++)
          per.add(Json.GSON.toJsonTree(TensorIo.real(y[o], m.outputs().get(o))));
        outputs.add(per);
      }
      JsonObject r = new JsonObject();
      r.add("outputs", outputs);
      r.addProperty("backend", TfliteRun.id(run.backend));
      r.addProperty("count", samples.size());
      JsonArray names = new JsonArray(), shapes = new JsonArray();
      for (TensorIo.Port p : m.outputs()) {
        names.add(p.name());
        shapes.add(Json.GSON.toJsonTree(p.shape()));
      }
      r.add("output_names", names);
      r.add("output_shapes", shapes);
      return r;
    }
  }

  /** True when every --input is an image, false when every one is a .npy; mixing is refused. */
  private boolean kind() throws IOException {
    int img = 0;
    for (Path f : inputs) {
      DataOption.exists(f, "--input");
      if (ImageOptions.isImage(f)) img++;
      else if (!isNpy(f))
        throw CliException.usage(
            "--input: " + f + " is neither a .npy array nor an image (PNG, JPEG, BMP)");
    }
    if (img != 0 && img != inputs.size())
      throw CliException.usage("--input: give either images or .npy arrays, not both");
    return img > 0;
  }

  private static boolean isNpy(Path f) throws IOException {
    if (!Files.isRegularFile(f)) return false;
    try (InputStream in = Files.newInputStream(f)) {
      byte[] h = in.readNBytes(6);
      return h.length == 6 && (h[0] & 0xFF) == 0x93 && h[1] == 'N' && h[2] == 'U';
    }
  }

  private List<Object[]> images(ModelRunner m) {
    if (m.inputs().size() != 1)
      throw CliException.usage(
          "--input: "
              + run.model
              + " has "
              + m.inputs().size()
              + " inputs; images feed single-input models (give one .npy per input)");
    List<Object[]> l = new ArrayList<>();
    for (Path f : inputs) l.add(new Object[] {image.read(f, m.inputs().get(0), "--input")});
    return l;
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    JsonArray outs = r.getAsJsonArray("outputs");
    for (int s = 0; s < outs.size(); s++) {
      JsonArray per = outs.get(s).getAsJsonArray();
      for (int o = 0; o < per.size(); o++) {
        JsonArray v = per.get(o).getAsJsonArray();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(8, v.size()); i++)
          b.append(i > 0 ? ", " : "")
              .append(String.format(Locale.ROOT, "%.6g", v.get(i).getAsDouble()));
        int best = 0;
        for (int i = 1; i < v.size(); i++)
          if (v.get(i).getAsDouble() > v.get(best).getAsDouble()) best = i;
        out.printf(
            Locale.ROOT,
            "sample %d output %s %s: %d values, largest at index %d [%s%s]%n",
            s,
            r.getAsJsonArray("output_names").get(o).getAsString(),
            r.getAsJsonArray("output_shapes").get(o),
            v.size(),
            best,
            b,
            v.size() > 8 ? ", ..." : "");
      }
    }
    out.println(
        "backend: " + r.get("backend").getAsString() + ", samples: " + r.get("count").getAsInt());
  }
}
