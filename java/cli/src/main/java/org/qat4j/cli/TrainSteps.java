package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.BatchNormReestimation;
import org.qat4j.core.train.EpochStats;
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.train.TrainingDivergedException;
import org.qat4j.ir.internal.Parallel;

/**
 * Float training for the CLI (train command, demo) and the training helpers QAT shares: fit under
 * the divergence guard, BatchNorm re-estimation, per-epoch JSON, chunked test evaluation; data and
 * progress come from {@link Pipeline}.
 */
final class TrainSteps {
  private final Pipeline p;

  TrainSteps(Pipeline p) {
    this.p = p;
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
    if (MultiIo.applies(model)) return new MultiIo(p).train(s, p.testData(), model, resumed, ck);
    singleOutput(s, "--model");
    Dataset train = p.trainSet(s.data(), s.limit(), model.inputShape());
    if (resumed != null)
      TrainCheckpoints.checkContinues(resumed.state(), train, s.batchSize(), s.epochs());
    Pipeline.checkOutputs(train, model.outputShape(), s.model(), "--model");
    // loaded before training: a damaged file fails now, not after it
    Dataset test = p.testSet(s.data(), s.testLimit(), model.inputShape());
    announce(s, model, train);
    Trainer t =
        resumed != null
            ? resumed.trainer()
            : new Trainer(model, s.adam(train.batchCount(s.batchSize())));
    TrainProgress tp =
        new TrainProgress(p.progress(), "train", s.epochs(), train.batchCount(s.batchSize()));
    t.addCallback(tp);
    Dataset val = p.valSet(model.inputShape(), test);
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
    finish(s, model, t, test, r);
    r.addProperty("train_images", train.size());
    r.add("curve", tp.curve());
    return r;
  }

  private void announce(TrainSpec s, Model model, Dataset train) {
    p.info()
        .accept(
            String.format(
                Locale.ROOT,
                "training %s (%d parameters) on %d images, %d epoch(s), gemm %s, %d layer thread(s)",
                s.model(),
                model.parameterCount(),
                train.size(),
                s.epochs(),
                Gemm.get().name(),
                Parallel.threads()));
  }

  /** Test figures, the saved model and the run's settings. */
  private void finish(TrainSpec s, Model model, Trainer t, Dataset test, JsonObject r)
      throws IOException {
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
    r.addProperty("schedule", s.cosine() ? "cosine" : "constant");
    r.addProperty("lr", s.lr());
    if (Models.isReferenceCnn(s.model())) r.addProperty("conv_init_scale", s.convInitScale());
    r.addProperty("gemm", Gemm.get().name());
    r.addProperty("threads", Parallel.threads());
    if (Pipeline.gemmThreads() > 0) r.addProperty("gemm_threads", Pipeline.gemmThreads());
  }

  /** {@code --loss-weights} is for models with several outputs only. */
  static void singleOutput(TrainSpec s, String option) {
    if (s.lossWeights() != null)
      throw CliException.usage(
          "--loss-weights: "
              + option
              + " "
              + s.model()
              + " has a single output; loss weights are for models with several outputs");
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
    int batches = BatchNormReestimation.run(model, train, batchSize, BN_REESTIMATION_BATCHES);
    int images = Math.min(train.size(), batches * batchSize);
    if (batches > 0)
      p.info().accept("re-estimated BatchNorm statistics on " + images + " training images");
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
    try (Progress bar = p.progress().create("test (Java)", test.size(), "images")) {
      for (int from = 0; from < test.size(); from += chunk) {
        Dataset part = test.subset(from, Math.min(test.size(), from + chunk));
        Evaluation e = t.evaluate(part, Math.max(batchSize, 250));
        loss += e.loss() * e.count();
        correct += e.accuracy() * e.count();
        bar.status(String.format(Locale.ROOT, "accuracy %.4f", correct / (from + part.size())));
        bar.step(part.size());
      }
    }
    return new Evaluation(loss / test.size(), correct / test.size(), test.size());
  }
}
