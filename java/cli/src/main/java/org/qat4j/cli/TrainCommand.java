package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.zoo.Recipe;
import org.qat4j.core.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j train}: float training of a zoo architecture or a saved model on Fashion-MNIST. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a float model on Fashion-MNIST or your data (--data) and save it.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j train --model reference-cnn --epochs 5 --seed 1 --json      # the recipe: ≥ 91.5%% test accuracy",
      "  ./qat4j train --model reference-cnn --epochs 3 --out cnn.q4j",
      "  ./qat4j train --model mobilenet-mini --epochs 5 --seed 7 --out mm.q4j --json",
      "  ./qat4j train --model reference-cnn --epochs 5 --schedule constant --conv-init-scale 1 --lr 0.001 --out cnn.q4j   # Keras's defaults",
      "  ./qat4j train --model cnn.q4j --epochs 1 --out cnn2.q4j     # continue from a saved model",
      "  ./qat4j train --model reference-cnn --epochs 5 --checkpoint-dir ck --out cnn.q4j   # Ctrl-C saves ck/checkpoint.zip",
      "  ./qat4j train --resume ck --epochs 5 --out cnn.q4j     # continues bit-identically",
      "  ./qat4j train --model m.keras --data train.npz --test-data test.npz --out m.q4j",
      "  ./qat4j train --model two-out.q4j --data train.npz --loss-weights class=1,group=0.5 --checkpoint-dir ck --out m.q4j",
      "  ./qat4j train --model cnn.q4j --data photos/ --test-data photos-test/ --resize crop --out cnn2.q4j",
      "",
      "JSON fields: test_accuracy, train_images_per_second, epoch_seconds[], train_loss[], train_accuracy[], schedule, path, bytes",
      "  several outputs: test_loss (weighted), outputs[] {name, loss_weight, test_accuracy, test_loss, train_loss[]}"
    })
final class TrainCommand extends BaseCommand {
  @Mixin TrainingOptions training;

  @Option(
      names = "--model",
      paramLabel = "NAME|FILE",
      description =
          "Architecture (reference-cnn, mobilenet-mini, mobilenet-v1, mobilenet-v2, resnet50) or a saved model file (required unless --resume).")
  String model;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description =
          "Write DIR/checkpoint.zip (atomically) after every epoch and on Ctrl-C/SIGTERM. Without it a signal saves "
              + "FILE.checkpoint.zip next to --out, else ./qat4j-checkpoint.zip.")
  Path checkpointDir;

  @Option(
      names = "--resume",
      paramLabel = "CKPT",
      description =
          "Continue from a checkpoint file or --checkpoint-dir folder: same weights, optimizer state, learning-rate "
              + "schedule, data order and RNG. --epochs is the total; use the same --data and --limit. The model, "
              + "--seed, --batch-size, --lr and --schedule come from the checkpoint.")
  Path resume;

  @Mixin DataOption data;

  @Option(
      names = "--epochs",
      defaultValue = "3",
      description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for weights and shuffling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--lr",
      paramLabel = "RATE",
      description =
          "Adam learning rate, the peak of the cosine schedule (default: the architecture's recipe, "
              + Recipe.MOBILENET_MINI_LR
              + " for mobilenet-mini, else "
              + Recipe.REFERENCE_CNN_LR
              + ": docs/PERFORMANCE.md; Keras's default is 0.001).")
  Float lr;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Saved model to write (default: none, report only).")
  Path out;

  @Option(
      names = "--conv-init-scale",
      paramLabel = "S",
      description =
          "reference-cnn only: variance scale of its two Conv2D kernels' Glorot-uniform init "
              + "(default: "
              + Recipe.REFERENCE_CNN_INIT
              + ", its recipe in docs/PERFORMANCE.md; 1 = Keras's Glorot).")
  Double convInitScale;

  @Override
  JsonObject execute() throws Exception {
    if (resume != null) {
      // The rate comes from the checkpoint (--lr is refused with --resume): nothing to check here.
      training.validate(epochs, 1f);
      return resumeRun();
    }
    String zoo = checkModel();
    Recipe recipe = Zoo.recipe(zoo != null ? zoo : model);
    float rate = lr != null ? lr : (float) recipe.peakLr();
    double initScale = convInitScale != null ? convInitScale : recipe.convInitScale();
    training.validate(epochs, rate);
    Path d = data.dir();
    data.requireTestSplit();
    if (out != null) {
      Args.outFile(out, "--out");
      Outputs.notAnInput(out, "--out", model, "--model");
      Outputs.notData(out, "--out", d);
    }
    if (!(initScale > 0) || Double.isInfinite(initScale))
      throw CliException.usage("--conv-init-scale: must be > 0, got " + initScale);
    TrainSpec s =
        new TrainSpec(
            zoo != null ? zoo : model,
            d,
            epochs,
            seed,
            training.batchSize,
            rate,
            training.limit,
            out,
            training.testLimit,
            training.cosine(true),
            initScale,
            training.lossWeights);
    try (TrainCheckpoints ck =
        new TrainCheckpoints(
            TrainCheckpoints.target(checkpointDir, null, out), checkpointDir != null)) {
      return pipeline().withData(data).train(s, null, ck);
    }
  }

  /** Checks --model; returns the zoo name for zoo:NAME, else null. */
  private String checkModel() {
    if (model == null)
      throw CliException.usage("--model: missing; give an architecture, a saved model or --resume");
    String zoo = model.startsWith("zoo:") ? Args.zooName(model, "--model") : null;
    if (zoo == null && !Args.zooNames().contains(model)) {
      Args.modelFile(model, "--model");
      if (Args.isTflite(Path.of(model)))
        throw CliException.usage(
            "--model: "
                + model
                + " is a .tflite file; train needs an architecture name or a saved qat4j model");
    }
    return zoo;
  }

  /** {@code --resume}: everything that defines the run comes from the checkpoint. */
  private JsonObject resumeRun() throws Exception {
    refuseWithResume();
    Path file = TrainCheckpoints.resumeFile(resume);
    Checkpoint c = TrainCheckpoints.load(file);
    Path d = data.dir();
    data.requireTestSplit();
    if (out != null) {
      Args.outFile(out, "--out");
      Outputs.notAnInput(out, "--out", file, "--resume");
      Outputs.notData(out, "--out", d);
    }
    TrainSpec s =
        new TrainSpec(
            file.toString(),
            d,
            epochs,
            c.state().seed(),
            c.state().batchSize(),
            (float) c.optimizer().currentLr(),
            training.limit,
            out,
            training.testLimit,
            TrainCheckpoints.cosine(c),
            1);
    info(
        "resuming "
            + file
            + " after "
            + c.state().epoch()
            + " epoch(s), step "
            + c.state().globalStep());
    try (TrainCheckpoints ck =
        new TrainCheckpoints(TrainCheckpoints.target(checkpointDir, file, out), true)) {
      return pipeline().withData(data).train(s, c, ck);
    }
  }

  /** Options that the checkpoint defines are usage errors with --resume. */
  private void refuseWithResume() {
    for (String o :
        List.of(
            "--model",
            "--seed",
            "--batch-size",
            "--lr",
            "--schedule",
            "--conv-init-scale",
            "--loss-weights")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o))
        throw CliException.usage(o + ": comes from the checkpoint with --resume; leave it out");
    }
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    Human.training(r, out);
  }
}
