package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.quant.raise.TfliteImporter;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteWriter;

/** QAT fine-tuning, PTQ and int8/float export, on top of {@link Pipeline}'s data and progress. */
final class QuantSteps {
  /**
   * Images used to initialise activation ranges before QAT, and generated inputs for
   * non-Fashion-MNIST models.
   */
  static final int QAT_CALIBRATION = 1000;

  static final int GENERATED_CALIBRATION = 32;

  private final Pipeline p;
  private final ScaleOut.Job spark;

  QuantSteps(Pipeline p) {
    this(p, null);
  }

  /** With a non-null {@code spark} job, QAT runs data-parallel on Spark ({@link ScaleOut#fit}). */
  QuantSteps(Pipeline p, ScaleOut.Job spark) {
    this.p = p;
    this.spark = spark;
  }

  /** A saved float model, or a QAT file (continues QAT), or an architecture. */
  JsonObject quantize(TrainSpec s, NewHead head) throws IOException {
    Model f;
    QatModel q;
    JsonObject headJson = new JsonObject();
    if (head != null) {
      f = head.prepare(p, s, headJson);
      q = Quantize.model(f);
    } else if (QatFiles.isQatRef(s.model())) {
      QatFiles.Loaded l = loadQat(Path.of(s.model()), "--in");
      f = l.floatModel();
      q = l.qat();
    } else {
      f = Models.load(s.model(), s.seed(), "--in");
      q = Quantize.model(f);
    }
    if (MultiIo.applies(f)) return new MultiIo(p).quantize(s, p.testData(), f, q);
    TrainSteps.singleOutput(s, "--in");
    Dataset train = p.trainSet(s.data(), s.limit(), f.inputShape());
    Pipeline.checkOutputs(train, f.outputShape(), s.model(), "--in");
    Dataset test =
        p.testSet(
            s.data(), s.testLimit(), f.inputShape()); // before training: a damaged file fails now

    try (Progress bar = p.progress().create("QAT range init", 1, "passes")) {
      q.calibrate(images(train.subset(0, Math.min(QAT_CALIBRATION, train.size())), 100));
      bar.step(1);
    }
    Trainer t = new Trainer(q.model(), s.adam(train.batchCount(s.batchSize())));
    // No BN/observer freezing (TFMOT's behaviour): on short fine-tunes the running BN statistics of
    // a
    // briefly trained float model are poor, and freezing them half-way made the loss jump
    // (measured).
    TrainProgress tp =
        new TrainProgress(p.progress(), "QAT", s.epochs(), train.batchCount(s.batchSize()));
    t.addCallback(tp);
    p.info()
        .accept(
            String.format(
                Locale.ROOT,
                "QAT fine-tuning on %d images, %d epoch(s), lr %g",
                train.size(),
                s.epochs(),
                s.lr()));
    History h =
        spark == null
            ? TrainSteps.fit(t, train, p.valSet(f.inputShape(), test), s)
            : SparkOption.scaleOut()
                .fit(
                    spark.withSampleShape(f.inputShape()),
                    q,
                    t.optimizer(),
                    s.epochs(),
                    s.batchSize(),
                    s.seed());
    JsonObject r = TrainSteps.historyJson(h);
    headJson.entrySet().forEach(e -> r.add(e.getKey(), e.getValue()));
    Evaluation ev = new TrainSteps(p).evaluate(t, test, s.batchSize());
    r.addProperty("test_accuracy_fake_quant", ev.accuracy());
    r.addProperty("test_loss_fake_quant", ev.loss());
    r.addProperty("test_count", ev.count());
    Finite.check(q.model(), "the QAT model", "--out");
    QatFiles.save(q, f, s.out());
    r.addProperty("path", s.out().toString());
    r.addProperty("bytes", Files.size(s.out()));
    r.addProperty("train_images", train.size());
    r.addProperty("schedule", s.cosine() ? "cosine" : "constant");
    r.add("curve", tp.curve());
    return r;
  }

  /**
   * PTQ calibrated on the first {@code calibration} samples of {@code data}, or on generated inputs
   * when {@code data} is null.
   */
  JsonObject ptq(String model, Path data, int calibration, Pipeline.IoType io, Path out)
      throws IOException {
    Model f = floatModel(model, "--in", 1L);
    if (MultiIo.applies(f)) return multiPtq(f, data, calibration, io, out);
    Dataset cal = data == null ? null : p.calibrationSet(data, calibration, f.inputShape());
    int used = cal == null ? Math.min(calibration, GENERATED_CALIBRATION) : cal.size();
    Iterable<Tensor> rep = cal == null ? representative(f, null, used) : images(cal, 100);
    QatModel q;
    try (Progress bar = p.progress().create("PTQ calibration", 1, "passes")) {
      q = Ptq.quantize(f, rep);
      bar.step(1);
    }
    if (used < calibration) {
      p.info()
          .accept(
              "note: --calibration "
                  + calibration
                  + " asked for more samples than are available; calibrated on "
                  + used
                  + (cal == null ? " generated inputs" : " (all of --data)"));
    }
    JsonObject r = Pipeline.written(TfliteWriter.write(lowerInt8(q, io)), out, "int8", io);
    r.addProperty("calibration_images", used);
    r.addProperty("calibration_samples", used);
    r.addProperty("calibration_requested", calibration);
    r.addProperty("calibration_data", cal == null ? "generated" : p.format(data, "--data").id());
    if (cal != null) r.addProperty("calibration_source", data.toString());
    return r;
  }

  private JsonObject multiPtq(Model f, Path data, int calibration, Pipeline.IoType io, Path out)
      throws IOException {
    if (data == null)
      throw CliException.usage(
          "--calibration generated: not available for models with several inputs or outputs;"
              + " pass --data with a .npz");
    int[] used = new int[1];
    QatModel q;
    try (Progress bar = p.progress().create("PTQ calibration", 1, "passes")) {
      q = new MultiIo(p).ptq(f, data, calibration, used);
      bar.step(1);
    }
    JsonObject r = Pipeline.written(TfliteWriter.write(lowerInt8(q, io)), out, "int8", io);
    r.addProperty("calibration_images", used[0]);
    r.addProperty("calibration_samples", used[0]);
    r.addProperty("calibration_requested", calibration);
    r.addProperty("calibration_data", p.format(data, "--data").id());
    r.addProperty("calibration_source", data.toString());
    return r;
  }

  /** {@link #ptq} with min/max calibration spread over Spark tasks (the same int8 bytes). */
  JsonObject ptqOnSpark(
      String model, SparkOption on, DataOption data, Path d, int n, Pipeline.IoType io, Path out)
      throws IOException {
    Model f = floatModel(model, "--in", 1L);
    ScaleOut.Job job = on.job(data, d, n, f.inputShape());
    QatModel q = SparkOption.scaleOut().calibrate(job, f, 100);
    JsonObject r = Pipeline.written(TfliteWriter.write(lowerInt8(q, io)), out, "int8", io);
    int used = Math.min(n, p.calibrationSet(d, n, f.inputShape()).size());
    r.addProperty("calibration_images", used);
    r.addProperty("calibration_samples", used);
    r.addProperty("calibration_requested", n);
    r.addProperty("calibration_data", p.format(d, "--data").id());
    r.addProperty("calibration_source", d.toString());
    r.addProperty("master", job.master());
    return r;
  }

  JsonObject export(String model, boolean int8, Pipeline.IoType io, long seed, Path out)
      throws IOException {
    if (QatFiles.isQatRef(model)) {
      QatFiles.Loaded l = loadQat(Path.of(model), "--in");
      if (int8)
        return Pipeline.written(TfliteWriter.write(lowerInt8(l.qat(), io)), out, "int8", io);
      JsonObject r =
          Pipeline.written(
              TfliteWriter.write(FloatLowering.lower(l.floatModel())), out, "float", io);
      r.addProperty(
          "note", "float export of a QAT file writes the float model it was fine-tuned from");
      return r;
    }
    Model f = Models.load(model, seed, "--in");
    if (!int8)
      return Pipeline.written(TfliteWriter.write(FloatLowering.lower(f)), out, "float", io);
    Path data =
        fashionShaped(f) && Args.hasFashionMnist(Args.DEFAULT_DATA) ? Args.DEFAULT_DATA : null;
    p.info()
        .accept(
            "int8 export of a float model: post-training calibration on "
                + (data == null
                    ? GENERATED_CALIBRATION + " generated inputs"
                    : "500 Fashion-MNIST training images"));
    JsonObject r =
        Pipeline.written(
            TfliteWriter.write(lowerInt8(Ptq.quantize(f, representative(f, data, 500)), io)),
            out,
            "int8",
            io);
    r.addProperty("calibration_data", data == null ? "generated" : "fashion-mnist");
    return r;
  }

  static LoweredGraph lowerInt8(QatModel q, Pipeline.IoType io) {
    try {
      return Int8Lowering.lower(
          q, io == Pipeline.IoType.FLOAT ? DType.FLOAT32 : DType.valueOf(io.name()));
    } catch (IllegalArgumentException e) {
      throw CliException.failed(Main.oneLine(e), e);
    }
  }

  /**
   * A float model from a saved model, zoo name or float .tflite (int8 .tflite and QAT files are
   * refused).
   */
  Model floatModel(String ref, String option, long seed) throws IOException {
    Path path = Path.of(ref);
    if (!ref.startsWith("zoo:") && Files.isRegularFile(path)) {
      if (Args.isTflite(path)) {
        TfliteModelInfo info = Pipeline.readTflite(path, option);
        boolean quantized =
            info.subgraph(0).tensors().stream()
                .anyMatch(t -> t.typeName().equals("INT8") || t.typeName().equals("UINT8"));
        if (quantized)
          throw CliException.usage(
              option
                  + ": "
                  + ref
                  + " is already quantized (int8/uint8 tensors); ptq needs a float model");
        try {
          Finite.check(info, path, option);
          return TfliteImporter.toModel(info);
        } catch (IllegalArgumentException
            | UnsupportedOperationException
            | org.qat4j.tflite.ModelFormatException e) {
          throw CliException.usage(
              option + ": " + ref + " cannot be imported as a float model: " + Main.oneLine(e));
        }
      }
      if (QatFiles.isQat(path))
        throw CliException.usage(
            option
                + ": "
                + ref
                + " is already a QAT model; use: export --in "
                + ref
                + " --format int8");
    }
    return Models.load(ref, seed, option);
  }

  QatFiles.Loaded loadQat(Path file, String option) {
    QatFiles.Loaded l;
    try {
      l = QatFiles.load(file);
    } catch (IOException | RuntimeException e) {
      throw CliException.usage(
          option + ": " + file + " is not a readable QAT model (" + Main.oneLine(e) + ")");
    }
    Finite.check(l.qat().model(), file.toString(), option);
    return l;
  }

  static boolean fashionShaped(Model m) {
    return Arrays.equals(m.inputShape(), new int[] {28, 28, 1});
  }

  /**
   * Fashion-MNIST training images for 28×28×1 models (export of zoo models), else uniform [0, 1)
   * generated inputs.
   */
  Iterable<Tensor> representative(Model m, Path data, int n) throws IOException {
    if (data != null && fashionShaped(m))
      return images(p.calibrationSet(data, n, m.inputShape()), 100);
    int count = Math.min(n, GENERATED_CALIBRATION);
    int[] shape = m.inputShape();
    int per = 1;
    for (int d : shape) per *= d;
    SplittableRandom rnd = new SplittableRandom(7);
    List<Tensor> batches = new ArrayList<>();
    for (int done = 0; done < count; done += 8) {
      int b = Math.min(8, count - done);
      float[] v = new float[b * per];
      for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble();
      int[] full = new int[shape.length + 1];
      full[0] = b;
      System.arraycopy(shape, 0, full, 1, shape.length);
      batches.add(Tensor.of(v, full));
    }
    return batches;
  }

  /** The image tensors of {@code d} in stored order (each batch reused by the next). */
  static Iterable<Tensor> images(Dataset d, int batch) {
    return () ->
        new java.util.Iterator<>() {
          private final java.util.Iterator<Batch> it = d.batches(batch, false, 0).iterator();

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Tensor next() {
            return it.next().images();
          }
        };
  }
}
