package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.FineTune;
import org.qat4j.core.train.Trainer;
import org.qat4j.quant.raise.TfliteImporter;
import org.qat4j.tflite.ModelFormatException;

/**
 * {@code quantize --new-head LAYER}: transfer learning before QAT. The model (a float or int8/uint8
 * .tflite, dequantized, or any model quantize takes) is cut after LAYER, gets a new Dense
 * classifier sized to the data's classes, and only that head trains in float for {@code epochs};
 * QAT then fine-tunes with the layers before the head still frozen.
 */
record NewHead(String layer, int epochs) {
  /** The float model with its new, trained head; fills {@code json} with what it did. */
  Model prepare(Pipeline p, TrainSpec s, JsonObject json) throws IOException {
    Model src = load(s.model(), s.seed());
    if (!src.nodes().contains(nodeOrNull(src)))
      throw CliException.usage(
          "--new-head: no layer '" + layer + "' in " + s.model() + " (see: inspect --in FILE)");
    Dataset train = p.trainSet(s.data(), s.limit(), src.inputShape());
    Model m = FineTune.newHead(src, layer, Math.max(2, train.numClasses()), s.seed());
    long trainable = FineTune.trainableFrom(m, FineTune.HEAD);
    p.info()
        .accept(
            String.format(
                Locale.ROOT,
                "new head after '%s': %d classes, %d trainable parameters, %d float epoch(s)",
                layer,
                train.numClasses(),
                trainable,
                epochs));
    Trainer t = new Trainer(m, new Adam(1e-2));
    var h = t.fit(train, null, epochs, Math.min(s.batchSize(), 32), s.seed());
    json.addProperty("new_head", layer);
    json.addProperty("head_classes", train.numClasses());
    json.addProperty("trainable_parameters", trainable);
    if (epochs > 0) json.addProperty("head_train_accuracy", h.last().accuracy());
    Finite.check(m, "the model with its new head", "--out");
    return m;
  }

  private Node nodeOrNull(Model m) {
    return m.nodes().stream().filter(n -> n.name().equals(layer)).findFirst().orElse(null);
  }

  private static Model load(String ref, long seed) throws IOException {
    Path p = Path.of(ref);
    if (!Files.isRegularFile(p) || !Args.isTflite(p)) return Models.load(ref, seed, "--in");
    Pipeline.readTflite(p, "--in"); // damaged files fail here with the usual message
    try {
      return TfliteImporter.dequantized(Files.readAllBytes(p));
    } catch (IllegalArgumentException | ModelFormatException e) {
      throw CliException.usage("--in: " + ref + " cannot be imported: " + Main.oneLine(e));
    }
  }
}
