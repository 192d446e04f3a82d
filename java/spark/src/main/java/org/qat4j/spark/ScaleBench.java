package org.qat4j.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.SoftmaxCrossEntropy;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The measured half of docs/SCALE.md's cost model, per zoo model: the all-reduce message (floats
 * and Base64 bytes), one QAT training step's compute per image on this machine, and one all-gather
 * of that message between two barrier tasks on {@code local[2]} (Base64, RPC through the driver,
 * decoding; no network). Prints a Markdown table; a benchmark, not a test.
 */
public final class ScaleBench {
  private ScaleBench() {}

  public static void main(String[] args) {
    List<String> names =
        args.length > 0
            ? List.of(args)
            : List.of(
                "reference-cnn", "mobilenet-mini", "mobilenet-v1", "mobilenet-v2", "resnet50");
    System.out.println(
        "| model | trainable params | message floats | Base64 MB | compute s/image | all-gather s (2 tasks) |");
    System.out.println("|---|---|---|---|---|---|");
    try (SparkContexts.Session s = SparkContexts.session("local[2]", "qat4j scale bench")) {
      for (String n : names) System.out.println(row(s.sc(), n));
    }
  }

  private static String row(JavaSparkContext sc, String name) {
    QatModel q = Quantize.model(Zoo.create(name, 1));
    int floats = new ReplicaSync(q).size();
    long params = 0;
    for (Param p : q.model().params().values()) if (p.trainable()) params += p.value().size();
    int batch = q.model().inputShape()[0] <= 32 ? 32 : 4;
    double perImage = computePerImage(q.model(), batch);
    double gather = gatherSeconds(sc, floats);
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %,d | %.1f | %.4f | %.3f |",
        name,
        params,
        floats,
        4.0 * ((4L * floats + 2) / 3) / 1e6,
        perImage,
        gather);
  }

  /** Median of 3 timed steps (after one warm-up) of forward, backward and Adam, per image. */
  static double computePerImage(Model m, int batch) {
    SplittableRandom rng = new SplittableRandom(1);
    Tensor x = Tensor.zeros(Shapes.withBatch(batch, m.inputShape()));
    for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
    int classes = m.outputShape()[m.outputShape().length - 1];
    int[] labels = rng.ints(batch, 0, classes).toArray();
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    Adam opt = new Adam(1e-4);
    double[] t = new double[4];
    for (int k = 0; k < t.length; k++) {
      long t0 = System.nanoTime();
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(k));
      loss.forward(m.forward(x, ctx), labels);
      m.backward(loss.gradient(), ctx);
      opt.step(m.params());
      t[k] = (System.nanoTime() - t0) / 1e9 / batch;
    }
    double[] timed = Arrays.copyOfRange(t, 1, t.length);
    Arrays.sort(timed);
    return timed[1];
  }

  /** Median seconds of 3 all-gathers of a {@code floats}-float message between 2 barrier tasks. */
  static double gatherSeconds(JavaSparkContext sc, int floats) {
    ClassTag<Double> tag = ClassTag$.MODULE$.apply(Double.class);
    JavaRDD<Double> r =
        JavaRDD.fromRDD(
            sc.parallelize(List.of(0, 1), 2)
                .rdd()
                .barrier()
                .mapPartitions(new Gather(floats), false, tag),
            tag);
    return r.collect().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  private static final class Gather extends AbstractFunction1<Iterator<Integer>, Iterator<Double>>
      implements Serializable {
    private final int floats;

    Gather(int floats) {
      this.floats = floats;
    }

    @Override
    public Iterator<Double> apply(Iterator<Integer> ignored) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      float[] m = new float[floats];
      Arrays.fill(m, ctx.partitionId() + 0.5f);
      String msg = ReplicaSync.encode(m);
      double[] t = new double[3];
      for (int k = 0; k < t.length; k++) {
        ctx.barrier();
        long t0 = System.nanoTime();
        for (String s : Replica.gather(ctx, 2, msg)) ReplicaSync.decode(s, floats);
        t[k] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(t);
      return CollectionConverters.asScala(List.of(t[1]).iterator());
    }
  }
}
