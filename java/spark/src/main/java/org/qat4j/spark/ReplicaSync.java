package org.qat4j.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * One replica's state that an all-reduce step exchanges, packed into one float message: gradients
 * of the trainable params (scaled by the shard's share of the global batch, then summed), the
 * fake-quant ranges (min of minima, max of maxima: the moving average is monotone in the batch
 * extreme, so this equals the update a single node makes from the whole batch), the BatchNorm
 * moving statistics (share-weighted mean; the variance gains the between-shard term) and the step's
 * loss sum, correct count and sample count. Every replica reduces the gathered messages in worker
 * order, so all replicas compute bit-identical results. Not thread-safe.
 */
final class ReplicaSync {
  private static final int STATS = 3;
  private final List<Tensor> grads = new ArrayList<>();
  private final List<Tensor> mins = new ArrayList<>();
  private final List<Tensor> maxes = new ArrayList<>();
  private final List<BatchNormalization> norms = new ArrayList<>();
  private final List<Tensor> hashed = new ArrayList<>();
  private final int size;

  ReplicaSync(QatModel q) {
    for (Param p : q.model().params().values()) {
      if (p.trainable()) grads.add(p.grad());
      hashed.add(p.value());
    }
    for (FakeQuantizer f : q.quantizers()) {
      if (f.fixed()) continue;
      List<Param> ps = f.params(); // min, max, observed
      mins.add(ps.get(0).value());
      maxes.add(ps.get(1).value());
      maxes.add(ps.get(2).value());
    }
    for (Node n : q.model().nodes()) {
      if (n.layer() instanceof BatchNormalization b) norms.add(b);
      if (n.layer() instanceof ConvBatchNorm c) norms.add(c.batchNorm());
    }
    int s = STATS + total(grads) + total(mins) + total(maxes);
    for (BatchNormalization b : norms) s += 2 * b.movingMean().value().size();
    size = s;
  }

  /** Floats per message. */
  int size() {
    return size;
  }

  /** This replica's message after a step on {@code n} of the global batch's {@code total}. */
  String pack(int n, int total, double lossSum, int correct) {
    float[] m = new float[size];
    m[0] = n;
    m[1] = (float) lossSum;
    m[2] = correct;
    int o = STATS;
    float share = n / (float) total;
    for (Tensor g : grads) {
      FloatBuffer b = g.buffer();
      for (int i = 0, k = g.size(); i < k; i++) m[o++] = b.get(i) * share;
    }
    o = copy(mins, m, o);
    o = copy(maxes, m, o);
    for (BatchNormalization bn : norms) {
      o = copy(List.of(bn.movingMean().value()), m, o);
      o = copy(List.of(bn.movingVariance().value()), m, o);
    }
    return encode(m);
  }

  /**
   * Reduces every replica's message (in worker order) into this replica's state; returns {samples,
   * loss sum, correct} of the global batch.
   */
  double[] reduce(String[] messages) {
    float[][] all = new float[messages.length][];
    for (int w = 0; w < all.length; w++) all[w] = decode(messages[w], size);
    float total = 0;
    double loss = 0, correct = 0;
    for (float[] m : all) {
      total += m[0];
      loss += m[1];
      correct += m[2];
    }
    int o = STATS;
    for (Tensor g : grads) {
      FloatBuffer b = g.buffer();
      for (int i = 0, k = g.size(); i < k; i++, o++) {
        float s = 0f;
        for (float[] m : all) s += m[o];
        b.put(i, s);
      }
    }
    o = extreme(mins, all, o, true);
    o = extreme(maxes, all, o, false);
    for (BatchNormalization bn : norms) o = batchNorm(bn, all, o, total);
    return new double[] {total, loss, correct};
  }

  /** Moving mean: share-weighted mean; variance: the same plus the spread of the shard means. */
  private static int batchNorm(BatchNormalization bn, float[][] all, int o, float total) {
    FloatBuffer mean = bn.movingMean().value().buffer();
    FloatBuffer var = bn.movingVariance().value().buffer();
    int c = bn.movingMean().value().size();
    float keep = 1f - bn.momentum();
    for (int i = 0; i < c; i++) {
      float mu = 0f, v = 0f;
      for (float[] m : all) mu += m[0] / total * m[o + i];
      for (float[] m : all) {
        float d = m[o + i] - mu;
        // shard means differ by d / (1 - momentum); the update keeps (1 - momentum) of their spread
        v += m[0] / total * (m[o + c + i] + (keep > 0f ? d * d / keep : 0f));
      }
      mean.put(i, mu);
      var.put(i, v);
    }
    return o + 2 * c;
  }

  /** Copies the BatchNorm moving statistics of {@code other} (a replica of the same model). */
  void copyNormsFrom(ReplicaSync other) {
    for (int i = 0; i < norms.size(); i++) {
      norms.get(i).movingMean().value().copyFrom(other.norms.get(i).movingMean().value());
      norms.get(i).movingVariance().value().copyFrom(other.norms.get(i).movingVariance().value());
    }
  }

  /** 64-bit FNV-1a over the bits of every param value (weights, ranges, BatchNorm statistics). */
  long hash() {
    long h = 0xcbf29ce484222325L;
    for (Tensor t : hashed) {
      FloatBuffer b = t.buffer();
      for (int i = 0, k = t.size(); i < k; i++) {
        h ^= Float.floatToRawIntBits(b.get(i));
        h *= 0x100000001b3L;
      }
    }
    for (BatchNormalization bn : norms) {
      for (float v : bn.movingMean().value().toArray()) h = (h ^ Float.floatToRawIntBits(v)) * 31;
      for (float v : bn.movingVariance().value().toArray())
        h = (h ^ Float.floatToRawIntBits(v)) * 31;
    }
    return h;
  }

  private static int extreme(List<Tensor> ts, float[][] all, int o, boolean min) {
    for (Tensor t : ts) {
      FloatBuffer b = t.buffer();
      for (int i = 0, k = t.size(); i < k; i++, o++) {
        float e = all[0][o];
        for (float[] m : all) e = min ? Math.min(e, m[o]) : Math.max(e, m[o]);
        b.put(i, e);
      }
    }
    return o;
  }

  private static int copy(List<Tensor> ts, float[] m, int o) {
    for (Tensor t : ts) {
      t.buffer().get(0, m, o, t.size());
      o += t.size();
    }
    return o;
  }

  private static int total(List<Tensor> ts) {
    int s = 0;
    for (Tensor t : ts) s += t.size();
    return s;
  }

  static String encode(float[] m) {
    ByteBuffer b = ByteBuffer.allocate(4 * m.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(m);
    return Base64.getEncoder().encodeToString(b.array());
  }

  static float[] decode(String s, int size) {
    byte[] bytes = Base64.getDecoder().decode(s);
    if (bytes.length != 4 * size)
      throw new IllegalStateException(
          "all-reduce message has " + bytes.length + " bytes, expected " + 4 * size);
    float[] m = new float[size];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(m);
    return m;
  }
}
