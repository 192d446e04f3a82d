package org.qat4j.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.gemm.Gemm;

/**
 * Mini-batch training of a classifier {@link Model} (logits {@code [N, classes]}) with softmax
 * cross-entropy. Reproducible: the shuffle order of epoch e and the layer RNG of step s derive only
 * from (seed, e) and (seed, s), so the same seed and thread count give the same loss curve, and a
 * run restored with {@link #restore} continues exactly as if never interrupted, also from a state
 * taken mid-epoch (a callback that stops the run in {@link Callback#onStepBegin}): the batches of
 * that epoch before the checkpoint are skipped, and the epoch's statistics cover the rest.
 */
public final class Trainer {
  private final Model model;
  private final Optimizer optimizer;
  private SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
  private final List<Callback> callbacks = new ArrayList<>();
  private final Map<String, Param> params;
  private History history = new History();
  private int epoch;
  private long step;
  private Long seed;
  private Integer batchSize;
  private volatile boolean stopRequested;

  public Trainer(Model model, Optimizer optimizer) {
    this.model = model;
    this.optimizer = optimizer;
    this.params = model.params();
  }

  public Trainer addCallback(Callback c) {
    callbacks.add(c);
    return this;
  }

  /**
   * Trains against targets smoothed by ε in [0, 1) (evaluation still reports plain cross-entropy).
   */
  public Trainer labelSmoothing(double epsilon) {
    loss = new SoftmaxCrossEntropy(epsilon);
    return this;
  }

  public Model model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public History history() {
    return history;
  }

  /** Completed epochs. */
  public int epoch() {
    return epoch;
  }

  /** Completed optimizer steps. */
  public long globalStep() {
    return step;
  }

  /** Ends {@link #fit} after the current epoch (early stopping). */
  public void requestStop() {
    stopRequested = true;
  }

  /** Snapshot for checkpoints; valid once {@link #fit} has started. */
  public TrainingState state() {
    if (seed == null) throw new IllegalStateException("no training state before fit() has started");
    return new TrainingState(epoch, step, seed, batchSize, history);
  }

  /**
   * Continues from a checkpointed state; the next {@link #fit} must use the same seed and batch
   * size.
   */
  public void restore(TrainingState s) {
    if (s.globalStep() != optimizer.iterations()) {
      throw new IllegalArgumentException(
          "training state is at step "
              + s.globalStep()
              + " but the optimizer at "
              + optimizer.iterations());
    }
    epoch = s.epoch();
    step = s.globalStep();
    seed = s.seed();
    batchSize = s.batchSize();
    history = s.history().copy();
  }

  /**
   * Trains until {@code epochs} epochs in total are complete (epochs restored from a checkpoint
   * count), validating on {@code val} (may be null) after each epoch.
   */
  public History fit(Dataset train, Dataset val, int epochs, int batchSize, long seed) {
    checkFit(train, epochs, batchSize, seed);
    stopRequested = false;
    for (Callback c : callbacks) c.onTrainBegin(this);
    while (epoch < epochs && !stopRequested) {
      for (Callback c : callbacks) c.onEpochBegin(this, epoch);
      EpochStats s = runEpoch(train, val, batchSize);
      history.add(s);
      epoch++;
      for (Callback c : callbacks) c.onEpochEnd(this, s);
    }
    for (Callback c : callbacks) c.onTrainEnd(this);
    return history;
  }

  private void checkFit(Dataset train, int epochs, int batchSize, long seed) {
    if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    if (batchSize <= 0)
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    if (train.size() == 0) throw new IllegalArgumentException("training set is empty");
    int classes = model.outputShape()[model.outputShape().length - 1];
    if (model.outputShape().length != 1 || classes < train.numClasses()) {
      throw new IllegalArgumentException(
          "model output "
              + java.util.Arrays.toString(model.outputShape())
              + " is not [classes >= "
              + train.numClasses()
              + "] logits");
    }
    if (this.seed != null && this.seed != seed) {
      throw new IllegalArgumentException(
          "this run uses seed " + this.seed + "; fit() was called with seed " + seed);
    }
    if (this.batchSize != null && this.batchSize != batchSize) {
      throw new IllegalArgumentException(
          "this run uses batch size " + this.batchSize + "; fit() was called with " + batchSize);
    }
    this.seed = seed;
    this.batchSize = batchSize;
  }

  private EpochStats runEpoch(Dataset train, Dataset val, int batchSize) {
    long t0 = System.nanoTime();
    double lossSum = 0;
    long correct = 0;
    int seen = 0;
    long done = step - (history.size() == 0 ? 0 : history.last().globalStep());
    for (Batch b : train.batches(batchSize, true, mix(seed, epoch))) {
      if (b.index() < done) continue; // resumed mid-epoch: batches before the checkpoint are done
      for (Callback c : callbacks) c.onStepBegin(this, step);
      double lr = optimizer.currentLr();
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(mix(~seed, step)));
      Tensor logits = model.forward(b.images(), ctx);
      double l = loss.forward(logits, b.labels());
      if (!Double.isFinite(l))
        throw new TrainingDivergedException("loss is " + l, epoch, b.index(), step);
      model.backward(loss.gradient(), ctx);
      updateParams(b.index());
      StepResult r = new StepResult(epoch, b.index(), step, b.size(), l, loss.lastCorrect(), lr);
      step++;
      lossSum += l * b.size();
      correct += loss.lastCorrect();
      seen += b.size();
      for (Callback c : callbacks) c.onStepEnd(this, r);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Evaluation v =
        val == null ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(val, batchSize);
    return new EpochStats(
        epoch,
        lossSum / seen,
        correct / (double) seen,
        v.loss(),
        v.accuracy(),
        secs,
        seen / secs,
        optimizer.currentLr(),
        step);
  }

  /**
   * One optimizer step, unless a gradient is not finite (checked in the update's parallel pass).
   */
  private void updateParams(int batch) {
    String bad = optimizer.stepIfFinite(params);
    if (bad != null)
      throw new TrainingDivergedException(
          "gradient of '" + bad + "' is not finite", epoch, batch, step);
  }

  /** Mean loss and top-1 accuracy in inference mode, in stored order. */
  public Evaluation evaluate(Dataset data, int batchSize) {
    if (data.size() == 0) throw new IllegalArgumentException("evaluation set is empty");
    ExecContext ctx = ExecContext.inference();
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    double lossSum = 0;
    long correct = 0;
    for (Batch b : data.batches(batchSize, false, 0)) {
      Tensor logits = model.forward(b.images(), ctx);
      lossSum += ce.forward(logits, b.labels()) * b.size();
      correct += ce.lastCorrect();
    }
    return new Evaluation(lossSum / data.size(), correct / (double) data.size(), data.size());
  }

  /**
   * Forward-only pass over the first {@code maxBatches} batches in stored order (no gradients, no
   * updates), e.g. to let quantization observers or BatchNorm statistics see data. With {@code
   * trainingMode} layers run as in training (BatchNorm uses batch statistics).
   */
  public void calibrate(Dataset data, int batchSize, int maxBatches, boolean trainingMode) {
    if (maxBatches <= 0)
      throw new IllegalArgumentException("maxBatches must be > 0, got " + maxBatches);
    ExecContext ctx = new ExecContext(trainingMode, Gemm.get(), new SplittableRandom(0));
    int done = 0;
    for (Batch b : data.batches(batchSize, false, 0)) {
      if (done++ == maxBatches) break;
      model.forward(b.images(), ctx);
    }
  }

  /** SplitMix64-style mixing of two values into a well-spread seed. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
