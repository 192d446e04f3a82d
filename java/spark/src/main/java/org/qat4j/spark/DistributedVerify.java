package org.qat4j.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.qat4j.core.data.Dataset;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;

/**
 * Verifies an int8 {@code .tflite} on data partitioned across Spark executors: each task quantizes
 * its samples once with the model's input parameters, runs them through the integer simulator and
 * through one BUILTIN and one XNNPACK interpreter of its own (closed when the task ends), and
 * returns {@link VerifyStats}; the driver sums them. The figures equal the TFLite-vs-simulator part
 * of the single-node {@code org.qat4j.verify.Verification} on the same samples.
 */
public final class DistributedVerify {
  private static final int CHUNK = 256;

  private DistributedVerify() {}

  public static VerifyStats run(JavaSparkContext sc, byte[] tflite, DataRef data, int partitions) {
    if (TableData.isTable(data.path())) return onTable(sc, tflite, data, partitions);
    int n = data.load().size();
    if (n == 0) throw new IllegalArgumentException(data.path() + ": no samples to verify");
    List<int[]> ranges = DataRef.ranges(n, partitions, 1);
    Broadcast<byte[]> model = sc.broadcast(tflite);
    try {
      return sc.parallelize(ranges, ranges.size())
          .mapPartitions((Iterator<int[]> it) -> verifyRanges(model.value(), data, it))
          .reduce(VerifyStats::merge);
    } finally {
      model.destroy();
    }
  }

  /** A Parquet/CSV table ({@link TableData}): one task per partition of Spark's reader. */
  private static VerifyStats onTable(
      JavaSparkContext sc, byte[] tflite, DataRef data, int partitions) {
    TableData.Table t = TableData.open(sc, data, partitions);
    TableData.Layout layout = t.layout();
    Broadcast<byte[]> model = sc.broadcast(tflite);
    try {
      List<VerifyStats> parts =
          t.rows()
              .mapPartitions(
                  (Iterator<Row> rows) -> {
                    Dataset d = layout.dataset(rows);
                    return d == null
                        ? List.<VerifyStats>of().iterator()
                        : List.of(local(model.value(), d, 0, d.size())).iterator();
                  })
              .collect();
      return parts.stream()
          .reduce(VerifyStats::merge)
          .orElseThrow(() -> new IllegalArgumentException(data.path() + ": no samples to verify"));
    } finally {
      model.destroy();
    }
  }

  private static Iterator<VerifyStats> verifyRanges(
      byte[] tflite, DataRef ref, Iterator<int[]> ranges) {
    Dataset d = ref.load();
    VerifyStats total = null;
    while (ranges.hasNext()) {
      int[] r = ranges.next();
      VerifyStats s = local(tflite, d, r[0], r[1]);
      total = total == null ? s : total.merge(s);
    }
    return total == null ? List.<VerifyStats>of().iterator() : List.of(total).iterator();
  }

  /** One task's work, also usable on one machine: samples [from, to) of {@code data}. */
  public static VerifyStats local(byte[] tflite, Dataset data, int from, int to) {
    LoweredGraph g = TfliteReader.read(tflite).toLoweredGraph();
    if (g.inputs().length != 1 || g.outputs().length != 1) {
      throw new IllegalArgumentException(
          "verification needs one input and one output; the .tflite has "
              + g.inputs().length
              + " and "
              + g.outputs().length);
    }
    TensorSpec in = g.tensor(g.inputs()[0]);
    TensorSpec out = g.tensor(g.outputs()[0]);
    double lsb = outputLsb(g);
    Simulator simD = new Simulator(g, RoundingMode.DOUBLE);
    Simulator simX = new Simulator(g, RoundingMode.XNNPACK_F32);
    VerifyStats s = VerifyStats.empty(out.elements());
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
        Interpreter b = open(m, Backend.BUILTIN);
        Interpreter x = open(m, Backend.XNNPACK)) {
      for (int c = from; c < to; c += CHUNK) {
        int k = Math.min(CHUNK, to - c);
        Object inputs = inputs(in, data, c, k);
        Object sd = simD.runBatch(k, inputs)[0];
        Object sx = simX.runBatch(k, inputs)[0];
        Object tb = tflite(b, inputs, k);
        Object tx = tflite(x, inputs, k);
        compare(out.type(), sd, tb, lsb, s.builtin());
        compare(out.type(), sd, tx, lsb, s.xnnpack());
        compare(out.type(), sx, tx, lsb, s.xnnpackF32Sim());
        top1(out, tb, data, c, k, s.int8Builtin());
        top1(out, tx, data, c, k, s.int8Xnnpack());
        top1(out, sd, data, c, k, s.simulator());
      }
    }
    return s;
  }

  private static Interpreter open(TfliteModel m, Backend backend) {
    return Interpreter.create(m, Interpreter.Options.builder().backend(backend).threads(1).build());
  }

  /**
   * Samples [from, from + k) as the model's external input: floats, or quantized with its input
   * params.
   */
  static Object inputs(TensorSpec in, Dataset data, int from, int k) {
    int per = in.elements();
    if (in.type() == DType.FLOAT32) {
      float[] v = new float[k * per];
      for (int i = 0; i < k; i++) System.arraycopy(sample(data, from + i, per), 0, v, i * per, per);
      return v;
    }
    if (in.quant() == null)
      throw new IllegalArgumentException(
          "input '" + in.name() + "' is " + in.type() + " without quantization");
    boolean u = in.type() == DType.UINT8;
    float scale = in.quant().scale();
    long zp = in.quant().zeroPoint();
    byte[] v = new byte[k * per];
    for (int i = 0; i < k; i++) {
      float[] s = sample(data, from + i, per);
      for (int j = 0; j < per; j++) {
        long q = (long) QuantMath.cRound((double) s[j] / scale) + zp;
        v[i * per + j] = (byte) Math.max(u ? 0 : -128, Math.min(u ? 255 : 127, q));
      }
    }
    return v;
  }

  private static float[] sample(Dataset data, int i, int per) {
    float[] s = data.sample(i);
    if (s.length != per)
      throw new IllegalArgumentException(
          "sample " + i + " has " + s.length + " values; the model input needs " + per);
    return s;
  }

  /**
   * Scale of one output LSB: the output's own scale or that of the tensor a final DEQUANTIZE reads.
   */
  static double outputLsb(LoweredGraph g) {
    int o = g.outputs()[0];
    TensorSpec out = g.tensor(o);
    if (out.type() != DType.FLOAT32 && out.type() != DType.INT8 && out.type() != DType.UINT8) {
      throw new IllegalArgumentException(
          ".tflite output type " + out.type() + " is not float32, int8 or uint8");
    }
    if (out.quant() != null) return out.quant().scale();
    for (OpSpec op : g.ops()) {
      if (op.kind() == OpKind.DEQUANTIZE
          && op.outputs()[0] == o
          && g.tensor(op.inputs()[0]).quant() != null) {
        return g.tensor(op.inputs()[0]).quant().scale();
      }
    }
    throw new IllegalArgumentException(
        "output '" + out.name() + "' is float and not produced by DEQUANTIZE: not an int8 export");
  }

  private static Object tflite(Interpreter it, Object inputs, int k) {
    int per = (int) it.input(0).numElements();
    int len = (int) it.output(0).numElements();
    boolean floatOut = it.output(0).dataType() == DType.FLOAT32;
    Object all = floatOut ? new float[k * len] : new byte[k * len];
    for (int i = 0; i < k; i++) {
      if (inputs instanceof float[] f)
        it.input(0).write(Arrays.copyOfRange(f, i * per, (i + 1) * per));
      else it.input(0).write(Arrays.copyOfRange((byte[]) inputs, i * per, (i + 1) * per));
      it.invoke();
      if (floatOut) System.arraycopy(it.output(0).readFloats(), 0, all, i * len, len);
      else System.arraycopy(it.output(0).readBytes(), 0, all, i * len, len);
    }
    return all;
  }

  /**
   * Element-wise differences in LSB; float outputs are dequantized values, compared in units of
   * {@code lsb}.
   */
  private static void compare(DType type, Object a, Object b, double lsb, LsbHistogram h) {
    if (a instanceof float[] x) {
      float[] y = (float[]) b;
      for (int i = 0; i < x.length; i++)
        h.add(x[i] == y[i] ? 0 : Math.max(1, Math.round(Math.abs((double) x[i] - y[i]) / lsb)));
      return;
    }
    byte[] x = (byte[]) a, y = (byte[]) b;
    boolean u = type == DType.UINT8;
    for (int i = 0; i < x.length; i++)
      h.add(Math.abs((u ? x[i] & 0xFF : x[i]) - (u ? y[i] & 0xFF : y[i])));
  }

  private static void top1(
      TensorSpec out, Object values, Dataset data, int from, int k, EvalStats e) {
    float[] real = Simulator.toFloat(out, values);
    int classes = real.length / k;
    for (int i = 0; i < k; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++)
        if (real[i * classes + c] > real[i * classes + best]) best = c;
      e.add(data.label(from + i), best);
    }
  }
}
