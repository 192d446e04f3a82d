package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.core.data.UserData;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.MultiTaskTrainer;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.SubgraphInfo;

/**
 * {@code train}, {@code quantize} and {@code ptq} for models with several inputs or outputs: data
 * from one {@code .npz} (arrays {@code x_<input>} or {@code x0, x1, …}; labels {@code y_<output>}
 * or {@code y0, y1, …}), training on the weighted sum of the outputs' softmax cross-entropies
 * ({@link MultiTaskTrainer}, weights from {@link LossWeights}; epochs and checkpoints in {@link
 * MultiFit}). Output 0's accuracy fills the single-output contract fields; every output's figures
 * are in {@code outputs[]}.
 */
final class MultiIo {
  private final Pipeline p;

  MultiIo(Pipeline p) {
    this.p = p;
  }

  /** True for a model that the single-input, single-label data path cannot feed. */
  static boolean applies(Model m) {
    return m.inputs().size() > 1 || m.outputs().size() > 1;
  }

  /** Loads {@code data} for {@code m}'s inputs (and outputs when {@code labels}). */
  MultiDataset load(Path data, Model m, boolean labels, String option) {
    List<String> in = m.inputs().stream().map(Node::name).toList();
    List<int[]> shapes = m.inputs().stream().map(Node::shape).toList();
    List<String> out = m.outputs().stream().map(Node::name).toList();
    return load(data, in, shapes, out, labels, option);
  }

  MultiDataset load(
      Path data,
      List<String> in,
      List<int[]> shapes,
      List<String> out,
      boolean labels,
      String option) {
    long t0 = System.nanoTime();
    MultiDataset d;
    try {
      d = UserData.loadMulti(data, in, shapes, out, labels);
    } catch (IOException e) {
      throw CliException.usage(option + ": " + Main.oneLine(e));
    }
    p.info()
        .accept(
            String.format(
                Locale.ROOT,
                "loaded %d samples for inputs %s (npz) from %s in %.1f s",
                d.size(),
                in,
                data,
                (System.nanoTime() - t0) / 1e9));
    return d;
  }

  /** {@code --test-data} when given, else {@code data} itself; the first {@code limit} (> 0). */
  MultiDataset testSet(Path data, Path testData, Model m, int limit) {
    MultiDataset d =
        load(
            testData != null ? testData : data,
            m,
            true,
            testData != null ? "--test-data" : "--data");
    return limit > 0 ? d.subset(0, Math.min(limit, d.size())) : d;
  }

  private static MultiDataset first(MultiDataset d, int limit) {
    return limit > 0 ? d.subset(0, Math.min(limit, d.size())) : d;
  }

  /**
   * Float training of a model with several inputs or outputs; {@code resumed} (may be null)
   * continues a checkpoint, {@code ck} (may be null) writes checkpoints.
   */
  JsonObject train(TrainSpec s, Path testData, Model model, Checkpoint resumed, TrainCheckpoints ck)
      throws IOException {
    MultiDataset train = first(load(s.data(), model, true, "--data"), s.limit());
    MultiDataset test = testSet(s.data(), testData, model, s.testLimit());
    checkLabels(train, model, s.model(), "--model");
    MultiFit f;
    if (resumed != null) {
      f = MultiFit.resume(p, resumed, s.model(), train.size());
    } else {
      int batches = (train.size() + s.batchSize() - 1) / s.batchSize();
      double[] w = LossWeights.parse(s.lossWeights(), names(model));
      f = new MultiFit(p, new MultiTaskTrainer(model, s.adam(batches), w), "train");
    }
    JsonObject r = f.run(train, s, ck);
    if (ck != null) r.addProperty("checkpoint", ck.file().toString());
    if (resumed != null) {
      r.addProperty("resumed_epoch", resumed.state().epoch());
      r.addProperty("resumed_step", resumed.state().globalStep());
    }
    scores(f, test, s, r, "test_accuracy");
    Finite.check(model, "the trained model", "--out");
    if (s.out() != null) {
      Outputs.saveModel(model, s.out());
      r.addProperty("path", s.out().toString());
      r.addProperty("bytes", Files.size(s.out()));
    }
    r.addProperty("model", s.model());
    r.addProperty("parameters", model.parameterCount());
    r.addProperty("train_images", train.size());
    return r;
  }

  /** QAT fine-tuning of a float or QAT model with several inputs or outputs. */
  JsonObject quantize(TrainSpec s, Path testData, Model f, QatModel q) throws IOException {
    MultiDataset train = first(load(s.data(), f, true, "--data"), s.limit());
    MultiDataset test = testSet(s.data(), testData, f, s.testLimit());
    checkLabels(train, f, s.model(), "--in");
    double[] w = LossWeights.parse(s.lossWeights(), names(f));
    q.calibrateInputs(
        train.subset(0, Math.min(QuantSteps.QAT_CALIBRATION, train.size())).batches(100));
    int batches = (train.size() + s.batchSize() - 1) / s.batchSize();
    MultiFit fit = new MultiFit(p, new MultiTaskTrainer(q.model(), s.adam(batches), w), "QAT");
    JsonObject r = fit.run(train, s, null);
    scores(fit, test, s, r, "test_accuracy_fake_quant");
    Finite.check(q.model(), "the QAT model", "--out");
    QatFiles.save(q, f, s.out());
    r.addProperty("path", s.out().toString());
    r.addProperty("bytes", Files.size(s.out()));
    r.addProperty("train_images", train.size());
    return r;
  }

  /**
   * Test figures: output 0's accuracy as {@code field}, the weighted {@code test_loss}, and per
   * output {name, loss_weight, field, test_loss, train_loss[]} in {@code outputs[]}.
   */
  private static void scores(
      MultiFit f, MultiDataset test, TrainSpec s, JsonObject r, String field) {
    MultiTaskTrainer t = f.trainer();
    int batch = Math.max(s.batchSize(), 250);
    double[] acc = t.accuracy(test.inputs(), test.labels(), batch);
    double[] loss = t.losses(test.inputs(), test.labels(), batch);
    double[] w = t.lossWeights();
    double weighted = 0;
    List<JsonObject> l = new ArrayList<>();
    for (int o = 0; o < acc.length; o++) {
      weighted += w[o] * loss[o];
      JsonObject j = Json.object("name", t.model().outputs().get(o).name(), "loss_weight", w[o]);
      j.addProperty(field, acc[o]);
      j.addProperty("test_loss", loss[o]);
      j.add("train_loss", Json.array(f.outputLosses(o)));
      l.add(j);
    }
    r.addProperty(field, acc[0]);
    r.addProperty("test_loss", weighted);
    r.addProperty("test_count", test.size());
    r.add("outputs", Json.array(l));
  }

  private static List<String> names(Model m) {
    return m.outputs().stream().map(Node::name).toList();
  }

  /** PTQ of a model with several inputs on the first {@code n} samples of {@code data}. */
  QatModel ptq(Model f, Path data, int n, int[] used) {
    MultiDataset cal = load(data, f, false, "--data");
    cal = cal.subset(0, Math.min(n, cal.size()));
    used[0] = cal.size();
    return Ptq.quantizeInputs(f, cal.batches(100));
  }

  /**
   * Top-1 accuracy of every output of a .tflite with several inputs or outputs (batch 1 per
   * invoke); arrays are named after the .tflite's input and output tensors.
   */
  JsonObject eval(Path file, SubgraphInfo g, Path data, Backend b, int threads, int limit)
      throws IOException {
    List<String> in = new ArrayList<>(), out = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    for (int t : g.inputs()) {
      in.add(g.tensor(t).name());
      int[] sh = g.tensor(t).shape();
      shapes.add(Arrays.copyOfRange(sh, Math.min(1, sh.length), sh.length));
    }
    for (int t : g.outputs()) out.add(g.tensor(t).name());
    MultiDataset test = first(load(data, in, shapes, out, true, "--data"), limit);
    long[] hits = new long[out.size()];
    long t0 = System.nanoTime();
    try (TfliteModel m = TfliteRun.model(file);
        Interpreter it = TfliteRun.open(m, b, threads, p.isolating(), p.customOps())) {
      for (int s = 0; s < test.size(); s++) {
        for (int i = 0; i < in.size(); i++) it.input(i).writeReal(test.sample(i, s));
        it.invoke();
        for (int o = 0; o < hits.length; o++)
          if (argmax(it.output(o).readReal()) == test.labels()[o][s]) hits[o]++;
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double[] acc = Arrays.stream(hits).mapToDouble(h -> h / (double) test.size()).toArray();
    JsonObject r = new JsonObject();
    r.addProperty("accuracy", acc[0]);
    r.addProperty("count", test.size());
    r.addProperty("backend", TfliteRun.id(b));
    r.addProperty("threads", threads);
    r.addProperty("images_per_second", test.size() / secs);
    r.addProperty("model", file.toString());
    List<JsonObject> l = new ArrayList<>();
    for (int o = 0; o < acc.length; o++) l.add(Json.object("name", out.get(o), "accuracy", acc[o]));
    r.add("outputs", Json.array(l));
    return r;
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }

  /** Every label must index its output's classes. */
  static void checkLabels(MultiDataset d, Model m, String ref, String option) {
    for (int o = 0; o < m.outputs().size(); o++) {
      Node out = m.outputs().get(o);
      int classes = out.shape()[out.shape().length - 1];
      int max = Arrays.stream(d.labels()[o]).max().orElse(0);
      if (out.shape().length != 1 || max >= classes)
        throw CliException.usage(
            option
                + ": output '"
                + out.name()
                + "' of "
                + ref
                + " gives "
                + Arrays.toString(out.shape())
                + " but its labels go up to "
                + max
                + " (class logits [classes] needed)");
    }
  }
}
