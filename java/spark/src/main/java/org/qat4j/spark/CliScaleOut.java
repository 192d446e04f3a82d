package org.qat4j.spark;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.qat4j.cli.ScaleOut;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.data.UserData;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Optimizer;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.runtime.Backend;

/**
 * The main CLI's {@code --spark} (registered for {@link java.util.ServiceLoader}): eval and verify
 * counted on executors, min/max calibration merged exactly, QAT trained data-parallel in barrier
 * mode. One Spark context per command, closed at its end.
 */
public final class CliScaleOut implements ScaleOut {
  /** Steps between checkpoints of a data-parallel run. */
  static final int CHECKPOINT_EVERY = 50;

  private static final Gson GSON = new Gson();

  @Override
  public JsonObject eval(Job job, Path tflite, Backend backend) throws IOException {
    byte[] model = Files.readAllBytes(tflite);
    DataRef ref = ref(job, UserData.Split.TEST);
    try (SparkContexts.Session s = SparkContexts.session(job.master(), "qat4j eval")) {
      EvalStats e = DistributedEval.run(s.sc(), model, ref, backend, partitions(job, s));
      JsonObject r = new JsonObject();
      r.addProperty("accuracy", e.accuracy());
      r.addProperty("count", e.count());
      r.addProperty("correct", e.correct());
      r.addProperty("backend", backend.name().toLowerCase(Locale.ROOT));
      r.add("confusion", GSON.toJsonTree(e.confusion()));
      spark(r, s, partitions(job, s));
      return r;
    }
  }

  @Override
  public JsonObject verify(Job job, Path tflite) throws IOException {
    byte[] model = Files.readAllBytes(tflite);
    DataRef ref = ref(job, UserData.Split.TEST);
    try (SparkContexts.Session s = SparkContexts.session(job.master(), "qat4j verify")) {
      VerifyStats v = DistributedVerify.run(s.sc(), model, ref, partitions(job, s));
      JsonObject r = new JsonObject();
      r.addProperty("count", v.samples());
      r.addProperty("bit_exact_fraction_builtin", v.builtin().exactFraction());
      r.addProperty("max_lsb_builtin", v.builtin().max());
      r.addProperty("bit_exact_fraction_xnnpack", v.xnnpack().exactFraction());
      r.addProperty("max_lsb_xnnpack", v.xnnpack().max());
      r.addProperty("within_1_lsb_fraction_xnnpack", v.xnnpack().withinOneFraction());
      r.addProperty("bit_exact_fraction_xnnpack_f32_simulator", v.xnnpackF32Sim().exactFraction());
      r.addProperty("accuracy_int8", v.int8Builtin().accuracy());
      r.addProperty("accuracy_int8_xnnpack", v.int8Xnnpack().accuracy());
      r.addProperty("accuracy_simulator", v.simulator().accuracy());
      r.add("lsb_histogram_builtin", GSON.toJsonTree(SparkMain.upToMax(v.builtin())));
      r.add("lsb_histogram_xnnpack", GSON.toJsonTree(SparkMain.upToMax(v.xnnpack())));
      r.add("warnings", new JsonArray());
      spark(r, s, partitions(job, s));
      return r;
    }
  }

  @Override
  public QatModel calibrate(Job job, Model floatModel, int batchSize) throws IOException {
    Path f = Files.createTempFile("qat4j-spark-ptq", ".q4j");
    byte[] saved;
    try {
      ModelIO.save(floatModel, f);
      saved = Files.readAllBytes(f);
    } finally {
      Files.deleteIfExists(f);
    }
    DataRef ref = ref(job, UserData.Split.TRAIN).inputsOnly();
    try (SparkContexts.Session s = SparkContexts.session(job.master(), "qat4j ptq")) {
      return DistributedPtq.quantize(
          s.sc(), saved, ref, batchSize, partitions(job, s), MergeableRange.MinMax.kind());
    }
  }

  @Override
  public History fit(
      Job job, QatModel model, Optimizer optimizer, int epochs, int batchSize, long seed)
      throws IOException {
    DataRef ref = ref(job, UserData.Split.TRAIN);
    Path ck =
        job.checkpoints() != null
            ? job.checkpoints()
            : Files.createTempDirectory("qat4j-spark-checkpoints");
    try (SparkContexts.Session s = SparkContexts.session(job.master(), "qat4j quantize")) {
      DataParallel.Spec spec =
          new DataParallel.Spec(
              ref,
              "",
              epochs,
              batchSize,
              seed,
              ck.toAbsolutePath().toString(),
              CHECKPOINT_EVERY,
              DataParallel.Fault.NONE);
      DataParallel.Run r = DataParallel.fit(s.sc(), model, optimizer, partitions(job, s), spec);
      if (!r.identical())
        throw new IllegalStateException("replicas ended with different states: " + r.workers());
      Replica.Result w = r.workers().get(0);
      System.err.printf(
          Locale.ROOT,
          "data-parallel on %s: %d replicas (identical), %d steps; replica 0: compute %.1f s,"
              + " all-reduce %.1f s, %d floats per message; checkpoints in %s%n",
          s.sc().master(),
          r.workers().size(),
          w.steps(),
          w.computeNanos() / 1e9,
          w.syncNanos() / 1e9,
          w.messageFloats(),
          ck);
      copyState(r.model(), model);
      if (job.checkpoints() == null) SharedCheckpoints.deleteTree(ck); // ours, and the run is done
      return r.history();
    }
  }

  /** Copies every param value (weights, ranges, BatchNorm statistics) between equal models. */
  static void copyState(QatModel from, QatModel to) {
    Map<String, Param> src = from.model().params();
    for (Map.Entry<String, Param> e : to.model().params().entrySet())
      e.getValue().value().copyFrom(src.get(e.getKey()).value());
    var a = from.quantizers();
    var b = to.quantizers();
    for (int i = 0; i < b.size(); i++) {
      FakeQuantizer x = a.get(i), y = b.get(i);
      for (int k = 0; k < 3; k++) y.params().get(k).value().copyFrom(x.params().get(k).value());
    }
    new ReplicaSync(to).copyNormsFrom(new ReplicaSync(from));
  }

  private static DataRef ref(Job job, UserData.Split split) {
    return new DataRef(
        job.data().toAbsolutePath().toString(),
        split,
        job.sampleShape(),
        job.labelColumn(),
        true,
        job.limit());
  }

  private static int partitions(Job job, SparkContexts.Session s) {
    return job.partitions() > 0 ? job.partitions() : s.sc().defaultParallelism();
  }

  private static void spark(JsonObject r, SparkContexts.Session s, int partitions) {
    r.addProperty("master", s.sc().master());
    r.addProperty("partitions", partitions);
  }
}
