package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.runtime.Backend;

/**
 * The demo pipeline on Fashion-MNIST: float training, PTQ baseline, QAT fine-tune, float/int8
 * export, TFLite evaluation, verification against the simulator, benchmark and EdgeTPU pre-flight.
 * A failing stage is recorded (and its dependants skipped) instead of aborting the report.
 */
final class Demo {
  /**
   * Sizes of one run; {@code quick} (a subset, said so in the report) finishes in about a minute on
   * 2 cores.
   */
  record Plan(
      String mode,
      int trainImages,
      int epochs,
      int qatImages,
      int qatEpochs,
      int testImages,
      int verifyImages,
      int calibration,
      int benchRuns,
      double benchMinSecs) {
    static Plan of(boolean quick) {
      return quick
          ? new Plan("quick", 4000, 2, 2000, 1, 1000, 500, 200, 50, 0.3)
          : new Plan("full", 60000, 2, 20000, 1, 10000, 2000, 500, 200, 1.0);
    }
  }

  private final Pipeline pipeline;
  private final Consumer<String> info;
  private final Path data;
  private final Path out;
  private final Plan plan;
  private final long seed;
  private final JsonObject report = new JsonObject();
  private final JsonArray stages = new JsonArray();
  private boolean failed;

  Demo(
      Pipeline.ProgressFactory progress,
      Consumer<String> info,
      Path data,
      Path out,
      boolean quick,
      long seed) {
    this.pipeline = new Pipeline(progress, info);
    this.info = info;
    this.data = data;
    this.out = out;
    this.plan = Plan.of(quick);
    this.seed = seed;
  }

  boolean failed() {
    return failed;
  }

  interface Stage {
    JsonObject run() throws Exception;
  }

  /**
   * Runs one stage, recording time and status; returns its result or null when it failed or was
   * skipped.
   */
  private JsonObject stage(String name, boolean ready, Stage s) {
    JsonObject st = Json.object("name", name);
    stages.add(st);
    if (!ready) {
      st.addProperty("status", "skipped");
      st.addProperty("error", "an earlier stage it needs failed");
      return null;
    }
    info.accept("== " + name);
    long t0 = System.nanoTime();
    try {
      JsonObject r = s.run();
      st.addProperty("status", "ok");
      return r;
    } catch (Exception | LinkageError e) {
      failed = true;
      st.addProperty("status", "failed");
      st.addProperty("error", Main.oneLine(e));
      info.accept("   " + name + " failed: " + Main.oneLine(e));
      return null;
    } finally {
      st.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
    }
  }

  JsonObject run() throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    header();
    Path floatModel = out.resolve("float.q4j");
    Path qatModel = out.resolve("qat.q4j");
    Path floatTfl = out.resolve("float.tflite");
    Path ptqTfl = out.resolve("ptq-int8.tflite");
    Path qatTfl = out.resolve("qat-int8.tflite");
    JsonObject train = trainStage(floatModel);
    put("train", train);
    boolean trained = train != null;
    put(
        "export_float",
        stage(
            "export float .tflite",
            trained,
            () ->
                pipeline.export(
                    floatModel.toString(), false, Pipeline.IoType.FLOAT, seed, floatTfl)));
    put("ptq", ptqStage(floatModel, ptqTfl, trained));
    JsonObject qat = qatStage(floatModel, qatModel, trained);
    put("qat", qat);
    put(
        "export_int8",
        stage(
            "export QAT int8 .tflite",
            qat != null,
            () -> pipeline.export(qatModel.toString(), true, Pipeline.IoType.INT8, seed, qatTfl)));
    measure(floatTfl, ptqTfl, qatTfl, qatModel, qat != null);
    sizes(floatTfl, ptqTfl, qatTfl);
    headline();
    return finish(t0);
  }

  /** Accuracy, verification, latency and EdgeTPU pre-flight of the exported models. */
  private void measure(Path floatTfl, Path ptqTfl, Path qatTfl, Path qatModel, boolean quantized) {
    evaluate(floatTfl, ptqTfl, qatTfl);
    put(
        "verify",
        stage(
            "verify int8 in TFLite vs simulator",
            Files.exists(qatTfl) && quantized,
            () -> pipeline.verify(qatModel.toString(), qatTfl, data, plan.verifyImages())));
    bench(floatTfl, qatTfl);
    put(
        "edgetpu",
        stage("EdgeTPU pre-flight", Files.exists(qatTfl), () -> pipeline.edgetpuCheck(qatTfl)));
  }

  private JsonObject trainStage(Path floatModel) {
    return stage(
        "train float reference CNN",
        true,
        () ->
            pipeline.train(
                new TrainSpec(
                    "reference-cnn",
                    data,
                    plan.epochs(),
                    seed,
                    64,
                    1e-3f,
                    plan.trainImages(),
                    floatModel,
                    plan.testImages())));
  }

  private JsonObject ptqStage(Path floatModel, Path ptqTfl, boolean trained) {
    return stage(
        "PTQ baseline (int8)",
        trained,
        () ->
            pipeline.ptq(
                floatModel.toString(), data, plan.calibration(), Pipeline.IoType.INT8, ptqTfl));
  }

  private JsonObject qatStage(Path floatModel, Path qatModel, boolean trained) {
    return stage(
        "QAT fine-tune",
        trained,
        () ->
            pipeline.quantize(
                new TrainSpec(
                    floatModel.toString(),
                    data,
                    plan.qatEpochs(),
                    seed,
                    64,
                    1e-4f,
                    plan.qatImages(),
                    qatModel,
                    plan.testImages()),
                null));
  }

  /** Writes the report files; returns the stdout summary (without raw samples and curves). */
  private JsonObject finish(long t0) throws IOException {
    report.add("stages", stages);
    report.addProperty("total_seconds", (System.nanoTime() - t0) / 1e9);
    Path html = Report.write(report, out);
    JsonObject r = report.deepCopy();
    // stdout stays small: raw samples and curves are in report.json.
    for (JsonElement e : r.getAsJsonArray("bench")) e.getAsJsonObject().remove("samples_ms");
    for (String k : new String[] {"train", "qat"})
      if (r.has(k)) r.getAsJsonObject(k).remove("curve");
    r.addProperty("report_html", html.toString());
    r.addProperty("report_json", out.resolve("report.json").toString());
    return r;
  }

  private void header() {
    report.addProperty("mode", plan.mode());
    report.addProperty("data", data.toString());
    report.addProperty("out", out.toString());
    report.addProperty("created", Instant.now().toString());
    report.addProperty("seed", seed);
    report.addProperty("java", System.getProperty("java.version"));
    report.addProperty("tflite_version", Probes.tflite().version());
    report.addProperty("cpus", Runtime.getRuntime().availableProcessors());
    report.addProperty("gemm", Gemm.get().name());
    report.add("plan", Json.GSON.toJsonTree(plan));
  }

  private void put(String key, JsonObject value) {
    if (value != null) report.add(key, value);
  }

  private void evaluate(Path floatTfl, Path ptqTfl, Path qatTfl) {
    JsonObject acc = new JsonObject();
    JsonObject evals = new JsonObject();
    String[][] rows = {
      {"float", floatTfl.toString()},
      {"PTQ int8", ptqTfl.toString()},
      {"QAT int8", qatTfl.toString()}
    };
    for (String[] row : rows) {
      Path p = Path.of(row[1]);
      JsonObject e =
          stage(
              "evaluate " + row[0] + " in TFLite",
              Files.exists(p),
              () -> pipeline.eval(p, data, Backend.BUILTIN, 1, plan.testImages()));
      if (e != null) {
        acc.addProperty(row[0], e.get("accuracy").getAsDouble());
        evals.add(row[0], e);
      }
    }
    report.add("accuracy", acc);
    report.add("eval", evals);
  }

  private void bench(Path floatTfl, Path qatTfl) {
    JsonArray all = new JsonArray();
    for (Backend b : new Backend[] {Backend.BUILTIN, Backend.XNNPACK}) {
      for (String[] v :
          new String[][] {{"float", floatTfl.toString()}, {"int8", qatTfl.toString()}}) {
        Path p = Path.of(v[1]);
        JsonObject r =
            stage(
                "bench " + v[0] + " " + TfliteRun.id(b),
                Files.exists(p),
                () ->
                    new BenchSteps(pipeline)
                        .bench(p, b, 1, plan.benchRuns(), 5, plan.benchMinSecs(), 30));
        if (r != null) {
          r.addProperty("variant", v[0]);
          all.add(r);
        }
      }
    }
    report.add("bench", all);
  }

  private void sizes(Path floatTfl, Path ptqTfl, Path qatTfl) throws IOException {
    JsonObject s = new JsonObject();
    if (Files.exists(floatTfl)) s.addProperty("float", Files.size(floatTfl));
    if (Files.exists(ptqTfl)) s.addProperty("PTQ int8", Files.size(ptqTfl));
    if (Files.exists(qatTfl)) s.addProperty("QAT int8", Files.size(qatTfl));
    report.add("sizes", s);
  }

  /** One row per model: TFLite accuracy, size and p50 latency per backend (1 thread). */
  private void headline() {
    JsonArray rows = new JsonArray();
    JsonObject acc = report.getAsJsonObject("accuracy");
    JsonObject sizes = report.getAsJsonObject("sizes");
    for (String m : new String[] {"float", "PTQ int8", "QAT int8"}) {
      JsonObject row = Json.object("model", m);
      if (acc.has(m)) row.add("accuracy", acc.get(m));
      if (sizes.has(m)) row.add("bytes", sizes.get(m));
      String variant = m.equals("float") ? "float" : m.equals("QAT int8") ? "int8" : null;
      for (JsonElement e : report.getAsJsonArray("bench")) {
        JsonObject b = e.getAsJsonObject();
        if (variant != null && b.get("variant").getAsString().equals(variant)) {
          row.addProperty(
              "p50_" + b.get("backend").getAsString() + "_ms",
              b.getAsJsonObject("steady").get("p50_ms").getAsDouble());
        }
      }
      rows.add(row);
    }
    report.add("headline", rows);
  }
}
