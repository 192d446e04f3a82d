package org.qat4j.cli;

import picocli.CommandLine.Command;

/** The top-level {@code qat4j} command: only dispatches to subcommands. */
@Command(
    name = "qat4j",
    mixinStandardHelpOptions = true,
    versionProvider = Qat4jCommand.Version.class,
    description = "Quantization-aware training for Java with full-int8 TFLite export.",
    subcommands = {
      TrainCommand.class,
      QuantizeCommand.class,
      PtqCommand.class,
      ExportCommand.class,
      EvalCommand.class,
      VerifyCommand.class,
      ClassifyCommand.class,
      RunCommand.class,
      BenchCommand.class,
      InspectCommand.class,
      EdgeTpuCommand.class,
      DoctorCommand.class,
      DemoCommand.class,
      ReportCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j demo --quick                     # whole pipeline on Fashion-MNIST in < 2 min",
      "  ./qat4j train --model reference-cnn --epochs 3 --out cnn.q4j",
      "  ./qat4j quantize --in cnn.q4j --epochs 1 --out cnn-qat.q4j",
      "  ./qat4j export --in cnn-qat.q4j --format int8 --io int8 --out cnn.tflite",
      "  ./qat4j bench --model cnn.tflite --backend xnnpack --json",
      "",
      "Exit codes: 0 ok, 1 failed, 2 usage error (bad arguments, missing files, wrong model type)."
    })
final class Qat4jCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Qat4jCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "qat4j "
            + (v == null ? "0.1.0-SNAPSHOT" : v)
            + ", Java "
            + System.getProperty("java.version")
      };
    }
  }
}
