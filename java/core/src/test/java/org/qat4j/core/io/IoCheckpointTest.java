package org.qat4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Param;
import org.qat4j.core.data.Augmentation;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.History;
import org.qat4j.core.train.LrSchedule;
import org.qat4j.core.train.Sgd;
import org.qat4j.core.train.StepResult;
import org.qat4j.core.train.TrainFixtures;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.internal.Parallel;

class IoCheckpointTest {
  @TempDir Path dir;
  private static final Dataset TRAIN =
      TrainFixtures.bands(200, 1).withAugmentation(new Augmentation(1, true));
  private static final Dataset VAL = TrainFixtures.bands(64, 2);

  @AfterEach
  void resetHook() {
    AtomicFile.streamHook = UnaryOperator.identity();
  }

  private static Callback recorder(List<Double> losses) {
    return new Callback() {
      @Override
      public void onStepEnd(Trainer t, StepResult s) {
        losses.add(s.loss());
      }
    };
  }

  private static void assertSameParams(Map<String, Param> a, Map<String, Param> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet())
      assertArrayEquals(a.get(k).value().toArray(), b.get(k).value().toArray(), 0f, k);
  }

  @Test
  void resumeEqualsUninterrupted() throws IOException {
    Parallel.setThreads(2);
    List<Double> straightLosses = new ArrayList<>();
    Trainer straight =
        new Trainer(
            TrainFixtures.smallCnn(3),
            new Adam(LrSchedule.cosine(0.01, 3, 14, 1e-4), 0.9, 0.999, 1e-7, 0));
    straight.addCallback(recorder(straightLosses)).fit(TRAIN, VAL, 2, 32, 21);

    List<Double> resumedLosses = new ArrayList<>();
    Trainer first =
        new Trainer(
            TrainFixtures.smallCnn(3),
            new Adam(LrSchedule.cosine(0.01, 3, 14, 1e-4), 0.9, 0.999, 1e-7, 0));
    first.addCallback(recorder(resumedLosses)).fit(TRAIN, VAL, 1, 32, 21);
    Path ck = dir.resolve("ck.zip");
    Checkpoint.save(first, ck);
    Checkpoint loaded = Checkpoint.load(ck);
    assertEquals(1, loaded.state().epoch());
    assertEquals(7, loaded.state().globalStep());
    Trainer second = loaded.trainer();
    History h = second.addCallback(recorder(resumedLosses)).fit(TRAIN, VAL, 2, 32, 21);

    assertEquals(straightLosses, resumedLosses);
    assertSameParams(straight.model().params(), second.model().params());
    assertArrayEquals(straight.history().losses(), h.losses(), 0);
    assertArrayEquals(straight.history().valAccuracies(), h.valAccuracies(), 0);
    assertEquals(2, h.size());
  }

  /** A run stopped before step 10 (epoch 2, batch 3 of 7) resumes exactly from there. */
  @Test
  void resumeMidEpochEqualsUninterrupted() throws IOException {
    Parallel.setThreads(2);
    Trainer straight =
        new Trainer(TrainFixtures.smallCnn(3), new Adam(LrSchedule.cosine(0.01, 3, 14, 1e-4)));
    straight.fit(TRAIN, VAL, 2, 32, 21);

    Trainer first =
        new Trainer(TrainFixtures.smallCnn(3), new Adam(LrSchedule.cosine(0.01, 3, 14, 1e-4)));
    first.addCallback(
        new Callback() {
          @Override
          public void onStepBegin(Trainer t, long step) {
            if (step == 10) throw new IllegalStateException("stop");
          }
        });
    assertThrows(IllegalStateException.class, () -> first.fit(TRAIN, VAL, 2, 32, 21));
    Path ck = dir.resolve("mid.zip");
    Checkpoint.save(first, ck);
    Checkpoint loaded = Checkpoint.load(ck);
    assertEquals(1, loaded.state().epoch());
    assertEquals(10, loaded.state().globalStep());
    Trainer second = loaded.trainer();
    second.fit(TRAIN, VAL, 2, 32, 21);

    assertEquals(14, second.globalStep());
    assertSameParams(straight.model().params(), second.model().params());
    assertEquals(straight.history().last().valAccuracy(), second.history().last().valAccuracy());
  }

  @Test
  void resumeChecksSeedAndBatchSize() throws IOException {
    Trainer t =
        new Trainer(TrainFixtures.mlp(1), new Sgd(LrSchedule.constant(0.1), 0.9, true, 1e-4));
    t.fit(TRAIN, null, 1, 50, 4);
    Path ck = dir.resolve("ck.zip");
    Checkpoint.save(t, ck);
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.load(ck).trainer().fit(TRAIN, null, 2, 50, 5));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.load(ck).trainer().fit(TRAIN, null, 2, 25, 4));
    assertEquals(t.optimizer().config(), Checkpoint.load(ck).optimizer().config());
  }

  @Test
  void failedSaveLeavesPreviousCheckpointLoadable() throws IOException {
    Trainer t = new Trainer(TrainFixtures.smallCnn(3), new Adam(0.01));
    t.fit(TRAIN, null, 1, 32, 1);
    Path ck = dir.resolve("ck.zip");
    Checkpoint.save(t, ck);
    byte[] good = Files.readAllBytes(ck);
    Map<String, float[]> before = new java.util.HashMap<>();
    t.model().params().forEach((k, p) -> before.put(k, p.value().toArray()));

    t.fit(TRAIN, null, 2, 32, 1);
    AtomicFile.streamHook =
        out ->
            new FilterOutputStream(out) {
              private long written;

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 600) throw new IOException("simulated disk failure");
                out.write(b, off, len);
              }

              @Override
              public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
              }
            };
    IOException e = assertThrows(IOException.class, () -> Checkpoint.save(t, ck));
    assertTrue(
        e.getMessage().contains(ck.toString()) && e.getMessage().contains("simulated"),
        e.getMessage());
    AtomicFile.streamHook = UnaryOperator.identity();

    assertArrayEquals(good, Files.readAllBytes(ck));
    Checkpoint back = Checkpoint.load(ck);
    assertEquals(1, back.state().epoch());
    back.model()
        .params()
        .forEach((k, p) -> assertArrayEquals(before.get(k), p.value().toArray(), 0f, k));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(ck), s.toList(), "no temporary files left behind");
    }
  }

  @Test
  void checkpointCallbackWritesEveryEpoch() throws IOException {
    Path ck = dir.resolve("run.zip");
    CheckpointCallback cb = new CheckpointCallback(ck, true);
    new Trainer(TrainFixtures.mlp(1), new Adam(0.01)).addCallback(cb).fit(TRAIN, VAL, 2, 64, 3);
    assertEquals(2, Checkpoint.load(ck).state().epoch());
    assertEquals(1, Checkpoint.load(cb.epochFile(1)).state().epoch());
    assertEquals(2, Checkpoint.load(cb.epochFile(2)).state().history().size());
  }

  @Test
  void modelFileIsNotACheckpoint() throws IOException {
    Path m = dir.resolve("model.zip");
    ModelIO.save(TrainFixtures.mlp(1), m);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.load(m));
    assertTrue(e.getMessage().contains("optimizer.json"), e.getMessage());
  }

  @Test
  void truncatedCheckpointFileRejected() throws IOException {
    Trainer t = new Trainer(TrainFixtures.mlp(1), new Adam(0.01));
    t.fit(TRAIN, null, 1, 64, 3);
    Path ck = dir.resolve("ck.zip");
    Checkpoint.save(t, ck);
    byte[] b = Files.readAllBytes(ck);
    Files.write(ck, java.util.Arrays.copyOf(b, b.length / 2));
    IOException e = assertThrows(IOException.class, () -> Checkpoint.load(ck));
    assertTrue(e.getMessage().contains(ck.toString()), e.getMessage());
  }
}
