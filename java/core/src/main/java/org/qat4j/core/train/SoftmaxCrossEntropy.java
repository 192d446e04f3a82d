package org.qat4j.core.train;

import org.qat4j.core.Tensor;

/**
 * Softmax cross-entropy on integer class labels for logits {@code [N, C]}: mean loss over the batch
 * and its gradient dLoss/dLogits, computed with the max-shifted log-sum-exp (stable for any finite
 * logits). With label smoothing ε the target of a row is (1 − ε)·one-hot + ε/C, as in Keras and
 * PyTorch. The gradient tensor is owned by this object and reused by the next call.
 */
public final class SoftmaxCrossEntropy {
  private final double smoothing;
  private Tensor grad;
  private int lastCorrect;

  /** Plain cross-entropy against one-hot targets. */
  public SoftmaxCrossEntropy() {
    this(0);
  }

  /** Cross-entropy against targets smoothed by {@code labelSmoothing} in [0, 1). */
  public SoftmaxCrossEntropy(double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException(
          "label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.smoothing = labelSmoothing;
  }

  /** The label smoothing ε (0 = one-hot targets). */
  public double labelSmoothing() {
    return smoothing;
  }

  /**
   * Computes the mean loss over the first {@code n} rows and stores dLoss/dLogits (zero beyond row
   * n is not possible: logits must have exactly n rows).
   */
  public double forward(Tensor logits, int[] labels) {
    if (logits.rank() != 2) {
      throw new IllegalArgumentException("loss expects logits [N, classes], got " + logits);
    }
    int n = logits.dim(0), c = logits.dim(1);
    if (labels.length < n) {
      throw new IllegalArgumentException(
          "loss: " + n + " logit rows but only " + labels.length + " labels");
    }
    grad = Tensor.reuse(grad, n, c);
    var lb = logits.buffer();
    var gb = grad.buffer();
    double total = 0;
    int correct = 0;
    double invN = 1.0 / n;
    double off = smoothing / c, on = 1 - smoothing + off;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      if (y < 0 || y >= c) {
        throw new IllegalArgumentException(
            "label " + y + " at batch row " + i + " outside [0, " + c + ")");
      }
      int base = i * c;
      int arg = argmax(lb, base, c);
      float max = lb.get(base + arg);
      if (arg == y) correct++;
      double sum = 0;
      for (int j = 0; j < c; j++) sum += Math.exp(lb.get(base + j) - max);
      double logSum = Math.log(sum);
      for (int j = 0; j < c; j++) {
        double shifted = lb.get(base + j) - max;
        double target = j == y ? on : off;
        // −Σ t_j·log p_j with Σ t_j = 1; skipping zero targets keeps −Inf logits finite.
        if (target != 0) total += target * (logSum - shifted);
        gb.put(base + j, (float) ((Math.exp(shifted - logSum) - target) * invN));
      }
    }
    lastCorrect = correct;
    return total * invN;
  }

  /** dLoss/dLogits of the last {@link #forward} call, shape [N, C]. */
  public Tensor gradient() {
    return grad;
  }

  /** Number of rows whose arg-max matched the label in the last {@link #forward} call. */
  public int lastCorrect() {
    return lastCorrect;
  }

  /** Top-1 hits: rows of {@code logits [N, C]} whose first arg-max equals the label. */
  public static int countCorrect(Tensor logits, int[] labels) {
    int n = logits.dim(0), c = logits.dim(1);
    var lb = logits.buffer();
    int correct = 0;
    for (int i = 0; i < n; i++) if (argmax(lb, i * c, c) == labels[i]) correct++;
    return correct;
  }

  /** First index of the largest of the c values at {@code base} (0 if none exceeds -Inf). */
  private static int argmax(java.nio.FloatBuffer b, int base, int c) {
    float max = Float.NEGATIVE_INFINITY;
    int arg = 0;
    for (int j = 0; j < c; j++) {
      float v = b.get(base + j);
      if (v > max) {
        max = v;
        arg = j;
      }
    }
    return arg;
  }

  /** Top-1 accuracy in [0, 1] of {@code logits [N, C]} against labels. */
  public static double accuracy(Tensor logits, int[] labels) {
    return logits.dim(0) == 0 ? 0 : countCorrect(logits, labels) / (double) logits.dim(0);
  }
}
