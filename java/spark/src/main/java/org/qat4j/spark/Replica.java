package org.qat4j.spark;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.BarrierTaskContext;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.train.Optimizer;
import org.qat4j.core.train.SoftmaxCrossEntropy;
import org.qat4j.quant.QatModel;

/**
 * One worker of a synchronous data-parallel run, inside a barrier task: a model replica that walks
 * the same shuffled global batches as a single-node run, computes gradients on its slice of each,
 * all-reduces them with the other replicas ({@link ReplicaSync} over {@link
 * BarrierTaskContext#allGather}), and applies the same optimizer step. Worker 0 writes checkpoints;
 * every replica resumes from the newest one that worker 0 names.
 */
final class Replica {
  /** Characters per all-gather round (Base64: 6 MB of floats). */
  static final int CHUNK = 8 << 20;

  /** What a worker reports when its run ends. */
  record Result(
      int worker,
      int workers,
      long hash,
      long steps,
      long resumedStep,
      int stageAttempt,
      String history,
      byte[] model,
      long computeNanos,
      long syncNanos,
      int messageFloats)
      implements Serializable {}

  private final DataParallel.Spec spec;
  private final BarrierTaskContext ctx;
  private final int worker;
  private final int workers;
  private final QatModel q;
  private final Optimizer opt;
  private final ReplicaSync sync;
  private final Map<String, Param> params;
  private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
  private final JsonArray history;
  private final long resumed;
  private long step;
  private long computeNanos;
  private long syncNanos;

  Replica(DataParallel.Spec spec, byte[] start) throws IOException {
    this.spec = spec;
    ctx = BarrierTaskContext.get();
    worker = ctx.partitionId();
    workers = ctx.getTaskInfos().length;
    SharedCheckpoints.Saved saved = agreedCheckpoint();
    q = saved == null ? DataParallel.qat(start) : QatModel.load(saved.model());
    opt = Optimizer.fromConfig(JsonParser.parseString(spec.optimizer()).getAsJsonObject());
    if (saved != null) opt.restore(saved.slots(), saved.iterations());
    history =
        saved == null ? new JsonArray() : JsonParser.parseString(saved.history()).getAsJsonArray();
    step = resumed = saved == null ? 0 : saved.step();
    sync = new ReplicaSync(q);
    params = q.model().params();
  }

  /** Worker 0's newest checkpoint, which every replica then loads (they must start equal). */
  private SharedCheckpoints.Saved agreedCheckpoint() throws IOException {
    SharedCheckpoints store = new SharedCheckpoints(Path.of(spec.checkpoints()));
    SharedCheckpoints.Saved mine = worker == 0 ? store.latest() : null;
    String[] named = ctx.allGather(mine == null ? "" : mine.model().getParent().toString());
    if (named[0].isEmpty()) return null;
    SharedCheckpoints.Saved s = store.latest();
    if (s == null || !s.model().getParent().toString().equals(named[0]))
      throw new IllegalStateException(
          "worker " + worker + " does not see worker 0's checkpoint " + named[0]);
    return s;
  }

  Result run() throws IOException {
    checkIdentical("start");
    Dataset d = spec.data().load();
    long perEpoch = DataParallel.stepsPerEpoch(d.size(), spec.batchSize(), workers);
    for (int e = (int) (step / perEpoch); e < spec.epochs(); e++) epoch(d, e, perEpoch);
    checkIdentical("end");
    return new Result(
        worker,
        workers,
        sync.hash(),
        step,
        resumed,
        ctx.stageAttemptNumber(),
        history.toString(),
        worker == 0 ? DataParallel.bytes(q) : null,
        computeNanos,
        syncNanos,
        sync.size());
  }

  private void epoch(Dataset d, int e, long perEpoch) throws IOException {
    long t0 = System.nanoTime();
    long skip = step - e * perEpoch;
    double lossSum = 0, correct = 0, seen = 0;
    long used = 0;
    for (Batch b : d.batches(spec.batchSize(), true, DataParallel.mix(spec.seed(), e))) {
      if (b.size() < workers) continue; // a tail smaller than the worker count is left out
      if (used++ < skip) continue; // resumed mid-epoch: these steps are in the checkpoint
      spec.fault().maybeFail(worker, step);
      double[] r = step(b);
      seen += r[0];
      lossSum += r[1];
      correct += r[2];
      step++;
      if (step % spec.checkpointEvery() == 0) {
        checkIdentical("step " + step);
        checkpoint();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    JsonObject s = new JsonObject();
    s.addProperty("epoch", e);
    s.addProperty("loss", lossSum / Math.max(1, seen));
    s.addProperty("accuracy", correct / Math.max(1, seen));
    s.add("val_loss", JsonNull.INSTANCE);
    s.add("val_accuracy", JsonNull.INSTANCE);
    s.addProperty("seconds", secs);
    s.addProperty("images_per_second", seen / secs);
    s.addProperty("lr", opt.currentLr());
    s.addProperty("global_step", step);
    history.add(s);
    checkpoint();
  }

  /**
   * Forward/backward on this worker's slice, all-reduce, optimizer step; global {n, loss, correct}.
   */
  private double[] step(Batch b) {
    long t0 = System.nanoTime();
    int from = (int) ((long) b.size() * worker / workers);
    int to = (int) ((long) b.size() * (worker + 1) / workers);
    int n = to - from;
    int[] sample = Arrays.copyOfRange(b.images().shape(), 1, b.images().rank());
    int per = b.images().size() / b.size();
    Tensor x = Tensor.zeros(Shapes.withBatch(n, sample));
    float[] slice = new float[n * per];
    b.images().buffer().get(from * per, slice, 0, slice.length);
    x.copyFrom(slice);
    int[] labels = Arrays.copyOfRange(b.labels(), from, to);
    ExecContext ec =
        new ExecContext(
            true, Gemm.get(), new SplittableRandom(DataParallel.mix(~spec.seed(), step)));
    double l = loss.forward(q.model().forward(x, ec), labels);
    if (!Double.isFinite(l))
      throw new IllegalStateException("worker " + worker + ": loss is " + l + " at step " + step);
    q.model().backward(loss.gradient(), ec);
    String msg = sync.pack(n, b.size(), l * n, loss.lastCorrect());
    long t1 = System.nanoTime();
    double[] r = sync.reduce(gather(ctx, workers, msg));
    long t2 = System.nanoTime();
    opt.step(params);
    computeNanos += (t1 - t0) + (System.nanoTime() - t2);
    syncNanos += t2 - t1;
    return r;
  }

  /**
   * {@link BarrierTaskContext#allGather} in rounds of at most {@link #CHUNK} characters: one RPC
   * message stays below {@code spark.rpc.message.maxSize} (128 MiB) even for ResNet-50's 137 MB.
   * Every replica's message has the same length (same model), so all take the same rounds.
   */
  static String[] gather(BarrierTaskContext ctx, int workers, String msg) {
    StringBuilder[] parts = new StringBuilder[workers];
    for (int w = 0; w < workers; w++) parts[w] = new StringBuilder(msg.length());
    int from = 0;
    do {
      String[] got = ctx.allGather(msg.substring(from, Math.min(msg.length(), from + CHUNK)));
      for (int w = 0; w < workers; w++) parts[w].append(got[w]);
      from += CHUNK;
    } while (from < msg.length());
    String[] all = new String[workers];
    for (int w = 0; w < workers; w++) all[w] = parts[w].toString();
    return all;
  }

  /** Worker 0 stores the state after the step (identical on every replica by construction). */
  private void checkpoint() throws IOException {
    if (worker != 0) return;
    new SharedCheckpoints(Path.of(spec.checkpoints()))
        .save(step, DataParallel.bytes(q), opt, history.toString());
  }

  /** All replicas exchange their state hash; any difference fails the stage. */
  private void checkIdentical(String when) {
    String mine = Long.toHexString(sync.hash());
    for (String h : ctx.allGather(mine)) {
      if (!h.equals(mine))
        throw new IllegalStateException(
            "replicas differ at "
                + when
                + ": worker "
                + worker
                + " has "
                + mine
                + ", another "
                + h);
    }
  }
}
