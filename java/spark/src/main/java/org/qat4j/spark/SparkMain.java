package org.qat4j.spark;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qat4j.core.data.UserData;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.Backend;
import org.qat4j.tflite.TfliteWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code qat4j-spark} launcher: {@code eval}, {@code verify} and {@code ptq} spread over a
 * Spark master ({@code --spark}, default {@code local[*]}). Exit codes as the main CLI: 0 ok, 1
 * failed, 2 usage.
 */
@Command(
    name = "qat4j-spark",
    mixinStandardHelpOptions = true,
    description = "qat4j eval / verify / ptq on Apache Spark (default master local[*]).",
    subcommands = {SparkMain.Eval.class, SparkMain.Verify.class, SparkMain.PtqCmd.class})
public final class SparkMain {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new SparkMain());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          boolean usage =
              e instanceof IllegalArgumentException
                  || e instanceof IOException
                  || e instanceof java.io.UncheckedIOException;
          cmd.getErr().println("qat4j-spark " + cmd.getCommandName() + ": " + e.getMessage());
          return usage ? 2 : 1;
        });
    return cl.execute(args);
  }

  /** The Spark master option shared by every command. */
  static final class SparkOption {
    @Option(
        names = "--spark",
        arity = "0..1",
        fallbackValue = SparkContexts.DEFAULT_MASTER,
        paramLabel = "MASTER",
        description =
            "Spark master: local[*] (also when given without a value), local[N], spark://HOST:7077, yarn, k8s://…; default: spark-submit's master, else local[*].")
    String master;

    @Option(
        names = "--partitions",
        defaultValue = "0",
        description = "Tasks to split the data into (0 = Spark's default parallelism).")
    int partitions;

    @Option(names = "--json", description = "Print one JSON document on stdout.")
    boolean json;

    int partitions(SparkContexts.Session s) {
      if (partitions < 0 || partitions > 100_000)
        throw new IllegalArgumentException(
            "--partitions must be in [0, 100000], got " + partitions);
      return partitions == 0 ? s.sc().defaultParallelism() : partitions;
    }
  }

  /** Data options: path, split, limit. */
  static final class DataOptions {
    @Option(
        names = "--data",
        required = true,
        paramLabel = "PATH",
        description = "IDX folder, image folder, .npy/.npz or .csv, readable by every executor.")
    Path data;

    @Option(
        names = "--limit",
        defaultValue = "0",
        description = "Only the first N samples (0 = all).")
    int limit;

    @Option(names = "--label-column", paramLabel = "NAME|INDEX", description = "CSV label column.")
    String labelColumn;

    DataRef ref(UserData.Split split) throws IOException {
      if (!Files.exists(data))
        throw new NoSuchFileException(data.toString(), null, "--data: no such file or folder");
      if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
      return DataRef.labelled(data, split, limit).withLabelColumn(labelColumn);
    }
  }

  static byte[] read(Path p, String option) throws IOException {
    if (!Files.isRegularFile(p))
      throw new NoSuchFileException(p.toString(), null, option + ": no such file");
    return Files.readAllBytes(p);
  }

  static int print(SparkOption o, Map<String, Object> result, String text) {
    PrintWriter out = new PrintWriter(System.out, true);
    result.put("ok", true);
    out.println(
        o.json
            ? new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(result)
            : text);
    return 0;
  }

  /** Bins 0..max (the overflow bin last when max >= 256): the JSON stays short. */
  static long[] upToMax(LsbHistogram h) {
    return java.util.Arrays.copyOf(h.bins(), (int) Math.min(LsbHistogram.BINS, h.max() + 1));
  }

  @Command(
      name = "eval",
      mixinStandardHelpOptions = true,
      description = "Top-1 accuracy and confusion matrix of a .tflite classifier.")
  static final class Eval implements Callable<Integer> {
    @Mixin SparkOption spark;
    @Mixin DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE.tflite")
    Path model;

    @Option(names = "--backend", defaultValue = "builtin", description = "builtin or xnnpack")
    String backend;

    @Override
    public Integer call() throws Exception {
      Backend b =
          switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "builtin" -> Backend.BUILTIN;
            case "xnnpack" -> Backend.XNNPACK;
            default ->
                throw new IllegalArgumentException(
                    "--backend: expected builtin or xnnpack, got " + backend);
          };
      byte[] tflite = read(model, "--model");
      DataRef ref = data.ref(UserData.Split.TEST);
      try (SparkContexts.Session s = SparkContexts.session(spark.master, "qat4j eval")) {
        EvalStats e = DistributedEval.run(s.sc(), tflite, ref, b, spark.partitions(s));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "eval");
        m.put("accuracy", e.accuracy());
        m.put("count", e.count());
        m.put("correct", e.correct());
        m.put("backend", backend);
        m.put("master", s.sc().master());
        m.put("confusion", e.confusion());
        return print(
            spark,
            m,
            String.format(
                "accuracy %.4f (%d/%d) on %s",
                e.accuracy(), e.correct(), e.count(), s.sc().master()));
      }
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "TFLite BUILTIN/XNNPACK vs the integer simulator on an int8 .tflite.")
  static final class Verify implements Callable<Integer> {
    @Mixin SparkOption spark;
    @Mixin DataOptions data;

    @Option(names = "--tflite", required = true, paramLabel = "FILE.tflite")
    Path tflite;

    @Override
    public Integer call() throws Exception {
      byte[] bytes = read(tflite, "--tflite");
      DataRef ref = data.ref(UserData.Split.TEST);
      try (SparkContexts.Session s = SparkContexts.session(spark.master, "qat4j verify")) {
        VerifyStats v = DistributedVerify.run(s.sc(), bytes, ref, spark.partitions(s));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "verify");
        m.put("count", v.samples());
        m.put("output_elements", v.outputElements());
        m.put("bit_exact_fraction_builtin", v.builtin().exactFraction());
        m.put("max_lsb_builtin", v.builtin().max());
        m.put("bit_exact_fraction_xnnpack", v.xnnpack().exactFraction());
        m.put("max_lsb_xnnpack", v.xnnpack().max());
        m.put("within_1_lsb_fraction_xnnpack", v.xnnpack().withinOneFraction());
        m.put("bit_exact_fraction_xnnpack_f32_simulator", v.xnnpackF32Sim().exactFraction());
        m.put("accuracy_int8", v.int8Builtin().accuracy());
        m.put("accuracy_int8_xnnpack", v.int8Xnnpack().accuracy());
        m.put("accuracy_simulator", v.simulator().accuracy());
        m.put("lsb_histogram_builtin", upToMax(v.builtin()));
        m.put("lsb_histogram_xnnpack", upToMax(v.xnnpack()));
        m.put("master", s.sc().master());
        return print(
            spark,
            m,
            String.format(
                "BUILTIN bit-exact %d/%d (max %d LSB), XNNPACK bit-exact %d/%d (max %d LSB), int8 accuracy %.4f",
                v.builtin().exact(),
                v.builtin().count(),
                v.builtin().max(),
                v.xnnpack().exact(),
                v.xnnpack().count(),
                v.xnnpack().max(),
                v.int8Builtin().accuracy()));
      }
    }
  }

  @Command(
      name = "ptq",
      mixinStandardHelpOptions = true,
      description = "Post-training quantization with calibration spread over executors.")
  static final class PtqCmd implements Callable<Integer> {
    @Mixin SparkOption spark;
    @Mixin DataOptions data;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "FILE",
        description = "Saved float model (ModelIO zip).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE.tflite")
    Path out;

    @Option(names = "--batch", defaultValue = "64")
    int batch;

    @Option(
        names = "--estimator",
        defaultValue = "minmax",
        paramLabel = "minmax|percentile:P|mse",
        description =
            "minmax (exact), percentile:P, e.g. percentile:99.99 (within 0.5% of the exact order statistic), or mse (MSE-optimal clipping over the same sketch).")
    String estimator;

    @Override
    public Integer call() throws Exception {
      byte[] model = read(in, "--in");
      if (Files.exists(out) && Files.isSameFile(out, in))
        throw new IllegalArgumentException("--out is the input model " + in);
      if (batch < 1 || batch > 4096)
        throw new IllegalArgumentException("--batch must be in [1, 4096], got " + batch);
      MergeableRange.Kind kind =
          estimator.equals("minmax")
              ? MergeableRange.MinMax.kind()
              : estimator.equals("mse")
                  ? MergeableRange.Mse.kind(0.005)
                  : estimator.startsWith("percentile:")
                      ? MergeableRange.Percentile.kind(parse(estimator.substring(11)), 0.005)
                      : null;
      if (kind == null)
        throw new IllegalArgumentException(
            "--estimator: expected minmax, percentile:P or mse, got " + estimator);
      DataRef ref = data.ref(UserData.Split.TRAIN).inputsOnly();
      try (SparkContexts.Session s = SparkContexts.session(spark.master, "qat4j ptq")) {
        QatModel q = DistributedPtq.quantize(s.sc(), model, ref, batch, spark.partitions(s), kind);
        byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".qat4j-spark", ".tmp");
        try {
          Files.write(tmp, tflite);
          Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "ptq");
        m.put("path", out.toString());
        m.put("bytes", tflite.length);
        m.put("calibration_samples", ref.load().size());
        m.put("estimator", estimator);
        m.put("master", s.sc().master());
        return print(
            spark,
            m,
            "wrote "
                + out
                + " ("
                + tflite.length
                + " bytes), calibrated on "
                + ref.load().size()
                + " samples");
      }
    }

    private static double parse(String p) {
      try {
        return Double.parseDouble(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--estimator: percentile '" + p + "' is not a number");
      }
    }
  }
}
