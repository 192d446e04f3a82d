package org.qat4j.core.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;

/**
 * An in-memory labelled image set: float samples in NHWC order ({@code size × H × W × C} values,
 * held on the heap and shared by subsets) and integer labels in {@code [0, numClasses)}. Batches
 * are produced in a seeded order into reused tensors, with optional {@link Augmentation}.
 */
public final class Dataset {
  private final float[] data;
  private final int[] labels;
  private final int[] sampleShape;
  private final int sampleSize;
  private final int numClasses;
  private final int offset;
  private final int size;
  private final List<String> classNames;
  private final Augmentation augmentation;
  private final boolean labelled;

  /** Takes ownership of {@code data} and {@code labels} (no copy). */
  public Dataset(float[] data, int[] labels, int[] sampleShape, int numClasses) {
    this(
        data,
        labels,
        sampleShape,
        numClasses,
        0,
        labels.length,
        List.of(),
        Augmentation.NONE,
        true);
    if (data.length != (long) labels.length * sampleSize) {
      throw new IllegalArgumentException(
          "dataset: "
              + data.length
              + " values do not hold "
              + labels.length
              + " samples of shape "
              + Arrays.toString(sampleShape));
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "dataset: label " + labels[i] + " of sample " + i + " outside [0, " + numClasses + ")");
      }
    }
  }

  private Dataset(
      float[] data,
      int[] labels,
      int[] sampleShape,
      int numClasses,
      int offset,
      int size,
      List<String> classNames,
      Augmentation augmentation,
      boolean labelled) {
    if (numClasses <= 0)
      throw new IllegalArgumentException("dataset needs numClasses > 0, got " + numClasses);
    this.data = data;
    this.labels = labels;
    this.sampleShape = sampleShape.clone();
    this.sampleSize = Shapes.size(sampleShape);
    this.numClasses = numClasses;
    this.offset = offset;
    this.size = size;
    this.classNames = List.copyOf(classNames);
    this.augmentation = augmentation;
    this.labelled = labelled;
  }

  /**
   * Inputs without labels (e.g. calibration data): every label reads 0 of one class; {@link
   * #labelled()} is false.
   */
  public static Dataset unlabelled(float[] data, int[] sampleShape) {
    int per = Shapes.size(sampleShape);
    if (per <= 0 || data.length % per != 0) {
      throw new IllegalArgumentException(
          "dataset: "
              + data.length
              + " values do not hold whole samples of shape "
              + Arrays.toString(sampleShape));
    }
    return new Dataset(
        data,
        new int[data.length / per],
        sampleShape,
        1,
        0,
        data.length / per,
        List.of(),
        Augmentation.NONE,
        false);
  }

  /** False for {@link #unlabelled} data, whose labels carry no information. */
  public boolean labelled() {
    return labelled;
  }

  /**
   * The same samples viewed with another per-sample shape of the same size (e.g. {@code [1]} for a
   * 1-D model).
   */
  public Dataset reshaped(int[] shape) {
    if (Shapes.size(shape) != sampleSize) {
      throw new IllegalArgumentException(
          "cannot view samples of shape "
              + Arrays.toString(sampleShape)
              + " as "
              + Arrays.toString(shape));
    }
    return new Dataset(
        data, labels, shape, numClasses, offset, size, classNames, augmentation, labelled);
  }

  public int size() {
    return size;
  }

  /** Per-sample shape, e.g. {28, 28, 1}. */
  public int[] sampleShape() {
    return sampleShape.clone();
  }

  public int numClasses() {
    return numClasses;
  }

  public int label(int i) {
    return labels[offset + check(i)];
  }

  /** Class names by label, or empty when unknown. */
  public List<String> classNames() {
    return classNames;
  }

  public Augmentation augmentation() {
    return augmentation;
  }

  /** A copy of sample {@code i}'s values (H·W·C, NHWC order). */
  public float[] sample(int i) {
    int s = offset + check(i);
    return Arrays.copyOfRange(data, s * sampleSize, (s + 1) * sampleSize);
  }

  private int check(int i) {
    if (i < 0 || i >= size)
      throw new IndexOutOfBoundsException("sample " + i + " outside dataset of " + size);
    return i;
  }

  /** Samples [from, to) sharing storage with this dataset. */
  public Dataset subset(int from, int to) {
    if (from < 0 || to > size || from > to)
      throw new IndexOutOfBoundsException("subset [" + from + ", " + to + ") of " + size);
    return new Dataset(
        data,
        labels,
        sampleShape,
        numClasses,
        offset + from,
        to - from,
        classNames,
        augmentation,
        labelled);
  }

  /** The same samples with class names attached. */
  public Dataset withClassNames(List<String> names) {
    if (names.size() != numClasses)
      throw new IllegalArgumentException(
          names.size() + " class names for " + numClasses + " classes");
    return new Dataset(
        data, labels, sampleShape, numClasses, offset, size, names, augmentation, labelled);
  }

  /** The same samples, augmented when batched with {@code shuffle = true} (training). */
  public Dataset withAugmentation(Augmentation a) {
    if (a.enabled() && sampleShape.length != 3)
      throw new IllegalArgumentException(
          "augmentation needs H, W, C samples, got " + Arrays.toString(sampleShape));
    return new Dataset(
        data, labels, sampleShape, numClasses, offset, size, classNames, a, labelled);
  }

  /** Number of batches of {@code batchSize} (the last one may be smaller). */
  public int batchCount(int batchSize) {
    return (size + batchSize - 1) / batchSize;
  }

  /**
   * Batches over the whole set. With {@code shuffle} the order is a permutation drawn from {@code
   * seed} and augmentation (if any) is applied with the same RNG; without it the order is the
   * stored one and no augmentation is applied. The last batch may be smaller.
   */
  public Iterable<Batch> batches(int batchSize, boolean shuffle, long seed) {
    if (batchSize <= 0)
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    return () -> new BatchIterator(batchSize, shuffle, seed);
  }

  private final class BatchIterator implements Iterator<Batch> {
    private final int batchSize;
    private final int[] order;
    private final SplittableRandom rng;
    private final boolean augment;
    private Batch full;
    private Batch tail;
    private float[] scratch;
    private int next;

    BatchIterator(int batchSize, boolean shuffle, long seed) {
      this.batchSize = batchSize;
      this.rng = new SplittableRandom(seed);
      this.order = new int[size];
      for (int i = 0; i < size; i++) order[i] = i;
      if (shuffle) {
        for (int i = size - 1; i > 0; i--) {
          int j = rng.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
      this.augment = shuffle && augmentation.enabled();
    }

    @Override
    public boolean hasNext() {
      return next < size;
    }

    @Override
    public Batch next() {
      if (!hasNext()) throw new NoSuchElementException();
      int n = Math.min(batchSize, size - next);
      Batch b =
          n == batchSize
              ? (full = full != null ? full : newBatch(n))
              : (tail = tail != null ? tail : newBatch(n));
      var buf = b.images().buffer();
      for (int k = 0; k < n; k++) {
        int s = offset + order[next + k];
        b.labels()[k] = labels[s];
        if (augment) {
          if (scratch == null) scratch = new float[sampleSize];
          Augmenter.apply(augmentation, data, s * sampleSize, sampleShape, scratch, rng);
          buf.put(k * sampleSize, scratch, 0, sampleSize);
        } else {
          buf.put(k * sampleSize, data, s * sampleSize, sampleSize);
        }
      }
      b.index(next / batchSize);
      next += n;
      return b;
    }

    private Batch newBatch(int n) {
      return new Batch(Tensor.zeros(Shapes.withBatch(n, sampleShape)), new int[n]);
    }
  }
}
