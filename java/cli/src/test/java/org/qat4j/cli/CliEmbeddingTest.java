package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.SpatialDropout1D;
import org.qat4j.ir.DType;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * A token classifier (Embedding → SpatialDropout1D → Flatten → Dense) through the CLI on a .npz of
 * token ids: train, quantize, export int8 (the ids stay an INT32 input), eval and verify (BUILTIN
 * bit-exact); a token id past the vocabulary is a clear error (exit 2), not a TFLite failure.
 */
@Tag("native")
class CliEmbeddingTest {
  static final int VOCAB = 300, STEPS = 8;
  @TempDir Path tmp;

  /** Token ids and labels: 1 when most ids are in the upper half of the vocabulary. */
  private Path npz(String name, long seed, int n, int badAt) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * STEPS];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) x[i] = r.nextInt(VOCAB);
    for (int i = 0; i < n; i++) {
      int high = 0;
      for (int t = 0; t < STEPS; t++) if (x[i * STEPS + t] >= VOCAB / 2f) high++;
      y[i] = high > STEPS / 2 ? 1 : 0;
    }
    if (badAt >= 0) x[badAt] = VOCAB;
    return UserDataFiles.npz(
        tmp.resolve(name), UserDataFiles.npyF4(x, n, STEPS), UserDataFiles.npyI8(y));
  }

  private Path model() throws IOException {
    GraphBuilder b = new GraphBuilder(5);
    Node e = b.add(new Embedding("emb", VOCAB, 6), b.input("tokens", STEPS));
    Node d = b.add(new SpatialDropout1D("drop", 0.2f), e);
    Model m = b.build(b.add(new Dense("out", 2), b.add(new Flatten("flat"), d)));
    Path p = tmp.resolve("tokens.model");
    ModelIO.save(m, p);
    return p;
  }

  private static CliRun ok(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r.toString());
    return r;
  }

  /** train → quantize → export int8 of the token classifier; returns {QAT model, .tflite}. */
  private Path[] exported(Path train, Path test) throws IOException {
    Path f = tmp.resolve("t.q4j"), q = tmp.resolve("t.qat"), int8 = tmp.resolve("t.tflite");
    String[] data = {"--data", train.toString(), "--test-data", test.toString()};
    ok(
        args(
            "train",
            "--model",
            model().toString(),
            data,
            "--epochs",
            "6",
            "--batch-size",
            "16",
            "--lr",
            "0.01",
            "--out",
            f.toString(),
            "--quiet"));
    ok(
        args(
            "quantize",
            "--in",
            f.toString(),
            data,
            "--epochs",
            "1",
            "--out",
            q.toString(),
            "--quiet"));
    ok("export", "--in", q.toString(), "--format", "int8", "--out", int8.toString(), "--quiet");
    return new Path[] {q, int8};
  }

  /** The arguments in order, String[] elements spliced in. */
  private static String[] args(Object... rest) {
    List<String> l = new ArrayList<>();
    for (Object o : rest) {
      if (o instanceof String[] a) l.addAll(List.of(a));
      else l.add((String) o);
    }
    return l.toArray(new String[0]);
  }

  @Test
  void tokenClassifierTrainsQuantizesExportsAndVerifies() throws IOException {
    Path test = npz("test.npz", 2, 200, -1);
    Path[] out = exported(npz("train.npz", 1, 1000, -1), test);
    SubgraphInfo g = TfliteReader.read(Files.readAllBytes(out[1])).subgraph(0);
    assertEquals(DType.INT32, g.tensor(g.inputs()[0]).dtype(), "token ids stay INT32");
    CliRun ev = ok("eval", "--model", out[1].toString(), "--data", test.toString(), "--json");
    assertEquals(200, ev.json().get("count").getAsInt());
    assertTrue(ev.json().get("accuracy").getAsDouble() >= 0.85, ev.toString());
    CliRun v =
        ok(
            args(
                "verify",
                "--model",
                out[0].toString(),
                "--tflite",
                out[1].toString(),
                "--data",
                test.toString(),
                "--json",
                "--quiet"));
    assertEquals(1.0, v.json().get("bit_exact_fraction_builtin").getAsDouble(), v.toString());
    assertEquals(0, v.json().get("max_lsb_builtin").getAsInt(), v.toString());
    System.out.printf(
        "token classifier int8: eval accuracy %.3f on %d, verify bit-exact %.4f, accuracy_int8 %s%n",
        ev.json().get("accuracy").getAsDouble(),
        ev.json().get("count").getAsInt(),
        v.json().get("bit_exact_fraction_builtin").getAsDouble(),
        v.json().get("accuracy_int8"));
    badIdsAreUsageErrors(out);
  }

  /** An id past the vocabulary (sample 3, position 1): exit 2 naming it, for eval and verify. */
  private void badIdsAreUsageErrors(Path[] out) throws IOException {
    String bad = npz("bad.npz", 2, 200, 3 * STEPS + 1).toString();
    for (CliRun r :
        new CliRun[] {
          CliRun.of("eval", "--model", out[1].toString(), "--data", bad),
          CliRun.of(
              "verify", "--model", out[0].toString(), "--tflite", out[1].toString(), "--data", bad)
        }) {
      assertEquals(2, r.code(), r.toString());
      System.out.println(r.err().trim());
      assertTrue(
          r.err().contains("sample 3: index " + VOCAB + " at element 1")
              && r.err().contains("outside [0, " + VOCAB),
          r.toString());
    }
  }
}
