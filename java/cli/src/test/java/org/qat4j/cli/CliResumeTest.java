package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Param;
import org.qat4j.core.io.ModelIO;

/**
 * {@code train --checkpoint-dir/--resume}: a 2-epoch run equals a 1-epoch run + resume + 1 epoch
 * (hash of every weight and BatchNorm statistic), and SIGINT in the middle of an epoch saves a
 * checkpoint from which the run continues bit-identically.
 */
class CliResumeTest {
  @TempDir Path tmp;

  /** 256 images at batch 64: 4 steps per epoch. Fixed threads: exact resume needs the same. */
  private static final List<String> RUN =
      List.of(
          "--limit", "256", "--test-limit", "100", "--threads", "2", "--gemm-threads", "1", "-q");

  @BeforeAll
  static void data() {
    assumeTrue(
        Args.hasFashionMnist(Args.DEFAULT_DATA),
        "Fashion-MNIST not installed at " + Args.DEFAULT_DATA);
  }

  private static JsonObject train(String... args) {
    List<String> a = new ArrayList<>(List.of("train"));
    a.addAll(List.of(args));
    a.addAll(RUN);
    a.add("--json");
    CliRun r = CliRun.of(a.toArray(String[]::new));
    assertEquals(0, r.code(), r::toString);
    return r.json();
  }

  /** SHA-256 over every parameter (trainable or not) in name order. */
  static String weightsHash(Path model) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    Map<String, Param> params = new TreeMap<>(ModelIO.load(model).params());
    for (Map.Entry<String, Param> e : params.entrySet()) {
      md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      float[] v = e.getValue().value().toArray();
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(v);
      md.update(b.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void oneEpochPlusResumeEqualsTwoEpochs() throws Exception {
    Path a = tmp.resolve("a.q4j");
    Path b = tmp.resolve("b.q4j");
    Path one = tmp.resolve("one.q4j");
    Path ck = tmp.resolve("ck");
    String[] model = {"--model", "reference-cnn", "--seed", "5", "--schedule", "constant"};
    train(concat(model, "--epochs", "2", "--out", a.toString()));
    train(
        concat(model, "--epochs", "1", "--checkpoint-dir", ck.toString(), "--out", one.toString()));
    assertTrue(Files.isRegularFile(ck.resolve(TrainCheckpoints.FILE)));
    JsonObject j = train("--resume", ck.toString(), "--epochs", "2", "--out", b.toString());
    assertEquals(1, j.get("resumed_epoch").getAsInt());
    assertEquals(4, j.get("resumed_step").getAsInt());
    assertEquals(2, j.getAsJsonArray("train_loss").size());
    assertEquals("constant", j.get("schedule").getAsString());
    assertEquals(weightsHash(a), weightsHash(b), "resumed run differs from the straight one");
    assertNotEquals(weightsHash(a), weightsHash(one), "the second epoch changed nothing");
  }

  @Test
  void sigintMidEpochSavesACheckpointAndResumeContinuesExactly() throws Exception {
    Path ck = tmp.resolve("ck");
    Path never = tmp.resolve("never.q4j");
    String log = interruptedRun(6, ck, never);
    Path file = ck.resolve(TrainCheckpoints.FILE);
    assertTrue(
        log.contains("stopped by SIGINT at step 6 (epoch 2); checkpoint saved to " + file), log);
    assertFalse(Files.exists(never), "an interrupted run must not write --out");

    Path resumed = tmp.resolve("resumed.q4j");
    Path straight = tmp.resolve("straight.q4j");
    JsonObject j = train("--resume", ck.toString(), "--epochs", "2", "--out", resumed.toString());
    assertEquals(6, j.get("resumed_step").getAsInt());
    assertEquals("cosine", j.get("schedule").getAsString());
    train("--model", "reference-cnn", "--seed", "5", "--epochs", "2", "--out", straight.toString());
    assertEquals(weightsHash(straight), weightsHash(resumed));
  }

  /**
   * A 2-epoch run in a child JVM, held before step {@code step} until SIGINT arrives; asserts exit
   * 130 and returns its output.
   */
  private static String interruptedRun(int step, Path ck, Path out) throws Exception {
    List<String> cmd = CliRun.childJava("-Xmx1g", "-Dqat4j.holdStep=" + step);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            HeldTrainMain.class.getName(),
            "train",
            "--model",
            "reference-cnn",
            "--seed",
            "5",
            "--epochs",
            "2",
            "--checkpoint-dir",
            ck.toString(),
            "--out",
            out.toString()));
    cmd.addAll(RUN);
    return interruptAtHold(cmd, "the child never reached step " + step);
  }

  /**
   * Runs {@code cmd} (a child JVM that prints HOLDING where it waits), sends it SIGINT there,
   * asserts exit 130 and returns its output; {@code notHeld} says what failed if HOLDING never
   * comes.
   */
  static String interruptAtHold(List<String> cmd, String notHeld) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    StringBuilder log = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.equals("HOLDING"))
        log.append(line).append('\n');
      assertEquals("HOLDING", line, () -> notHeld + ":\n" + log);
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
      assertEquals(0, kill.waitFor());
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not exit on SIGINT");
      while ((line = r.readLine()) != null) log.append(line).append('\n');
    } finally {
      p.destroyForcibly();
    }
    assertEquals(130, p.exitValue(), log::toString);
    return log.toString();
  }

  @Test
  void resumeRefusesWhatTheCheckpointDefinesAndOtherData() throws Exception {
    Path ck = tmp.resolve("ck");
    train("--model", "reference-cnn", "--epochs", "1", "--checkpoint-dir", ck.toString());
    CliRun seed = CliRun.of("train", "--resume", ck.toString(), "--epochs", "2", "--seed", "3");
    assertEquals(2, seed.code(), seed::toString);
    assertTrue(seed.err().contains("--seed: comes from the checkpoint"), seed::toString);
    CliRun limit =
        CliRun.of("train", "--resume", ck.toString(), "--epochs", "2", "--limit", "512", "-q");
    assertEquals(2, limit.code(), limit::toString);
    assertTrue(
        limit.err().contains("4 batches per epoch but --data/--limit give 8"), limit::toString);
    CliRun done = CliRun.of("train", "--resume", ck.toString(), "--epochs", "1", "--limit", "256");
    assertEquals(2, done.code(), done::toString);
    assertTrue(done.err().contains("already completed 1 epoch(s)"), done::toString);
    Path bad = Files.writeString(tmp.resolve("bad.zip"), "not a zip");
    CliRun damaged = CliRun.of("train", "--resume", bad.toString(), "--epochs", "2");
    assertEquals(2, damaged.code(), damaged::toString);
    assertTrue(damaged.err().contains("is not a qat4j checkpoint"), damaged::toString);
    CliRun none = CliRun.of("train", "--epochs", "2");
    assertEquals(2, none.code(), none::toString);
    assertTrue(none.err().contains("--model: missing"), none::toString);
  }

  private static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }
}
