package org.qat4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.TrainFixtures;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.zoo.Zoo;

class IoModelTest {
  @TempDir Path dir;

  private static Tensor input(long seed, int... shape) {
    var r = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.set(i, (float) r.nextDouble());
    return t;
  }

  @Test
  void referenceCnnRoundTripGivesIdenticalPredictions() throws IOException {
    Model m = Zoo.referenceCnn(5);
    // make BN statistics non-default so non-trainable params are exercised
    var data = new Dataset(input(1, 8, 28, 28, 1).toArray(), new int[8], new int[] {28, 28, 1}, 10);
    new Trainer(m, new Adam(1e-3)).calibrate(data, 8, 1, true);
    Path f = dir.resolve("cnn.zip");
    ModelIO.save(m, f);
    Model back = ModelIO.load(f);
    Tensor x = input(2, 3, 28, 28, 1);
    assertArrayEquals(m.predict(x).toArray(), back.predict(x).toArray(), 0f);
    assertEquals(m.params().keySet(), back.params().keySet());
    for (var e : m.params().entrySet()) {
      assertArrayEquals(
          e.getValue().value().toArray(),
          back.params().get(e.getKey()).value().toArray(),
          0f,
          e.getKey());
      assertEquals(e.getValue().trainable(), back.params().get(e.getKey()).trainable());
    }
  }

  @Test
  void graphJsonIsReadable() throws IOException {
    Path f = dir.resolve("m.zip");
    ModelIO.save(TrainFixtures.smallCnn(1), f);
    try (ZipFile z = new ZipFile(f.toFile())) {
      JsonObject g =
          JsonParser.parseString(
                  new String(
                      z.getInputStream(z.getEntry("model.json")).readAllBytes(),
                      StandardCharsets.UTF_8))
              .getAsJsonObject();
      assertEquals("input", g.get("input").getAsString());
      assertEquals("logits", g.get("output").getAsString());
      JsonObject conv = g.getAsJsonArray("nodes").get(1).getAsJsonObject();
      assertEquals("Conv2D", conv.get("type").getAsString());
      assertEquals("input", conv.getAsJsonArray("inputs").get(0).getAsString());
      assertEquals(4, conv.getAsJsonObject("config").get("filters").getAsInt());
      assertTrue(z.getEntry("weights.bin") != null);
    }
  }

  @Test
  void branchingGraphRoundTrip() throws IOException {
    GraphBuilder g = new GraphBuilder(3);
    Node in = g.input("in", 2, 2, 1);
    Node flat = g.add(new Flatten("flat"), in);
    Node a = g.add(new Dense("a", 5), flat);
    Node b = g.add(new Dense("b", 5), flat);
    Node sum = g.add(new Add("sum"), a, b);
    Node out = g.add(new Dense("out", 3), g.add(new ReLU("relu"), sum));
    Model m = g.build(out);
    Path f = dir.resolve("branch.zip");
    ModelIO.save(m, f);
    Tensor x = input(4, 2, 2, 2, 1);
    assertArrayEquals(m.predict(x).toArray(), ModelIO.load(f).predict(x).toArray(), 0f);
  }

  private Path zipWith(Map<String, byte[]> entries) throws IOException {
    Path f = dir.resolve("crafted.zip");
    try (OutputStream o = Files.newOutputStream(f);
        ZipOutputStream z = new ZipOutputStream(o)) {
      for (var e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return f;
  }

  private Map<String, byte[]> entriesOf(Model m) throws IOException {
    Path f = dir.resolve("src.zip");
    ModelIO.save(m, f);
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(f.toFile())) {
      for (String n : new String[] {"model.json", "weights.bin"})
        out.put(n, z.getInputStream(z.getEntry(n)).readAllBytes());
    }
    return out;
  }

  /** The message of the IOException that loading {@code p} must throw. */
  private static String loadError(Path p) {
    return assertThrows(IOException.class, () -> ModelIO.load(p)).getMessage();
  }

  @Test
  void corruptFilesGiveClearErrors() throws IOException {
    Path notZip = dir.resolve("not.zip");
    Files.writeString(notZip, "hello");
    assertTrue(loadError(notZip).contains(notZip.toString()));

    Map<String, byte[]> e = entriesOf(TrainFixtures.mlp(1));
    e.remove("weights.bin");
    Path noWeights = zipWith(e);
    assertTrue(loadError(noWeights).contains("weights.bin"));

    Map<String, byte[]> t = entriesOf(TrainFixtures.mlp(1));
    byte[] w = t.get("weights.bin");
    t.put("weights.bin", Arrays.copyOf(w, w.length - 8));
    Path truncated = zipWith(t);
    String te = loadError(truncated);
    assertTrue(te.contains("weights.bin") && te.contains("outside"), te);

    Map<String, byte[]> s = entriesOf(TrainFixtures.mlp(1));
    String json =
        new String(s.get("model.json"), StandardCharsets.UTF_8)
            .replace("\"units\": 16", "\"units\": 17");
    s.put("model.json", json.getBytes(StandardCharsets.UTF_8));
    Path mismatch = zipWith(s);
    String me = loadError(mismatch);
    assertTrue(me.contains("hidden/kernel") && me.contains("shape"), me);

    Map<String, byte[]> u = entriesOf(TrainFixtures.mlp(1));
    u.put(
        "model.json",
        new String(u.get("model.json"), StandardCharsets.UTF_8)
            .replace("\"ReLU\"", "\"Swish9\"")
            .getBytes(StandardCharsets.UTF_8));
    Path unknown = zipWith(u);
    String ue = loadError(unknown);
    assertTrue(ue.contains("Swish9") && ue.contains("model.json"), ue);
  }
}
