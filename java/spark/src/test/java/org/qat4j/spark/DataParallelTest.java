package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Param;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.UserData;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.quant.QatModel;

/**
 * Synchronous data-parallel QAT in barrier mode on real Fashion-MNIST: one worker is the
 * single-node Trainer bit for bit; two workers keep identical replicas and reach the single-node
 * accuracy; a task lost mid-run resumes from the last checkpoint and ends bit-identical to an
 * uninterrupted run. With -Dqat4j.spark.master=local-cluster[2,1,1024] the workers are separate
 * executor JVMs and the lost task is a killed executor (docs/SCALE.md).
 */
@Tag("native")
class DataParallelTest {
  private static final int BATCH = 64;
  @TempDir Path dir;

  private static QatModel copy(Fixtures f) {
    return DataParallel.qat(DataParallel.bytes(f.qat));
  }

  private DataParallel.Spec spec(int samples, int epochs, String ck, DataParallel.Fault fault) {
    DataRef data = DataRef.labelled(FashionMnist.defaultDir(), UserData.Split.TRAIN, samples);
    return new DataParallel.Spec(data, "", epochs, BATCH, 3, ck, 3, fault);
  }

  @Test
  void oneWorkerIsBitIdenticalToTheSingleNodeTrainer() throws Exception {
    Fixtures f = Fixtures.get();
    QatModel single = copy(f);
    DataParallel.Spec s = spec(320, 1, dir.resolve("ck").toString(), DataParallel.Fault.NONE);
    new Trainer(single.model(), new Adam(1e-3)).fit(s.data().load(), null, 1, BATCH, 3);
    DataParallel.Run r = DataParallel.fit(f.sc, copy(f), new Adam(1e-3), 1, s);
    Map<String, Param> want = single.model().params(), got = r.model().model().params();
    for (Map.Entry<String, Param> e : want.entrySet())
      assertArrayEquals(
          e.getValue().value().toArray(), got.get(e.getKey()).value().toArray(), e.getKey());
    assertEquals(new ReplicaSync(single).hash(), r.workers().get(0).hash());
    assertEquals(5, r.workers().get(0).steps());
  }

  @Test
  @Tag("slow")
  void twoWorkersKeepIdenticalReplicasAndReachSingleNodeAccuracy() throws Exception {
    Fixtures f = Fixtures.get();
    DataParallel.Spec s = spec(2048, 2, dir.resolve("ck").toString(), DataParallel.Fault.NONE);
    QatModel single = copy(f);
    Trainer t = new Trainer(single.model(), new Adam(1e-3));
    double before = t.evaluate(f.test.load(), 100).accuracy();
    t.fit(s.data().load(), null, 2, BATCH, 3);
    double one = t.evaluate(f.test.load(), 100).accuracy();
    DataParallel.Run r = DataParallel.fit(f.sc, copy(f), new Adam(1e-3), 2, s);
    assertTrue(r.identical(), "replica hashes differ: " + r.workers());
    assertEquals(2, r.workers().size());
    assertEquals(64, r.workers().get(1).steps(), "2 epochs of 32 global batches");
    double two =
        new Trainer(r.model().model(), new Adam(1e-3)).evaluate(f.test.load(), 100).accuracy();
    System.err.printf(
        "2048 images, 2 epochs, batch %d: test accuracy before %.4f, single node %.4f, 2 workers %.4f;"
            + " per worker compute %.1f s, all-reduce %.1f s, message %d floats%n",
        BATCH,
        before,
        one,
        two,
        r.workers().get(0).computeNanos() / 1e9,
        r.workers().get(0).syncNanos() / 1e9,
        r.workers().get(0).messageFloats());
    // 600 test images: one binomial standard error is about 0.018 at these accuracies
    assertEquals(one, two, 0.04, "2 workers vs single node (start " + before + ")");
    assertTrue(
        two > before,
        "QAT fine-tuning improved the briefly trained model: " + before + " -> " + two);
    assertEquals(2, r.history().size());
  }

  @Test
  void aLostTaskResumesFromTheLastCheckpointBitIdentically() throws Exception {
    Fixtures f = Fixtures.get();
    boolean cluster = f.sc.master().startsWith("local-cluster");
    DataParallel.Run clean =
        DataParallel.fit(
            f.sc,
            copy(f),
            new Adam(1e-3),
            2,
            spec(512, 1, dir.resolve("a").toString(), DataParallel.Fault.NONE));
    Path marker = dir.resolve("fault-happened");
    DataParallel.Fault fault = new DataParallel.Fault(1, 7, marker.toString(), cluster);
    DataParallel.Run hurt =
        DataParallel.fit(
            f.sc, copy(f), new Adam(1e-3), 2, spec(512, 1, dir.resolve("b").toString(), fault));
    assertTrue(Files.exists(marker), "the fault was injected");
    for (Replica.Result w : hurt.workers()) {
      assertEquals(6, w.resumedStep(), "resumed from the checkpoint of step 6: " + w);
      assertTrue(w.stageAttempt() >= 1, "a retried stage: " + w);
      assertEquals(8, w.steps());
    }
    assertTrue(hurt.identical());
    assertEquals(
        clean.workers().get(0).hash(),
        hurt.workers().get(0).hash(),
        "same state as without the loss");
  }
}
