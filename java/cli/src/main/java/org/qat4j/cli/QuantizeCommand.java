package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qat4j quantize}: quantization-aware fine-tuning of a saved float model. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = "QAT fine-tune a saved float model (fake-quant int8) and save the QAT model.",
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j quantize --in cnn.q4j --epochs 1 --out cnn-qat.q4j",
        "  ./qat4j quantize --in cnn.q4j --epochs 2 --lr 1e-4 --out cnn-qat.q4j --json",
        "", "JSON fields: test_accuracy_fake_quant, epoch_seconds[], train_loss[], train_accuracy[], path, bytes"})
final class QuantizeCommand extends BaseCommand {
  @Option(names = "--in", required = true, paramLabel = "FILE", description = "Saved float model (from train), or zoo:NAME.")
  String in;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist).")
  Path data;

  @Option(names = "--epochs", defaultValue = "1", description = "QAT epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--seed", defaultValue = "1", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.0001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--limit", defaultValue = "0", description = "Use only the first N training images (0 = all).")
  int limit;

  @Option(names = "--test-limit", defaultValue = "0", paramLabel = "N", description = "Report test accuracy on the first N test images (0 = all 10000).")
  int testLimit;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "QAT model to write.")
  Path out;

  @Option(names = "--threads", paramLabel = "N", description = "qat4j layer threads (default: all CPUs).")
  Integer threads;

  @Option(names = "--gemm-threads", defaultValue = "1", paramLabel = "N",
      description = "OpenBLAS threads (default: ${DEFAULT-VALUE}; its spinning workers compete with the layer threads).")
  int gemmThreads;

  @Override JsonObject execute() throws Exception {
    Pipeline.threads(threads, gemmThreads);
    Args.positive(epochs, "--epochs");
    Args.positive(batchSize, "--batch-size");
    Args.nonNegative(limit, "--limit");
    Args.nonNegative(testLimit, "--test-limit");
    if (!(lr > 0)) throw CliException.usage("--lr: must be > 0, got " + lr);
    String model = Pipeline.modelArg(in, "--in", false);
    Path d = Args.dataDir(data, "--data");
    Args.outFile(out, "--out");
    return new Pipeline(this::progress, this::info).quantize(new Pipeline.TrainSpec(model, d, epochs, seed, batchSize, lr, limit, out, testLimit));
  }
}
