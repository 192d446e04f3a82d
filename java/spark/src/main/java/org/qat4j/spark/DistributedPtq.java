package org.qat4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.io.ModelIO;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.calib.RangeEstimator;
import org.qat4j.quant.ptq.Ptq;

/**
 * Post-training quantization with calibration spread over Spark executors. Each task loads the
 * float model (saved-model bytes, broadcast), runs its batches through {@link Ptq} with one {@link
 * MergeableRange} per observed activation, and returns the states; the driver merges them position
 * by position (the quantizer order is fixed by the model) and sets the ranges. Batches are cut at
 * multiples of {@code batchSize} from the start of the data, exactly as a single-node pass.
 */
public final class DistributedPtq {
  private DistributedPtq() {}

  /** The calibrated (frozen) quantized model; lower it with {@code Int8Lowering}. */
  public static QatModel quantize(
      JavaSparkContext sc,
      byte[] savedModel,
      DataRef data,
      int batchSize,
      int partitions,
      MergeableRange.Kind kind) {
    if (batchSize < 1)
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    Dataset d = data.load();
    if (d.size() == 0) throw new IllegalArgumentException(data.path() + ": no calibration samples");
    List<int[]> ranges = DataRef.ranges(d.size(), partitions, batchSize);
    Broadcast<byte[]> model = sc.broadcast(savedModel);
    List<MergeableRange> merged;
    try {
      merged =
          sc.parallelize(ranges, ranges.size())
              .mapPartitions(
                  (Iterator<int[]> it) ->
                      List.of(calibrate(model.value(), data, batchSize, kind, it)).iterator())
              .reduce(DistributedPtq::mergeAll);
    } finally {
      model.destroy();
    }
    Model floatModel = load(savedModel);
    Replay replay = new Replay(merged);
    QatModel q =
        Ptq.quantize(floatModel, batches(d, 0, Math.min(batchSize, d.size()), batchSize), replay);
    if (replay.next != merged.size()) {
      throw new IllegalStateException(
          "driver model has "
              + replay.next
              + " observed activations, executors reported "
              + merged.size());
    }
    return q;
  }

  /** Calibration states of one task's ranges, in the model's quantizer order. */
  static List<MergeableRange> calibrate(
      byte[] savedModel,
      DataRef ref,
      int batchSize,
      MergeableRange.Kind kind,
      Iterator<int[]> ranges) {
    Dataset d = ref.load();
    List<Tensor> batches = new ArrayList<>();
    while (ranges.hasNext()) {
      int[] r = ranges.next();
      batches.addAll(batches(d, r[0], r[1], batchSize));
    }
    Recorder rec = new Recorder(kind);
    Ptq.quantize(load(savedModel), batches, rec);
    return rec.states;
  }

  static List<MergeableRange> mergeAll(List<MergeableRange> a, List<MergeableRange> b) {
    if (a.size() != b.size())
      throw new IllegalStateException(
          "tasks saw " + a.size() + " and " + b.size() + " observed activations");
    List<MergeableRange> r = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) r.add(a.get(i).merge(b.get(i)));
    return r;
  }

  /** Samples [from, to) as NHWC batches of {@code batchSize} (the last one may be shorter). */
  public static List<Tensor> batches(Dataset d, int from, int to, int batchSize) {
    int[] shape = d.sampleShape();
    int per = 1;
    for (int s : shape) per *= s;
    List<Tensor> out = new ArrayList<>();
    for (int b = from; b < to; b += batchSize) {
      int k = Math.min(batchSize, to - b);
      float[] v = new float[k * per];
      for (int i = 0; i < k; i++) System.arraycopy(d.sample(b + i), 0, v, i * per, per);
      int[] full = new int[shape.length + 1];
      full[0] = k;
      System.arraycopy(shape, 0, full, 1, shape.length);
      out.add(Tensor.of(v, full));
    }
    return out;
  }

  private static Model load(byte[] savedModel) {
    try {
      Path tmp = Files.createTempFile("qat4j-spark-model", ".q4j");
      try {
        Files.write(tmp, savedModel);
        return ModelIO.load(tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the broadcast float model: " + e.getMessage(), e);
    }
  }

  /**
   * Hands out fresh mergeable accumulators and keeps them, in the order the model asks for them.
   */
  private static final class Recorder implements RangeEstimator {
    final MergeableRange.Kind kind;
    final List<MergeableRange> states = new ArrayList<>();

    Recorder(MergeableRange.Kind kind) {
      this.kind = kind;
    }

    @Override
    public Accumulator newAccumulator(int numBits) {
      MergeableRange m = kind.create();
      states.add(m);
      return new Accumulator() {
        @Override
        public void accept(FloatBuffer x, int size) {
          m.accept(x, size);
        }

        @Override
        public float[] range() {
          return m.range();
        }
      };
    }
  }

  /** Answers with the merged ranges, in the same order, ignoring the driver's one forward pass. */
  private static final class Replay implements RangeEstimator {
    final List<MergeableRange> merged;
    int next;

    Replay(List<MergeableRange> merged) {
      this.merged = merged;
    }

    @Override
    public Accumulator newAccumulator(int numBits) {
      if (next >= merged.size())
        throw new IllegalStateException(
            "driver model asks for more than the " + merged.size() + " ranges executors reported");
      float[] r = merged.get(next++).range();
      return new Accumulator() {
        @Override
        public void accept(FloatBuffer x, int size) {}

        @Override
        public float[] range() {
          return r.clone();
        }
      };
    }
  }
}
