package org.qat4j.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;

/**
 * Samples for a model with several inputs and outputs: per input, N samples of its shape back to
 * back (NHWC, float, held on the heap); per output, N integer class labels (none for calibration
 * data). Takes ownership of the arrays it is given; {@link #inputs()} returns them, not copies.
 */
public final class MultiDataset {
  private final float[][] x;
  private final int[][] shapes;
  private final int[][] y;
  private final int size;

  /**
   * @param x one array per input, N samples of {@code sampleShapes[i]} each
   * @param sampleShapes per-sample shape of each input (no batch dimension)
   * @param labels one array of N labels ≥ 0 per output, or null for inputs only
   */
  public MultiDataset(float[][] x, int[][] sampleShapes, int[][] labels) {
    if (x.length == 0 || x.length != sampleShapes.length)
      throw new IllegalArgumentException(
          x.length + " input arrays for " + sampleShapes.length + " sample shapes (need ≥ 1 each)");
    int n = -1;
    for (int i = 0; i < x.length; i++) {
      int per = Shapes.size(sampleShapes[i]);
      if (per <= 0 || x[i].length % per != 0 || (n >= 0 && x[i].length / per != n))
        throw new IllegalArgumentException(
            "input "
                + i
                + ": "
                + x[i].length
                + " values are not "
                + (n >= 0 ? n + " samples" : "whole samples")
                + " of shape "
                + Arrays.toString(sampleShapes[i]));
      n = x[i].length / per;
    }
    if (labels != null) checkLabels(labels, n);
    this.x = x;
    this.shapes = Arrays.stream(sampleShapes).map(int[]::clone).toArray(int[][]::new);
    this.y = labels;
    this.size = n;
  }

  private static void checkLabels(int[][] labels, int n) {
    if (labels.length == 0) throw new IllegalArgumentException("labelled data needs ≥ 1 output");
    for (int o = 0; o < labels.length; o++) {
      if (labels[o].length != n)
        throw new IllegalArgumentException(
            "output " + o + ": " + labels[o].length + " labels for " + n + " samples");
      for (int s = 0; s < n; s++)
        if (labels[o][s] < 0)
          throw new IllegalArgumentException(
              "output " + o + ": label " + labels[o][s] + " of sample " + s + " is negative");
    }
  }

  /** One input and (when labelled) one output: a copy of {@code d}'s samples and labels. */
  public static MultiDataset of(Dataset d) {
    int n = d.size();
    int per = Shapes.size(d.sampleShape());
    float[] v = new float[n * per];
    int[] l = new int[n];
    for (int s = 0; s < n; s++) {
      System.arraycopy(d.sample(s), 0, v, s * per, per);
      l[s] = d.label(s);
    }
    return new MultiDataset(
        new float[][] {v}, new int[][] {d.sampleShape()}, d.labelled() ? new int[][] {l} : null);
  }

  public int size() {
    return size;
  }

  public int inputCount() {
    return x.length;
  }

  /** Label arrays (outputs), 0 when unlabelled. */
  public int outputCount() {
    return y == null ? 0 : y.length;
  }

  public boolean labelled() {
    return y != null;
  }

  /** Per-sample shape of input {@code i}. */
  public int[] sampleShape(int i) {
    return shapes[i].clone();
  }

  /** The input arrays themselves (N samples back to back each); do not modify. */
  public float[][] inputs() {
    return x;
  }

  /** The label arrays themselves (one per output); do not modify. */
  public int[][] labels() {
    if (y == null) throw new IllegalStateException("unlabelled data has no labels");
    return y;
  }

  /** A copy of sample {@code s} of input {@code i}. */
  public float[] sample(int i, int s) {
    if (s < 0 || s >= size)
      throw new IndexOutOfBoundsException("sample " + s + " outside dataset of " + size);
    int per = Shapes.size(shapes[i]);
    return Arrays.copyOfRange(x[i], s * per, (s + 1) * per);
  }

  /** Samples [from, to), copied. */
  public MultiDataset subset(int from, int to) {
    if (from < 0 || to > size || from > to)
      throw new IndexOutOfBoundsException("subset [" + from + ", " + to + ") of " + size);
    float[][] xs = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      int per = Shapes.size(shapes[i]);
      xs[i] = Arrays.copyOfRange(x[i], from * per, to * per);
    }
    int[][] ys = null;
    if (y != null) {
      ys = new int[y.length][];
      for (int o = 0; o < y.length; o++) ys[o] = Arrays.copyOfRange(y[o], from, to);
    }
    return new MultiDataset(xs, shapes, ys);
  }

  /** Batches in stored order, one fresh tensor {@code [b, ...shape]} per input, made lazily. */
  public Iterable<Tensor[]> batches(int batchSize) {
    if (batchSize <= 0)
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    List<Integer> starts = new ArrayList<>();
    for (int from = 0; from < size; from += batchSize) starts.add(from);
    return () ->
        starts.stream().map(from -> batch(from, Math.min(batchSize, size - from))).iterator();
  }

  private Tensor[] batch(int from, int b) {
    Tensor[] t = new Tensor[x.length];
    for (int i = 0; i < x.length; i++) {
      int per = Shapes.size(shapes[i]);
      t[i] =
          Tensor.of(
              Arrays.copyOfRange(x[i], from * per, (from + b) * per),
              Shapes.withBatch(b, shapes[i]));
    }
    return t;
  }
}
