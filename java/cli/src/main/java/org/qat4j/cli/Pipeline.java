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
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.UserData;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.EpochStats;
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.train.TrainingDivergedException;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
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
      return name().toLowerCase(java.util.Locale.ROOT);
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
    return train(s, null, null);
  }

  /**
   * Float training; {@code resumed} (may be null) continues a checkpointed run, {@code ck} (may be
   * null) writes checkpoints after epochs and on SIGINT/SIGTERM.
   */
  JsonObject train(TrainSpec s, Checkpoint resumed, TrainCheckpoints ck) throws IOException {
    Model model =
        resumed != null
            ? resumed.model()
            : Models.load(s.model(), s.seed(), "--model", s.convInitScale());
    Dataset train = trainSet(s.data(), s.limit(), model.inputShape());
    if (resumed != null)
      TrainCheckpoints.checkContinues(resumed.state(), train, s.batchSize(), s.epochs());
    checkOutputs(train, model.outputShape(), s.model(), "--model");
    Dataset test =
        testSet(
            s.data(),
            s.testLimit(),
            model.inputShape()); // loaded before training: a damaged file fails now, not after it
    info.accept(
        String.format(
            Locale.ROOT,
            "training %s (%d parameters) on %d images, %d epoch(s), gemm %s, %d layer thread(s)",
            s.model(),
            model.parameterCount(),
            train.size(),
            s.epochs(),
            Gemm.get().name(),
            Parallel.threads()));
    Trainer t =
        resumed != null
            ? resumed.trainer()
            : new Trainer(model, s.adam(train.batchCount(s.batchSize())));
    TrainProgress tp =
        new TrainProgress(progress, "train", s.epochs(), train.batchCount(s.batchSize()));
    t.addCallback(tp);
    Dataset val = valSet(model.inputShape(), test);
    History h;
    if (ck == null) h = fit(t, train, val, s);
    else {
      t.addCallback(ck);
      h = ck.run(t, () -> fit(t, train, val, s));
    }
    JsonObject r = historyJson(h);
    if (ck != null) r.addProperty("checkpoint", ck.file().toString());
    if (resumed != null) {
      r.addProperty("resumed_epoch", resumed.state().epoch());
      r.addProperty("resumed_step", resumed.state().globalStep());
    }
    r.addProperty("bn_reestimated_images", reestimateBatchNorm(model, train, s.batchSize()));
    Evaluation ev = evaluate(t, test, s.batchSize());
    Finite.check(model, "the trained model", "--out");
    r.addProperty("test_accuracy", ev.accuracy());
    r.addProperty("test_loss", ev.loss());
    r.addProperty("test_count", ev.count());
    if (s.out() != null) {
      Outputs.saveModel(model, s.out());
      r.addProperty("path", s.out().toString());
      r.addProperty("bytes", Files.size(s.out()));
    }
    r.addProperty("model", s.model());
    r.addProperty("parameters", model.parameterCount());
    r.addProperty("train_images", train.size());
    r.addProperty("schedule", s.cosine() ? "cosine" : "constant");
    r.addProperty("lr", s.lr());
    if (Models.isReferenceCnn(s.model())) r.addProperty("conv_init_scale", s.convInitScale());
    r.addProperty("gemm", Gemm.get().name());
    r.addProperty("threads", Parallel.threads());
    if (configuredGemmThreads > 0) r.addProperty("gemm_threads", configuredGemmThreads);
    r.add("curve", tp.curve());
    return r;
  }

  /**
   * {@link Trainer#fit} under a {@link DivergenceGuard}: an exploding or non-finite loss fails the
   * run before anything is saved.
   */
  static History fit(Trainer t, Dataset train, Dataset val, TrainSpec s) {
    DivergenceGuard guard = new DivergenceGuard(t.model().outputShape()[0], s.lr(), s.out());
    t.addCallback(guard);
    try {
      return t.fit(train, val, s.epochs(), s.batchSize(), s.seed());
    } catch (TrainingDivergedException e) {
      throw guard.failure(e);
    }
  }

  /**
   * Batches of the BatchNorm re-estimation pass after float training (12 800 images at batch 64).
   */
  static final int BN_REESTIMATION_BATCHES = 200;

  /**
   * Replaces the momentum-averaged BatchNorm statistics by exact ones for the final weights: after
   * a short run they still carry their initial values and the early weights (train 0.87, test 0.11
   * measured with --limit 3000 --epochs 3). Returns the images used (0 for a model without
   * BatchNorm).
   */
  int reestimateBatchNorm(Model model, Dataset train, int batchSize) {
    int batches =
        org.qat4j.core.train.BatchNormReestimation.run(
            model, train, batchSize, BN_REESTIMATION_BATCHES);
    int images = Math.min(train.size(), batches * batchSize);
    if (batches > 0)
      info.accept("re-estimated BatchNorm statistics on " + images + " training images");
    return images;
  }

  /**
   * Per-epoch arrays and the steady training speed (first epoch excluded when there are several).
   */
  static JsonObject historyJson(History h) {
    JsonObject r = new JsonObject();
    double[] secs = h.epochs().stream().mapToDouble(EpochStats::seconds).toArray();
    r.add("epoch_seconds", Json.array(secs));
    r.add("train_loss", Json.array(h.losses()));
    r.add(
        "train_accuracy",
        Json.array(h.epochs().stream().mapToDouble(EpochStats::accuracy).toArray()));
    double[] val = h.valAccuracies();
    if (val.length > 0 && Arrays.stream(val).noneMatch(Double::isNaN)) {
      r.add("val_accuracy", Json.array(val));
      r.add("val_loss", Json.array(h.epochs().stream().mapToDouble(EpochStats::valLoss).toArray()));
    }
    r.addProperty(
        "train_images_per_second",
        h.epochs().stream()
            .skip(h.size() > 1 ? 1 : 0)
            .mapToDouble(EpochStats::imagesPerSecond)
            .average()
            .orElse(0));
    return r;
  }

  /** Test loss and accuracy in Java (inference mode), in chunks so progress can be shown. */
  Evaluation evaluate(Trainer t, Dataset test, int batchSize) {
    int chunk = 1000;
    double loss = 0;
    double correct = 0;
    try (Progress p = progress.create("test (Java)", test.size(), "images")) {
      for (int from = 0; from < test.size(); from += chunk) {
        Dataset part = test.subset(from, Math.min(test.size(), from + chunk));
        Evaluation e = t.evaluate(part, Math.max(batchSize, 250));
        loss += e.loss() * e.count();
        correct += e.accuracy() * e.count();
        p.status(String.format(Locale.ROOT, "accuracy %.4f", correct / (from + part.size())));
        p.step(part.size());
      }
    }
    return new Evaluation(loss / test.size(), correct / test.size(), test.size());
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
    int[] in = g.tensor(g.inputs()[0]).shape();
    return TfliteRun.eval(
        model,
        testSet(data, limit, Arrays.copyOfRange(in, Math.min(1, in.length), in.length)),
        backend,
        threads,
        isolate,
        progress,
        info);
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
      } catch (org.qat4j.runtime.TfliteException e) {
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
    org.qat4j.tflite.edgetpu.PreflightReport p =
        org.qat4j.tflite.edgetpu.EdgeTpuPreflight.check(readTflite(file, "FILE.tflite"));
    JsonObject r = new JsonObject();
    r.addProperty("model", file.toString());
    r.addProperty("compiled", p.compiled());
    r.addProperty("total_ops", p.totalOps());
    r.addProperty("edgetpu_ops", p.edgetpuOps());
    r.addProperty("cpu_ops", p.cpuOps());
    r.addProperty("edgetpu_subgraphs", p.edgetpuSubgraphs());
    com.google.gson.JsonArray ops = new com.google.gson.JsonArray();
    for (org.qat4j.tflite.edgetpu.PreflightReport.OperatorResult o : p.operators()) {
      JsonObject j =
          Json.object(
              "index",
              o.index(),
              "op",
              o.op(),
              "version",
              o.version(),
              "status",
              o.status(),
              "reason",
              o.reason() == null ? "" : o.reason());
      j.addProperty(
          "mapped",
          o.status().equals(org.qat4j.tflite.edgetpu.Status.MAPPED)
              || o.status().equals(org.qat4j.tflite.edgetpu.Status.COMPILED_SEGMENT));
      ops.add(j);
    }
    r.add("operators", ops);
    r.add("warnings", Json.GSON.toJsonTree(p.warnings()));
    return r;
  }
}
