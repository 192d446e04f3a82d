package org.qat4j.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;

/**
 * Mini-batch training of a {@link Model} with several inputs and several classifier outputs (logits
 * {@code [N, classes]} each): the loss is the weighted sum of each output's softmax cross-entropy,
 * and an output with weight 0 takes no part. Samples are given per input as N per-sample arrays
 * back to back (NHWC), labels per output; the caller keeps ownership of both. Reproducible: the
 * shuffle of epoch e and the layer RNG of step s derive only from (seed, e) and (seed, s).
 */
public final class MultiTaskTrainer {
  private final Model model;
  private final Optimizer optimizer;
  private final double[] weights;
  private final SoftmaxCrossEntropy[] losses;
  private final Map<String, Param> params;
  private final double[] lastLosses;
  private long step;

  /**
   * @param lossWeights one finite weight ≥ 0 per output, in {@link Model#outputs()} order, not all
   *     0
   */
  public MultiTaskTrainer(Model model, Optimizer optimizer, double... lossWeights) {
    if (lossWeights.length != model.outputs().size())
      throw new IllegalArgumentException(
          model.outputs().size() + " outputs need as many loss weights, got " + lossWeights.length);
    double sum = 0;
    for (double w : lossWeights) {
      if (!(w >= 0) || !Double.isFinite(w))
        throw new IllegalArgumentException("loss weights must be finite and >= 0, got " + w);
      sum += w;
    }
    if (sum == 0) throw new IllegalArgumentException("every loss weight is 0");
    for (var o : model.outputs()) {
      if (o.shape().length != 1)
        throw new IllegalArgumentException(
            "output '" + o.name() + "' is not [classes] logits: " + Shapes.str(o.shape()));
    }
    this.model = model;
    this.optimizer = optimizer;
    this.weights = lossWeights.clone();
    this.losses = new SoftmaxCrossEntropy[weights.length];
    for (int i = 0; i < losses.length; i++) losses[i] = new SoftmaxCrossEntropy();
    this.params = model.params();
    this.lastLosses = new double[weights.length];
  }

  /** Completed optimizer steps. */
  public long globalStep() {
    return step;
  }

  /** The model being trained (not a copy). */
  public Model model() {
    return model;
  }

  /** The optimizer (not a copy). */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** A copy of the loss weights, in {@link Model#outputs()} order. */
  public double[] lossWeights() {
    return weights.clone();
  }

  /**
   * Continues a checkpointed run at {@code globalStep} (the optimizer must have made as many
   * updates): the layer RNG of the next steps then matches the uninterrupted run.
   */
  public void restore(long globalStep) {
    if (globalStep < 0 || globalStep != optimizer.iterations())
      throw new IllegalArgumentException(
          "training state is at step "
              + globalStep
              + " but the optimizer at "
              + optimizer.iterations());
    step = globalStep;
  }

  /**
   * One optimizer step on a batch (one tensor per input, one label array per output); returns the
   * weighted loss.
   */
  public double step(Tensor[] inputs, int[][] labels, ExecContext ctx) {
    checkLabels(labels, inputs.length == 0 ? 0 : inputs[0].dim(0));
    Tensor[] logits = model.forward(inputs, ctx);
    Tensor[] grads = new Tensor[logits.length];
    double total = 0;
    for (int o = 0; o < logits.length; o++) {
      // an output with weight 0 is scored (for the per-output curve) but sends no gradient
      lastLosses[o] = losses[o].forward(logits[o], labels[o]);
      if (weights[o] == 0) continue;
      total += weights[o] * lastLosses[o];
      grads[o] = losses[o].gradient().copy();
      scale(grads[o], (float) weights[o]);
    }
    if (!Double.isFinite(total))
      throw new TrainingDivergedException("loss is " + total, 0, 0, step);
    model.backward(grads, ctx, false);
    optimizer.step(params);
    step++;
    return total;
  }

  /** Trains for {@code epochs} epochs; returns the mean weighted loss of each epoch. */
  public List<Double> fit(float[][] x, int[][] y, int epochs, int batchSize, long seed) {
    if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    List<Double> curve = new ArrayList<>();
    for (int e = 0; e < epochs; e++) curve.add(epoch(x, y, batchSize, seed, e)[weights.length]);
    return curve;
  }

  /**
   * Epoch {@code e} of a run with {@code seed} (its shuffle derives from both); returns each
   * output's mean loss (also for outputs of weight 0) and, last, the mean weighted loss.
   */
  public double[] epoch(float[][] x, int[][] y, int batchSize, long seed, int e) {
    int n = samples(x);
    checkLabels(y, n);
    if (batchSize <= 0)
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    int[] perm = permutation(n, Trainer.mix(seed, e));
    double[] sum = new double[weights.length + 1];
    for (int from = 0; from < n; from += batchSize) {
      int[] rows = Arrays.copyOfRange(perm, from, Math.min(n, from + batchSize));
      ExecContext ctx =
          new ExecContext(true, Gemm.get(), new SplittableRandom(Trainer.mix(~seed, step)));
      sum[weights.length] += step(gather(x, rows), labelsOf(y, rows), ctx) * rows.length;
      for (int o = 0; o < weights.length; o++) sum[o] += lastLosses[o] * rows.length;
    }
    for (int i = 0; i < sum.length; i++) sum[i] /= n;
    return sum;
  }

  /** Mean softmax cross-entropy of each output in inference mode. */
  public double[] losses(float[][] x, int[][] y, int batchSize) {
    int n = samples(x);
    checkLabels(y, n);
    if (batchSize <= 0)
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    double[] sum = new double[y.length];
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    for (int from = 0; from < n; from += batchSize) {
      int[] rows = new int[Math.min(batchSize, n - from)];
      for (int i = 0; i < rows.length; i++) rows[i] = from + i;
      Tensor[] out = model.forward(gather(x, rows), ExecContext.inference());
      int[][] l = labelsOf(y, rows);
      for (int o = 0; o < out.length; o++) sum[o] += ce.forward(out[o], l[o]) * rows.length;
    }
    for (int o = 0; o < sum.length; o++) sum[o] /= n;
    return sum;
  }

  /** Top-1 accuracy of each output in inference mode. */
  public double[] accuracy(float[][] x, int[][] y, int batchSize) {
    int n = samples(x);
    checkLabels(y, n);
    long[] hits = new long[y.length];
    for (int from = 0; from < n; from += batchSize) {
      int[] rows = new int[Math.min(batchSize, n - from)];
      for (int i = 0; i < rows.length; i++) rows[i] = from + i;
      Tensor[] out = model.forward(gather(x, rows), ExecContext.inference());
      int[][] l = labelsOf(y, rows);
      for (int o = 0; o < out.length; o++)
        hits[o] += SoftmaxCrossEntropy.countCorrect(out[o], l[o]);
    }
    double[] acc = new double[hits.length];
    for (int o = 0; o < acc.length; o++) acc[o] = hits[o] / (double) n;
    return acc;
  }

  private int samples(float[][] x) {
    if (x.length != model.inputs().size())
      throw new IllegalArgumentException(
          model.inputs().size() + " inputs need as many sample arrays, got " + x.length);
    int n = -1;
    for (int i = 0; i < x.length; i++) {
      int per = Shapes.size(model.inputs().get(i).shape());
      if (x[i].length % per != 0 || (n >= 0 && x[i].length / per != n))
        throw new IllegalArgumentException(
            "input '"
                + model.inputs().get(i).name()
                + "': "
                + x[i].length
                + " values are not "
                + (n >= 0 ? n + " samples" : "whole samples")
                + " of "
                + per);
      n = x[i].length / per;
    }
    if (n == 0) throw new IllegalArgumentException("no samples");
    return n;
  }

  private void checkLabels(int[][] y, int n) {
    if (y.length != weights.length)
      throw new IllegalArgumentException(
          weights.length + " outputs need as many label arrays, got " + y.length);
    for (int o = 0; o < y.length; o++) {
      if (y[o].length != n)
        throw new IllegalArgumentException(
            "output " + o + ": " + y[o].length + " labels for " + n + " samples");
    }
  }

  private Tensor[] gather(float[][] x, int[] rows) {
    Tensor[] t = new Tensor[x.length];
    for (int i = 0; i < x.length; i++) {
      int[] shape = model.inputs().get(i).shape();
      int per = Shapes.size(shape);
      float[] v = new float[rows.length * per];
      for (int r = 0; r < rows.length; r++) System.arraycopy(x[i], rows[r] * per, v, r * per, per);
      t[i] = Tensor.of(v, Shapes.withBatch(rows.length, shape));
    }
    return t;
  }

  private static int[][] labelsOf(int[][] y, int[] rows) {
    int[][] l = new int[y.length][rows.length];
    for (int o = 0; o < y.length; o++)
      for (int r = 0; r < rows.length; r++) l[o][r] = y[o][rows[r]];
    return l;
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1), t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static void scale(Tensor t, float s) {
    var b = t.buffer();
    for (int i = 0, n = t.size(); i < n; i++) b.put(i, b.get(i) * s);
  }
}
