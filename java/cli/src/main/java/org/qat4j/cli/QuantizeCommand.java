package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j quantize}: quantization-aware fine-tuning of a saved float model. */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = "QAT fine-tune a saved float model (fake-quant int8) and save the QAT model.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j quantize --in cnn.q4j --epochs 1 --out cnn-qat.q4j",
      "  ./qat4j quantize --in cnn.q4j --epochs 2 --lr 1e-4 --out cnn-qat.q4j --json",
      "  ./qat4j quantize --in tab.q4j --data train.csv --label-column label --test-data test.csv --out tab-qat.q4j",
      "  ./qat4j quantize --in mobilenet_v1_0.25_128_quant.tflite --new-head MobilenetV1/Logits/AvgPool_1a/AvgPool \\",
      "      --data photos/ --test-data held-out/ --mean 0.5 --std 0.5 --out retrained-qat.q4j",
      "",
      "JSON fields: test_accuracy_fake_quant, epoch_seconds[], train_loss[], train_accuracy[], path, bytes;",
      "  with --new-head also new_head, head_classes, trainable_parameters, head_train_accuracy"
    })
final class QuantizeCommand extends BaseCommand {
  @Mixin TrainingOptions training;

  @Option(
      names = "--in",
      required = true,
      paramLabel = "FILE",
      description = "Saved float model (from train), or zoo:NAME.")
  String in;

  @Mixin DataOption data;

  @Mixin SparkOption spark;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description = "QAT epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--lr",
      defaultValue = "0.0001",
      description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "QAT model to write.")
  Path out;

  @Option(
      names = "--new-head",
      paramLabel = "LAYER",
      description =
          "Transfer learning: cut the model after LAYER, add a new Dense classifier for the data's"
              + " classes and train only it (LAYER and before stay frozen, also during QAT). --in"
              + " may then be a float or int8/uint8 .tflite (imported with dequantized weights).")
  String newHead;

  @Option(
      names = "--head-epochs",
      defaultValue = "10",
      description = "Float epochs for the new head before QAT (default: ${DEFAULT-VALUE}).")
  int headEpochs;

  @Override
  JsonObject execute() throws Exception {
    training.validate(epochs, lr);
    if (headEpochs < 0 || headEpochs > 10_000)
      throw CliException.usage("--head-epochs must be in [0, 10000], got " + headEpochs);
    if (newHead != null && data.data == null)
      throw CliException.usage("--new-head needs --data (the labelled images of the new classes)");
    String model = Pipeline.modelArg(in, "--in", newHead != null);
    Path d = data.dir();
    data.requireTestSplit();
    Args.outFile(out, "--out");
    Outputs.notAnInput(out, "--out", in, "--in");
    Outputs.notData(out, "--out", d);
    spark.refuse(newHead != null, "--new-head");
    ScaleOut.Job onSpark = spark.on() ? spark.job(data, d, training.limit, null) : null;
    return new QuantSteps(pipeline().withData(data), onSpark)
        .quantize(
            new TrainSpec(
                    model,
                    d,
                    epochs,
                    seed,
                    training.batchSize,
                    lr,
                    training.limit,
                    out,
                    training.testLimit,
                    training.cosine(false))
                .withLossWeights(training.lossWeights),
            newHead == null ? null : new NewHead(newHead, headEpochs));
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    Human.training(r, out);
  }
}
