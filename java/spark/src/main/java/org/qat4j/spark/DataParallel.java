package org.qat4j.spark;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Optimizer;
import org.qat4j.quant.QatModel;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Synchronous data-parallel training (also QAT) in Spark's barrier execution mode: {@code workers}
 * tasks start together, each with a replica of the model, and step through the same shuffled global
 * batches as a single-node run with the same seed; each replica computes gradients on its slice and
 * one all-reduce per step ({@link ReplicaSync}) keeps weights, fake-quant ranges and BatchNorm
 * statistics identical (checked by hash at the start, at every checkpoint and at the end).
 * Checkpoints go to a shared folder; a retried stage (a task or an executor lost) resumes from the
 * newest one.
 */
public final class DataParallel {
  private DataParallel() {}

  /**
   * A fault injected for recovery tests: worker {@code worker} fails before step {@code step}, once
   * (the marker file records that it happened); {@code halt} ends the executor JVM.
   */
  public record Fault(int worker, long step, String marker, boolean halt) implements Serializable {
    public static final Fault NONE = new Fault(-1, -1, null, false);

    void maybeFail(int w, long s) throws IOException {
      if (w != worker || s != step) return;
      try {
        Files.write(Path.of(marker), new byte[0], StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        return;
      }
      if (halt) Runtime.getRuntime().halt(137);
      throw new IllegalStateException("injected fault: worker " + w + " before step " + s);
    }
  }

  /** Everything a worker needs besides the model. */
  public record Spec(
      DataRef data,
      String optimizer,
      int epochs,
      int batchSize,
      long seed,
      String checkpoints,
      int checkpointEvery,
      Fault fault)
      implements Serializable {
    public Spec {
      if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
      if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
      if (checkpointEvery < 1) throw new IllegalArgumentException("checkpointEvery must be >= 1");
    }
  }

  /** The trained model and what the workers reported (hashes, steps, timings, resumption). */
  public record Run(QatModel model, History history, List<Replica.Result> workers) {
    /** True when every worker ended with the same state hash. */
    public boolean identical() {
      return workers.stream().mapToLong(Replica.Result::hash).distinct().count() == 1;
    }
  }

  /**
   * Trains {@code model} (left unchanged; the result is a new replica) with {@code optimizer}'s
   * configuration on {@code workers} barrier tasks; {@code workers} must not exceed the cluster's
   * task slots.
   */
  public static Run fit(
      JavaSparkContext sc, QatModel model, Optimizer optimizer, int workers, Spec spec)
      throws IOException {
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    if (optimizer.iterations() != 0)
      throw new IllegalArgumentException("the optimizer must be fresh (its state is not sent)");
    Spec s =
        new Spec(
            spec.data(),
            optimizer.config().toString(),
            spec.epochs(),
            spec.batchSize(),
            spec.seed(),
            spec.checkpoints(),
            spec.checkpointEvery(),
            spec.fault());
    Broadcast<byte[]> start = sc.broadcast(bytes(model));
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < workers; i++) ids.add(i);
    List<Replica.Result> results;
    try {
      ClassTag<Replica.Result> tag = ClassTag$.MODULE$.apply(Replica.Result.class);
      JavaRDD<Replica.Result> rdd =
          JavaRDD.fromRDD(
              sc.parallelize(ids, workers)
                  .rdd()
                  .barrier()
                  .mapPartitions(new Task(s, start), false, tag),
              tag);
      // Spark retries a failed barrier stage only when it is a shuffle-map stage (a result stage
      // is aborted), so the results cross one shuffle before they are collected.
      results = new ArrayList<>(rdd.repartition(1).collect());
    } finally {
      start.destroy();
    }
    results.sort((a, b) -> Integer.compare(a.worker(), b.worker()));
    Replica.Result first = results.get(0);
    History h = History.fromJson(JsonParser.parseString(first.history()).getAsJsonArray());
    return new Run(qat(first.model()), h, results);
  }

  /** The barrier task: runs one {@link Replica}. */
  private static final class Task
      extends AbstractFunction1<Iterator<Integer>, Iterator<Replica.Result>>
      implements Serializable {
    private final Spec spec;
    private final Broadcast<byte[]> start;

    Task(Spec spec, Broadcast<byte[]> start) {
      this.spec = spec;
      this.start = start;
    }

    @Override
    public Iterator<Replica.Result> apply(Iterator<Integer> ignored) {
      try {
        Replica.Result r = new Replica(spec, start.value()).run();
        return CollectionConverters.asScala(List.of(r).iterator());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Optimizer steps per epoch: batches of {@code batch}, less a tail smaller than the workers. */
  static long stepsPerEpoch(int size, int batch, int workers) {
    return size / batch + (size % batch >= workers && size % batch > 0 ? 1 : 0);
  }

  /** SplitMix64-style mixing, the same as the single-node Trainer's shuffle and step seeds. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static byte[] bytes(QatModel q) {
    try {
      Path f = Files.createTempFile("qat4j-replica", ".qat");
      try {
        q.save(f);
        return Files.readAllBytes(f);
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static QatModel qat(byte[] b) {
    try {
      Path f = Files.createTempFile("qat4j-replica", ".qat");
      try {
        Files.write(f, b);
        return QatModel.load(f);
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
