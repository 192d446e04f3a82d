package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.History;
import org.qat4j.core.train.MultiTaskTrainer;
import org.qat4j.core.train.TrainingDivergedException;
import org.qat4j.core.train.TrainingState;

/**
 * The epoch loop of multi-output training ({@code train}, {@code quantize}): the weighted loss and
 * each output's loss per epoch, a checkpoint after every epoch (with {@code --checkpoint-dir}) and
 * when SIGINT/SIGTERM arrives (taken at the end of the running epoch), and {@code --resume} from
 * such a checkpoint. Epoch e shuffles with (seed, e), so a resumed run equals an uninterrupted one.
 */
final class MultiFit {
  private static final String WEIGHTS = "loss_weights";
  private static final String LOSS = "train_loss";
  private static final String OUT_LOSS = "output_train_loss";
  private static final String SECS = "epoch_seconds";
  private static final String SAMPLES = "train_samples";

  private final Pipeline p;
  private final MultiTaskTrainer t;
  private final String task;
  private final List<Double> loss = new ArrayList<>();
  private final List<Double> secs = new ArrayList<>();
  private final List<double[]> outLoss = new ArrayList<>();

  MultiFit(Pipeline p, MultiTaskTrainer t, String task) {
    this.p = p;
    this.t = t;
    this.task = task;
  }

  /** The trainer (weights, optimizer and step of the run). */
  MultiTaskTrainer trainer() {
    return t;
  }

  /**
   * Continues checkpoint {@code c} of a multi-output run ({@code file} names it in errors) on
   * {@code samples} training samples, the count of the interrupted run.
   */
  static MultiFit resume(Pipeline p, Checkpoint c, String file, int samples) {
    JsonObject x = c.extra();
    if (!x.has(WEIGHTS) || !x.has(SAMPLES))
      throw CliException.usage(
          "--resume: " + file + " is not a checkpoint of multi-output training (no loss weights)");
    if (x.get(SAMPLES).getAsInt() != samples)
      throw CliException.usage(
          "--resume: the checkpoint was trained on "
              + x.get(SAMPLES).getAsInt()
              + " samples but --data/--limit give "
              + samples
              + "; use the data and --limit of the interrupted run");
    JsonArray wa = x.getAsJsonArray(WEIGHTS);
    double[] w = new double[wa.size()];
    for (int i = 0; i < w.length; i++) w[i] = wa.get(i).getAsDouble();
    MultiTaskTrainer t = new MultiTaskTrainer(c.model(), c.optimizer(), w);
    t.restore(c.state().globalStep());
    MultiFit f = new MultiFit(p, t, "train");
    for (JsonElement e : x.getAsJsonArray(LOSS)) f.loss.add(e.getAsDouble());
    for (JsonElement e : x.getAsJsonArray(SECS)) f.secs.add(e.getAsDouble());
    for (JsonElement e : x.getAsJsonArray(OUT_LOSS)) {
      JsonArray a = e.getAsJsonArray();
      double[] v = new double[a.size()];
      for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsDouble();
      f.outLoss.add(v);
    }
    if (f.loss.size() != c.state().epoch())
      throw CliException.usage("--resume: " + file + " has an inconsistent epoch history");
    return f;
  }

  /** Completed epochs (restored ones included). */
  int epochs() {
    return loss.size();
  }

  /**
   * Trains until {@code s.epochs()} epochs are complete; {@code ck} (may be null) saves
   * checkpoints. Returns epoch_seconds[], train_loss[] (weighted), train_images_per_second and
   * schedule.
   */
  JsonObject run(MultiDataset train, TrainSpec s, TrainCheckpoints ck) {
    if (epochs() >= s.epochs())
      throw CliException.usage(
          "--epochs: the checkpoint has already completed "
              + epochs()
              + " epoch(s); --epochs is the total, give more than that");
    for (int e = epochs(); e < s.epochs(); e++) {
      stopOnSignal(ck, train.size(), s);
      long t0 = System.nanoTime();
      double[] l = epoch(train, s, e);
      secs.add((System.nanoTime() - t0) / 1e9);
      loss.add(l[l.length - 1]);
      outLoss.add(Arrays.copyOf(l, l.length - 1));
      info(e, s.epochs());
      if (ck != null && ck.everyEpoch()) save(ck, train.size(), s);
    }
    stopOnSignal(ck, train.size(), s);
    JsonObject r = new JsonObject();
    r.add("epoch_seconds", Json.array(secs.stream().mapToDouble(Double::doubleValue).toArray()));
    r.add(LOSS, Json.array(loss.stream().mapToDouble(Double::doubleValue).toArray()));
    double total = secs.stream().mapToDouble(Double::doubleValue).sum();
    r.addProperty(
        "train_images_per_second", total > 0 ? train.size() * (double) secs.size() / total : 0);
    r.addProperty("schedule", s.cosine() ? "cosine" : "constant");
    return r;
  }

  /**
   * At an epoch boundary: after SIGINT/SIGTERM saves a checkpoint and fails with the signal's exit
   * code (a signal during an epoch takes effect when it ends; never writes --out).
   */
  private void stopOnSignal(TrainCheckpoints ck, int samples, TrainSpec s) {
    if (ck == null) return;
    TrainCheckpoints.stepHook.accept(ck, t.globalStep());
    if (!ck.signalled()) return;
    save(ck, samples, s);
    throw ck.stopped(ck.signal(), t.globalStep(), Math.min(epochs() + 1, s.epochs()));
  }

  /** Output {@code o}'s mean training loss of each epoch. */
  double[] outputLosses(int o) {
    return outLoss.stream().mapToDouble(v -> v[o]).toArray();
  }

  private double[] epoch(MultiDataset train, TrainSpec s, int e) {
    try {
      return t.epoch(train.inputs(), train.labels(), s.batchSize(), s.seed(), e);
    } catch (TrainingDivergedException ex) {
      throw CliException.failed(
          task + " diverged in epoch " + (e + 1) + " (" + Main.oneLine(ex) + "); try a lower --lr",
          ex);
    }
  }

  private void info(int e, int epochs) {
    StringBuilder per = new StringBuilder();
    double[] l = outLoss.get(e);
    for (int o = 0; o < l.length; o++)
      per.append(String.format(Locale.ROOT, "%s%s %.4f", o == 0 ? "" : ", ", name(o), l[o]));
    p.info()
        .accept(
            String.format(
                Locale.ROOT,
                "%s epoch %d/%d: loss %.4f (%s), %.1f s",
                task,
                e + 1,
                epochs,
                loss.get(e),
                per,
                secs.get(e)));
  }

  private String name(int o) {
    return t.model().outputs().get(o).name();
  }

  private void save(TrainCheckpoints ck, int samples, TrainSpec s) {
    JsonObject x = new JsonObject();
    x.add(WEIGHTS, Json.array(t.lossWeights()));
    x.addProperty(SAMPLES, samples);
    x.add(LOSS, Json.array(loss.stream().mapToDouble(Double::doubleValue).toArray()));
    x.add(SECS, Json.array(secs.stream().mapToDouble(Double::doubleValue).toArray()));
    JsonArray ol = new JsonArray();
    for (double[] v : outLoss) ol.add(Json.array(v));
    x.add(OUT_LOSS, ol);
    TrainingState st =
        new TrainingState(epochs(), t.globalStep(), s.seed(), s.batchSize(), new History());
    ck.save(t.model(), t.optimizer(), st, x);
  }
}
