package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;

/**
 * {@code train --loss-weights} and {@code --checkpoint-dir/--resume} for a model with two outputs
 * on Fashion-MNIST (image and its 2×2-averaged thumbnail in; the 10 classes and 3 groups out): the
 * weights decide which output learns, per-output figures are in the JSON, a resumed run equals an
 * uninterrupted one, and bad weights are one usage error.
 */
class CliLossWeightsTest {
  /** Group of each Fashion-MNIST class: 0 tops, 1 footwear, 2 trousers and bags. */
  private static final int[] GROUP = {0, 2, 0, 0, 0, 1, 0, 1, 2, 1};

  private static final List<String> RUN =
      List.of("--threads", "2", "--gemm-threads", "1", "--json", "-q");

  @TempDir static Path dir;
  static Path model;
  static Path train;
  static Path test;

  /** image [28,28,1] and thumb [14,14,1] in; class [10] and group [3] out. */
  static Model imageAndThumb(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node img = g.input("image", 28, 28, 1);
    Node thumb = g.input("thumb", 14, 14, 1);
    Node a =
        g.add(new Conv2D("a_conv", 6, 3, 3).padding(Padding.SAME).activation(Activation.RELU), img);
    a = g.add(new MaxPool2D("a_pool", 2, 2), a);
    Node b = g.add(new Conv2D("b_conv", 6, 3, 3).padding(Padding.SAME).useBias(false), thumb);
    b = g.add(new ReLU("b_relu"), g.add(new BatchNormalization("b_bn"), b));
    Node c = g.add(new Concatenate("cat"), a, b);
    c = g.add(new MaxPool2D("c_pool", 2, 2), c);
    Node cls = g.add(new Dense("class", 10), g.add(new Flatten("flat"), c));
    Node sum = g.add(new Add("sum"), a, b);
    sum = g.add(new Flatten("sum_flat"), g.add(new MaxPool2D("sum_pool", 2, 2), sum));
    Node grp = g.add(new Dense("group", 3), sum);
    return g.build(cls, grp);
  }

  /** The first {@code n} samples of {@code d} as x_image, x_thumb, y_class, y_group. */
  static Path npz(Path file, Dataset d, int n) throws IOException {
    float[] img = new float[n * 784], th = new float[n * 196];
    int[] cls = new int[n], grp = new int[n];
    for (int s = 0; s < n; s++) {
      float[] x = d.sample(s);
      System.arraycopy(x, 0, img, s * 784, 784);
      for (int r = 0; r < 14; r++)
        for (int c = 0; c < 14; c++) {
          int o = 2 * r * 28 + 2 * c;
          th[s * 196 + r * 14 + c] = (x[o] + x[o + 1] + x[o + 28] + x[o + 29]) / 4;
        }
      cls[s] = d.label(s);
      grp[s] = GROUP[cls[s]];
    }
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      put(z, "x_image", UserDataFiles.npyF4(img, n, 28, 28, 1));
      put(z, "x_thumb", UserDataFiles.npyF4(th, n, 14, 14, 1));
      put(z, "y_class", UserDataFiles.npyI8(cls));
      put(z, "y_group", UserDataFiles.npyI8(grp));
    }
    return file;
  }

  private static void put(ZipOutputStream z, String name, byte[] npy) throws IOException {
    z.putNextEntry(new ZipEntry(name + ".npy"));
    z.write(npy);
  }

  @BeforeAll
  static void files() throws IOException {
    assumeTrue(FashionMnist.available(), "Fashion-MNIST not at " + FashionMnist.defaultDir());
    FashionMnist.Splits all = FashionMnist.load();
    model = dir.resolve("two.q4j");
    ModelIO.save(imageAndThumb(3), model);
    train = npz(dir.resolve("train.npz"), all.train(), 960);
    test = npz(dir.resolve("test.npz"), all.test(), 300);
  }

  private static CliRun run(String... args) {
    List<String> a = new ArrayList<>(List.of("train"));
    a.addAll(List.of(args));
    a.addAll(List.of("--data", train.toString(), "--test-data", test.toString()));
    a.addAll(RUN);
    return CliRun.of(a.toArray(String[]::new));
  }

  private static JsonObject ok(String... args) {
    CliRun r = run(args);
    assertEquals(0, r.code(), r::toString);
    return r.json();
  }

  private static JsonObject output(JsonObject r, int o) {
    return r.getAsJsonArray("outputs").get(o).getAsJsonObject();
  }

  private static double[] curve(JsonObject out) {
    JsonArray a = out.getAsJsonArray("train_loss");
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsDouble();
    return v;
  }

  @Test
  void theWeightsDecideWhichOutputLearns() {
    String[] common = {
      "--model", model.toString(), "--batch-size", "32", "--epochs", "4", "--lr", "0.003"
    };
    JsonObject onlyClass = ok(concat(common, "--loss-weights", "class=1"));
    JsonObject onlyGroup = ok(concat(common, "--loss-weights", "0,1"));
    JsonObject c0 = output(onlyClass, 0), g0 = output(onlyClass, 1);
    JsonObject c1 = output(onlyGroup, 0), g1 = output(onlyGroup, 1);
    assertEquals(0.0, g0.get("loss_weight").getAsDouble());
    assertEquals(0.0, c1.get("loss_weight").getAsDouble());
    double[] cls = curve(c0), grpIdle = curve(g0), grp = curve(g1), clsIdle = curve(c1);
    String all = onlyClass + "\n" + onlyGroup;
    // the trained output's loss falls; the weight-0 one stays where it started
    assertTrue(cls[3] < 0.75 * cls[0], all);
    assertTrue(grp[3] < 0.75 * grp[0], all);
    assertTrue(grpIdle[3] > 0.8 * grpIdle[0], all);
    assertTrue(clsIdle[3] > 0.8 * clsIdle[0], all);
    assertTrue(
        c0.get("test_accuracy").getAsDouble() > c1.get("test_accuracy").getAsDouble() + 0.3, all);
    assertTrue(
        g1.get("test_accuracy").getAsDouble() > g0.get("test_accuracy").getAsDouble() + 0.2, all);
    assertTrue(c1.get("test_loss").getAsDouble() > 2 * c0.get("test_loss").getAsDouble(), all);
    assertEquals(
        c0.get("test_loss").getAsDouble(), onlyClass.get("test_loss").getAsDouble(), 1e-9, all);
    assertEquals(300, onlyClass.get("test_count").getAsInt());
  }

  @Test
  void oneEpochPlusResumeEqualsTwoEpochs() throws Exception {
    Path a = dir.resolve("a.q4j"), one = dir.resolve("one.q4j"), b = dir.resolve("b.q4j");
    Path ck = dir.resolve("ck");
    String[] m = {
      "--model",
      model.toString(),
      "--batch-size",
      "32",
      "--schedule",
      "constant",
      "--loss-weights",
      "class=1,group=0.5"
    };
    // constant: a cosine schedule spans --epochs, which differs between the two runs
    JsonObject straight = ok(concat(m, "--epochs", "2", "--out", a.toString()));
    ok(concat(m, "--epochs", "1", "--checkpoint-dir", ck.toString(), "--out", one.toString()));
    assertTrue(Files.isRegularFile(ck.resolve(TrainCheckpoints.FILE)));
    JsonObject resumed = ok("--resume", ck.toString(), "--epochs", "2", "--out", b.toString());
    assertEquals(1, resumed.get("resumed_epoch").getAsInt());
    assertEquals(30, resumed.get("resumed_step").getAsInt(), "960 samples at batch 32");
    assertEquals(straight.get("train_loss"), resumed.get("train_loss"));
    for (int o = 0; o < 2; o++) {
      assertEquals(output(straight, o).get("train_loss"), output(resumed, o).get("train_loss"));
      assertEquals(output(straight, o).get("loss_weight"), output(resumed, o).get("loss_weight"));
    }
    assertEquals(CliResumeTest.weightsHash(a), CliResumeTest.weightsHash(b));
    assertNotEquals(CliResumeTest.weightsHash(a), CliResumeTest.weightsHash(one));
    CliRun again = run("--resume", ck.toString(), "--epochs", "2", "--loss-weights", "class=1");
    assertEquals(2, again.code(), again::toString);
    assertTrue(again.err().contains("--loss-weights: comes from the checkpoint"), again::toString);
  }

  @Test
  void sigintBetweenEpochsSavesACheckpointAndResumeContinuesExactly() throws Exception {
    Path ck = dir.resolve("sig"), never = dir.resolve("never.q4j");
    Path straight = dir.resolve("s.q4j"), resumed = dir.resolve("r.q4j");
    String[] m = {
      "--model", model.toString(), "--batch-size", "32", "--loss-weights", "class=1,group=0.5"
    };
    List<String> cmd = CliRun.childJava("-Xmx1g", "-Dqat4j.holdStep=30");
    cmd.addAll(
        List.of(
            "-cp", System.getProperty("java.class.path"), HeldTrainMain.class.getName(), "train"));
    cmd.addAll(List.of(m));
    cmd.addAll(List.of("--epochs", "2", "--checkpoint-dir", ck.toString(), "--out"));
    cmd.add(never.toString());
    cmd.addAll(List.of("--data", train.toString(), "--test-data", test.toString()));
    cmd.addAll(RUN.subList(0, 4));
    String log = CliResumeTest.interruptAtHold(cmd, "the child never held at the epoch boundary");
    Path file = ck.resolve(TrainCheckpoints.FILE);
    assertTrue(
        log.contains("stopped by SIGINT at step 30 (epoch 2); checkpoint saved to " + file), log);
    assertFalse(Files.exists(never), "an interrupted run must not write --out");
    JsonObject r = ok("--resume", ck.toString(), "--epochs", "2", "--out", resumed.toString());
    assertEquals(30, r.get("resumed_step").getAsInt());
    ok(concat(m, "--epochs", "2", "--out", straight.toString()));
    assertEquals(CliResumeTest.weightsHash(straight), CliResumeTest.weightsHash(resumed));
  }

  @Test
  void badWeightsAreOneUsageError() throws IOException {
    String[][] rows = {
      {"cls=1", "the model has no output 'cls'; its outputs are [class, group]"},
      {"class=-1", "weight of output 'class' must be a finite number >= 0, got -1"},
      {"class=1,group=NaN", "weight of output 'group' must be a finite number >= 0, got NaN"},
      {"1,0.5,2", "3 weight(s) for 2 outputs [class, group]"},
      {"class=1,0.5", "give every weight as NAME=W or none"},
      {"class=0", "every weight is 0"},
      {"class=1,class=2", "output 'class' is given twice"},
      {"1,x", "weight of output 'group' is not a number: 'x'"},
    };
    for (String[] row : rows) {
      CliRun r = run("--model", model.toString(), "--epochs", "1", "--loss-weights", row[0]);
      assertEquals(2, r.code(), r::toString);
      assertTrue(r.err().contains("--loss-weights: " + row[1]), r::toString);
      assertEquals(1, r.err().strip().lines().count(), r::toString);
    }
    CliRun single =
        CliRun.of(
            "train", "--model", "reference-cnn", "--epochs", "1", "--loss-weights", "1", "-q");
    assertEquals(2, single.code(), single::toString);
    assertTrue(single.err().contains("has a single output"), single::toString);
  }

  private static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }
}
