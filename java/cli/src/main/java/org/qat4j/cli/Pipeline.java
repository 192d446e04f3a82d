package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.UserData;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.runtime.TfliteException;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * The one place where the CLI calls the module APIs (core training, quant, tflite, runtime). Each
 * step returns the JSON fields of the machine-readable contract; commands and the demo share it.
 */
final class Pipeline {
  interface ProgressFactory {
    Progress create(String task, long total, String unit);
  }

  enum IoType {
    FLOAT,
    INT8,
    UINT8;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ProgressFactory progress;
  private final Consumer<String> info;

  Pipeline(ProgressFactory progress, Consumer<String> info) {
    this.progress = progress;
    this.info = info;
  }

  private static int configuredGemmThreads = -1;

  /**
   * Sets qat4j's layer threads (null = keep the default) and the GEMM threads; both must be >= 1.
   */
  static void threads(Integer layerThreads, int gemmThreads) {
    if (layerThreads != null) {
      Args.threads(layerThreads, "--threads");
      Parallel.setThreads(layerThreads);
    }
    Args.threads(gemmThreads, "--gemm-threads");
    Gemm.get().setThreads(gemmThreads);
    configuredGemmThreads = gemmThreads;
  }

  /**
   * A .tflite argument: an existing .tflite file, or {@code zoo:NAME} exported on the fly as
   * full-int8 (seeded weights, PTQ on generated inputs, or Fashion-MNIST for 28×28×1 models) to a
   * temporary file.
   */
  Path tfliteArg(Path p, String option) throws IOException {
    String s = p.toString();
    if (!s.startsWith("zoo:")) return Args.tfliteFile(p, option);
    Args.zooName(s, option);
    Path tmp = Files.createTempFile("qat4j-" + s.substring(4) + "-", ".tflite");
    tmp.toFile().deleteOnExit();
    info.accept(
        "exporting "
            + s
            + " as a full-int8 .tflite (seeded weights, post-training calibration) to "
            + tmp);
    new QuantSteps(this).export(s, true, IoType.INT8, 1L, tmp);
    return tmp;
  }

  /**
   * Checks a model reference: zoo:NAME, or an existing file (a .tflite only when {@code
   * allowTflite}).
   */
  static String modelArg(String ref, String option, boolean allowTflite) {
    if (ref.startsWith("zoo:")) {
      Args.zooName(ref, option);
      return ref;
    }
    Path p = Args.modelFile(ref, option);
    if (Args.isTflite(p) && !allowTflite) {
      throw CliException.usage(
          option
              + ": "
              + ref
              + " is a .tflite file; this command needs a saved qat4j model or zoo:NAME");
    }
    return ref;
  }

  JsonObject train(TrainSpec s) throws IOException {
    return new TrainSteps(this).train(s, null, null);
  }

  /**
   * Float training; {@code resumed} (may be null) continues a checkpointed run, {@code ck} (may be
   * null) writes checkpoints after epochs and on SIGINT/SIGTERM.
   */
  JsonObject train(TrainSpec s, Checkpoint resumed, TrainCheckpoints ck) throws IOException {
    return new TrainSteps(this).train(s, resumed, ck);
  }

  /** The GEMM threads set by {@link #threads}, or -1 when not set. */
  static int gemmThreads() {
    return configuredGemmThreads;
  }

  /** {@code --test-data}, or null. */
  Path testData() {
    return dataOptions == null ? null : dataOptions.testData;
  }

  private DataOption dataOptions;
  private boolean isolate;
  private final Map<String, Dataset> loaded = new HashMap<>();
  private final Map<Path, UserData.Format> formats = new HashMap<>();

  /**
   * Loads data with the command's {@code --data}-family options (default: labelled IDX-style
   * loading).
   */
  Pipeline withData(DataOption d) {
    this.dataOptions = d;
    return this;
  }

  /**
   * {@code --isolate}: TFLite runs in a child JVM so that a native crash is an error, not the end
   * of qat4j.
   */
  Pipeline isolated(boolean on) {
    this.isolate = on;
    return this;
  }

  boolean isolating() {
    return isolate;
  }

  /**
   * Loads (once per path, split, shape and labelling) a dataset; content errors are usage errors
   * naming the option.
   */
  Dataset load(Path p, UserData.Split split, int[] shape, boolean labels, String option) {
    String key = p.toAbsolutePath() + "|" + split + "|" + Arrays.toString(shape) + "|";
    Dataset d =
        loaded.get(key + true); // labelled data also serves inputs-only use (the demo's PTQ after
    // training)
    if (d == null && !labels) d = loaded.get(key + false);
    if (d != null) return d;
    key += labels;
    UserData.Format f = format(p, option);
    long t0 = System.nanoTime();
    try {
      d =
          UserData.load(
              p,
              split,
              dataOptions != null
                  ? dataOptions.spec(shape, labels)
                  : DataOption.defaultSpec(shape, labels));
    } catch (IOException e) {
      throw CliException.usage(option + ": " + Main.oneLine(e));
    }
    info.accept(
        String.format(
            Locale.ROOT,
            "loaded %d samples of shape %s (%s%s) from %s in %.1f s",
            d.size(),
            Arrays.toString(d.sampleShape()),
            f.id(),
            f == UserData.Format.IDX ? " " + split.name().toLowerCase(Locale.ROOT) : "",
            p,
            (System.nanoTime() - t0) / 1e9));
    loaded.put(key, d);
    return d;
  }

  /** The detected format of {@code p} (cached). */
  UserData.Format format(Path p, String option) {
    return formats.computeIfAbsent(p.toAbsolutePath(), k -> DataOption.format(p, option));
  }

  /**
   * Labels must index the model's outputs: a 1-D output needs at least as many values as classes.
   */
  static void checkOutputs(Dataset d, int[] out, String ref, String option) {
    if (d.labelled() && out.length == 1 && out[0] < d.numClasses()) {
      throw CliException.usage(
          option
              + ": "
              + ref
              + " gives "
              + out[0]
              + " outputs but the data has labels up to "
              + (d.numClasses() - 1));
    }
  }

  JsonObject quantize(TrainSpec s, NewHead head) throws IOException {
    return new QuantSteps(this).quantize(s, head);
  }

  JsonObject ptq(String model, Path data, int calibration, IoType io, Path out) throws IOException {
    return new QuantSteps(this).ptq(model, data, calibration, io, out);
  }

  ProgressFactory progress() {
    return progress;
  }

  Consumer<String> info() {
    return info;
  }

  Dataset trainSet(Path data, int limit, int[] shape) throws IOException {
    Dataset train = load(data, UserData.Split.TRAIN, shape, true, "--data");
    return limit > 0 ? train.subset(0, Math.min(limit, train.size())) : train;
  }

  /**
   * Inputs only (labels not read): the first {@code n} samples of {@code data}'s training split.
   */
  Dataset calibrationSet(Path data, int n, int[] shape) {
    Dataset d = load(data, UserData.Split.TRAIN, shape, false, "--data");
    return d.subset(0, Math.min(n, d.size()));
  }

  /**
   * Per-epoch validation data: {@code --val-data}, else {@code test} (the test set, within
   * --test-limit), so that every epoch reports an accuracy.
   */
  Dataset valSet(int[] shape, Dataset test) {
    return dataOptions == null || dataOptions.valData == null
        ? test
        : load(dataOptions.valData, UserData.Split.TEST, shape, true, "--val-data");
  }

  JsonObject export(String model, boolean int8, IoType io, long seed, Path out) throws IOException {
    return new QuantSteps(this).export(model, int8, io, seed, out);
  }

  /** Writes .tflite bytes and returns the export contract fields. */
  static JsonObject written(byte[] bytes, Path out, String format, IoType io) throws IOException {
    Outputs.write(out, bytes);
    JsonObject r = new JsonObject();
    r.addProperty("path", out.toString());
    r.addProperty("bytes", bytes.length);
    r.addProperty("format", format);
    r.addProperty("io", io.toString());
    return r;
  }

  JsonObject eval(Path model, Path data, Backend backend, int threads, int limit)
      throws IOException {
    SubgraphInfo g = readTflite(model, "--model").subgraph(0);
    if (g.inputs().length > 1 || g.outputs().length > 1)
      return new MultiIo(this)
          .eval(model, g, testData() != null ? testData() : data, backend, threads, limit);
    int[] in = g.tensor(g.inputs()[0]).shape();
    Dataset test = testSet(data, limit, Arrays.copyOfRange(in, Math.min(1, in.length), in.length));
    TokenIds.check(g, test, testData() != null ? "--test-data" : "--data");
    return TfliteRun.eval(model, test, backend, threads, isolate, progress, info);
  }

  /** {@code --test-data} when given, else {@code data} (its t10k split for an IDX folder). */
  Dataset testSet(Path data, int limit, int[] shape) throws IOException {
    boolean own = dataOptions != null && dataOptions.testData != null;
    Dataset test =
        load(
            own ? dataOptions.testData : data,
            UserData.Split.TEST,
            shape,
            true,
            own ? "--test-data" : "--data");
    return limit > 0 ? test.subset(0, Math.min(limit, test.size())) : test;
  }

  JsonObject verify(String model, Path tflite, Path data, int limit) throws IOException {
    return new Verify(this).run(model, tflite, data, limit);
  }

  /**
   * The demo's benchmark: the runtime's {@link Benchmark} ({@code warmup} runs, no warm-up time),
   * keeping every steady sample.
   */
  JsonObject bench(
      Path model,
      Backend backend,
      int threads,
      int runs,
      int warmup,
      double minSecs,
      double maxSecs)
      throws IOException {
    Benchmark.Config c =
        Benchmark.Config.of(model).with(backend, threads).runs(warmup, 0, runs, minSecs, maxSecs);
    return BenchJson.withSamples(model, backend, threads, runBenchmark(backend, c));
  }

  /** The {@code bench} command: the runtime's {@link Benchmark}, mapped to the CLI contract. */
  JsonObject benchmark(
      Path model,
      Backend backend,
      int threads,
      int runs,
      int warmup,
      double minSecs,
      double maxSecs,
      boolean profile)
      throws IOException {
    Benchmark.Config c =
        Benchmark.Config.of(model)
            .with(backend, threads)
            .runs(warmup, warmup == 0 ? 0 : 0.5, runs, minSecs, maxSecs)
            .profiling(profile)
            .isolated(isolate);
    return BenchJson.of(model, backend, threads, runBenchmark(backend, c));
  }

  /**
   * Runs {@code c}; a bad file is a usage error, a backend that cannot start here a failure naming
   * the reason.
   */
  private Benchmark.Report runBenchmark(Backend backend, Benchmark.Config c) throws IOException {
    Probes.tflite(); // library loading is not part of init time, as in benchmark_model
    Path model = c.model();
    Benchmark.Report b;
    try (Progress p =
        progress.create(
            "bench "
                + model.getFileName()
                + " ("
                + TfliteRun.id(backend)
                + ", "
                + c.threads()
                + "t)",
            1,
            "runs")) {
      try {
        b = Benchmark.run(c);
      } catch (TfliteException e) {
        if (e.getMessage() != null && e.getMessage().contains("model check")) {
          throw CliException.usage(
              "--model: " + model + " is not a valid .tflite model: " + Main.oneLine(e));
        }
        throw CliException.failed(
            "backend " + TfliteRun.id(backend) + " unavailable: " + Main.oneLine(e), e);
      }
      p.step(1);
    }
    if (backend != Backend.BUILTIN && !b.coverage().delegated())
      info.accept("warning: " + b.coverageSummary());
    return b;
  }

  /**
   * Reads and validates a .tflite; a malformed file is a usage error (wrong input), not a crash.
   */
  static TfliteModelInfo readTflite(Path file, String option) throws IOException {
    try {
      return TfliteReader.read(file);
    } catch (ModelFormatException | IllegalArgumentException e) {
      throw CliException.usage(
          option + ": " + file + " is not a valid .tflite model: " + Main.oneLine(e));
    }
  }

  JsonObject edgetpuDevices() {
    return Probes.edgetpu();
  }

  JsonObject edgetpuCheck(Path file) throws IOException {
    return EdgeTpuCommand.preflightJson(readTflite(file, "FILE.tflite"), file);
  }
}
