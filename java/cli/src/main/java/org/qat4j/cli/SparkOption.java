package org.qat4j.cli;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;
import picocli.CommandLine.Option;

/**
 * {@code --spark [MASTER]}: runs a command's work on Apache Spark through the {@link ScaleOut}
 * found on the class path (qat4j-spark; {@code ./qat4j} adds it when {@code --spark} is given).
 */
final class SparkOption {
  static final String LOCAL = "local[*]";

  @Option(
      names = "--spark",
      arity = "0..1",
      fallbackValue = LOCAL,
      paramLabel = "MASTER",
      description =
          "Run on Apache Spark: local[*] (also without a value), local[N], spark://HOST:7077,"
              + " yarn, k8s://... (docs/SCALE.md).")
  String master;

  @Option(
      names = "--partitions",
      defaultValue = "0",
      paramLabel = "N",
      description = "With --spark: tasks to split the data into (0 = Spark's default parallelism).")
  int partitions;

  @Option(
      names = "--spark-checkpoints",
      paramLabel = "DIR",
      description =
          "With --spark (quantize): shared folder for checkpoints; a restarted run resumes there.")
  Path checkpoints;

  boolean on() {
    return master != null;
  }

  /** The job for {@code data}'s options; refuses what the distributed path does not forward. */
  ScaleOut.Job job(DataOption data, Path dir, int limit, int[] shape) {
    if (data.inputSize != null || data.mean != null || data.std != null || data.valData != null)
      throw CliException.usage(
          "--spark: --input-size, --mean, --std and --val-data are not supported on Spark yet");
    if (partitions < 0 || partitions > 100_000)
      throw CliException.usage("--partitions: must be in [0, 100000], got " + partitions);
    if (master.isBlank()) throw CliException.usage("--spark: empty master");
    return new ScaleOut.Job(
        master.strip(), partitions, dir, data.labelColumn, limit, shape, checkpoints);
  }

  /** The registered implementation, or a usage error saying how to get one. */
  static ScaleOut scaleOut() {
    Iterator<ScaleOut> it = ServiceLoader.load(ScaleOut.class).iterator();
    if (it.hasNext()) return it.next();
    throw CliException.usage(
        "--spark: qat4j-spark is not on the class path; run through ./qat4j (it builds java/spark"
            + " when --spark is given) or add java/spark's jars (docs/SCALE.md)");
  }

  /** Usage error when {@code flag} is combined with --spark. */
  void refuse(boolean given, String flag) {
    if (on() && given) throw CliException.usage(flag + ": not available with --spark");
  }
}
