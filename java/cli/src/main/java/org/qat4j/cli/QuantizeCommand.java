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
      "",
      "JSON fields: test_accuracy_fake_quant, epoch_seconds[], train_loss[], train_accuracy[], path, bytes"
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

  @Override
  JsonObject execute() throws Exception {
    training.validate(epochs, lr);
    String model = Pipeline.modelArg(in, "--in", false);
    Path d = data.dir();
    data.requireTestSplit();
    Args.outFile(out, "--out");
    Outputs.notAnInput(out, "--out", in, "--in");
    Outputs.notData(out, "--out", d);
    return pipeline()
        .withData(data)
        .quantize(
            new Pipeline.TrainSpec(
                model,
                d,
                epochs,
                seed,
                training.batchSize,
                lr,
                training.limit,
                out,
                training.testLimit,
                training.cosine(false)));
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    Human.training(r, out);
  }
}
