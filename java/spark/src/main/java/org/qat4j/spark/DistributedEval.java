package org.qat4j.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.qat4j.core.data.Dataset;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * Classification accuracy and confusion matrix of a {@code .tflite} on TFLite over data partitioned
 * across Spark executors. The model bytes are broadcast; each task opens one interpreter on its own
 * thread, runs its range of samples through it and closes it; the per-task {@link EvalStats} are
 * summed, so the result equals {@link #local} over all samples.
 */
public final class DistributedEval {
  private DistributedEval() {}

  /** Evaluates on {@code partitions} contiguous ranges of {@code data} (one task each). */
  public static EvalStats run(
      JavaSparkContext sc, byte[] tflite, DataRef data, Backend backend, int partitions) {
    if (TableData.isTable(data.path())) return onTable(sc, tflite, data, backend, partitions);
    int n = data.load().size();
    if (n == 0) throw new IllegalArgumentException(data.path() + ": no samples to evaluate");
    List<int[]> ranges = DataRef.ranges(n, partitions, 1);
    Broadcast<byte[]> model = sc.broadcast(tflite);
    try {
      return sc.parallelize(ranges, ranges.size())
          .mapPartitions((Iterator<int[]> it) -> evalRanges(model.value(), data, backend, it))
          .reduce(EvalStats::merge);
    } finally {
      model.destroy();
    }
  }

  /** A Parquet/CSV table ({@link TableData}): one task per partition of Spark's reader. */
  private static EvalStats onTable(
      JavaSparkContext sc, byte[] tflite, DataRef data, Backend backend, int partitions) {
    TableData.Table t = TableData.open(sc, data, partitions);
    TableData.Layout layout = t.layout();
    Broadcast<byte[]> model = sc.broadcast(tflite);
    try {
      List<EvalStats> parts =
          t.rows()
              .mapPartitions(
                  (Iterator<Row> rows) -> {
                    Dataset d = layout.dataset(rows);
                    return d == null
                        ? List.<EvalStats>of().iterator()
                        : List.of(local(model.value(), d, 0, d.size(), backend)).iterator();
                  })
              .collect();
      return parts.stream()
          .reduce(EvalStats::merge)
          .orElseThrow(
              () -> new IllegalArgumentException(data.path() + ": no samples to evaluate"));
    } finally {
      model.destroy();
    }
  }

  private static Iterator<EvalStats> evalRanges(
      byte[] tflite, DataRef ref, Backend backend, Iterator<int[]> ranges) {
    Dataset d = ref.load();
    EvalStats total = null;
    while (ranges.hasNext()) {
      int[] r = ranges.next();
      EvalStats s = local(tflite, d, r[0], r[1], backend);
      total = total == null ? s : total.merge(s);
    }
    return total == null ? List.<EvalStats>of().iterator() : List.of(total).iterator();
  }

  /**
   * One task's work, also the single-node reference: samples [from, to) of {@code data} on one
   * interpreter.
   */
  public static EvalStats local(byte[] tflite, Dataset data, int from, int to, Backend backend) {
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
        Interpreter it =
            Interpreter.create(
                m, Interpreter.Options.builder().backend(backend).threads(1).build())) {
      int classes = (int) it.output(0).numElements();
      long need = it.input(0).numElements();
      EvalStats s = new EvalStats(classes);
      for (int i = from; i < to; i++) {
        float[] x = data.sample(i);
        if (x.length != need) {
          throw new IllegalArgumentException(
              "sample " + i + " has " + x.length + " values; the model input needs " + need);
        }
        it.input(0).writeReal(x);
        it.invoke();
        s.add(data.label(i), argmax(it.output(0).readReal()));
      }
      return s;
    }
  }

  /**
   * Index of the first largest value (ties go to the lower class, as in the runtime's Validation).
   */
  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
