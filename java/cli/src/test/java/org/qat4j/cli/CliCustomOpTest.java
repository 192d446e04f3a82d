package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.cli.ops.ScaleByOptionsOp;
import org.qat4j.runtime.CustomOp;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * {@code --custom-op NAME=CLASS} on {@code run}, {@code eval} and {@code bench}: a .tflite whose
 * CUSTOM op "QAT4J_SCALE" multiplies by the float32 in its custom options runs with {@link
 * ScaleByOptionsOp} loaded from the class path; bad classes and specs are one usage error.
 */
@Tag("native")
class CliCustomOpTest {
  private static final String OP = "QAT4J_SCALE=" + ScaleByOptionsOp.class.getName();

  @TempDir static Path dir;
  static Path doubles;
  static Path negates;
  static Path x;
  static Path csv;

  /** x[1,4] float32 → CUSTOM QAT4J_SCALE (options: float32 {@code f}) → y[1,4]. */
  static byte[] scaleModel(float f) {
    FlatBufferBuilder fb = new FlatBufferBuilder(512);
    Buffer.startBuffer(fb);
    int empty = Buffer.endBuffer(fb);
    int[] ts = {tensor(fb, "x"), tensor(fb, "y")};
    byte[] opts = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array();
    int custom = Operator.createCustomOptionsVector(fb, opts);
    int in = Operator.createInputsVector(fb, new int[] {0});
    int out = Operator.createOutputsVector(fb, new int[] {1});
    Operator.startOperator(fb);
    Operator.addOpcodeIndex(fb, 0);
    Operator.addInputs(fb, in);
    Operator.addOutputs(fb, out);
    Operator.addCustomOptions(fb, custom);
    int op = Operator.endOperator(fb);
    int sg =
        SubGraph.createSubGraph(
            fb,
            SubGraph.createTensorsVector(fb, ts),
            SubGraph.createInputsVector(fb, new int[] {0}),
            SubGraph.createOutputsVector(fb, new int[] {1}),
            SubGraph.createOperatorsVector(fb, new int[] {op}),
            0);
    int code =
        OperatorCode.createOperatorCode(fb, (byte) 32, fb.createString("QAT4J_SCALE"), 1, 32);
    int codes = Model.createOperatorCodesVector(fb, new int[] {code});
    int sgs = Model.createSubgraphsVector(fb, new int[] {sg});
    int bufs = Model.createBuffersVector(fb, new int[] {empty});
    Model.startModel(fb);
    Model.addVersion(fb, 3);
    Model.addOperatorCodes(fb, codes);
    Model.addSubgraphs(fb, sgs);
    Model.addBuffers(fb, bufs);
    Model.finishModelBuffer(fb, Model.endModel(fb));
    return fb.sizedByteArray();
  }

  private static int tensor(FlatBufferBuilder fb, String name) {
    int shape = Tensor.createShapeVector(fb, new int[] {1, 4});
    int n = fb.createString(name);
    Tensor.startTensor(fb);
    Tensor.addShape(fb, shape);
    Tensor.addType(fb, (byte) 0);
    Tensor.addBuffer(fb, 0);
    Tensor.addName(fb, n);
    return Tensor.endTensor(fb);
  }

  @BeforeAll
  static void files() throws IOException {
    doubles = Files.write(dir.resolve("double.tflite"), scaleModel(2f));
    negates = Files.write(dir.resolve("negate.tflite"), scaleModel(-1f));
    x = Files.write(dir.resolve("x.npy"), UserDataFiles.npyF4(new float[] {1, -2, 0.5f, 3}, 1, 4));
    // 20 samples, label = argmax x: right for f > 0, wrong for f < 0 (distinct values)
    StringBuilder t = new StringBuilder("a,b,c,d,label\n");
    for (int s = 0; s < 20; s++) {
      float[] v = new float[4];
      int y = 0;
      for (int k = 0; k < 4; k++) v[k] = ((s * 7 + k * 3) % 11) * 0.1f + k * 0.001f;
      for (int k = 1; k < 4; k++) if (v[k] > v[y]) y = k;
      for (float f : v) t.append(f).append(',');
      t.append(y).append('\n');
    }
    csv = Files.writeString(dir.resolve("d.csv"), t);
  }

  private static JsonObject ok(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r::toString);
    return r.json();
  }

  @Test
  void runAppliesTheOpWithTheModelsOptions() {
    for (Object[] row : new Object[][] {{doubles, 2f}, {negates, -1f}}) {
      JsonObject j =
          ok(
              "run",
              "--model",
              row[0].toString(),
              "--input",
              x.toString(),
              "--custom-op",
              OP,
              "--json",
              "-q");
      JsonArray y = j.getAsJsonArray("outputs").get(0).getAsJsonArray().get(0).getAsJsonArray();
      float f = (Float) row[1];
      float[] want = {f, -2 * f, 0.5f * f, 3 * f};
      for (int i = 0; i < 4; i++) assertEquals(want[i], y.get(i).getAsFloat(), 0f, j.toString());
    }
  }

  /** {@code eval} of {@code model} on the CSV with {@code more} options. */
  private static CliRun eval(Path model, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "eval",
                "--model",
                model.toString(),
                "--data",
                csv.toString(),
                "--label-column",
                "label"));
    a.addAll(List.of(more));
    return CliRun.of(a.toArray(String[]::new));
  }

  /** {@code run} of the doubling model on x.npy with {@code more} options. */
  private static CliRun run(String... more) {
    List<String> a =
        new ArrayList<>(List.of("run", "--model", doubles.toString(), "--input", x.toString()));
    a.addAll(List.of(more));
    return CliRun.of(a.toArray(String[]::new));
  }

  @Test
  void evalAndBenchRunTheOp() {
    CliRun right = eval(doubles, "--custom-op", OP, "--json", "-q");
    assertEquals(0, right.code(), right::toString);
    assertEquals(1.0, right.json().get("accuracy").getAsDouble(), right::toString);
    assertEquals(20, right.json().get("count").getAsInt());
    CliRun wrong = eval(negates, "--custom-op", OP, "--json", "-q");
    assertEquals(0, wrong.code(), wrong::toString);
    assertEquals(0.0, wrong.json().get("accuracy").getAsDouble(), wrong::toString);
    JsonObject b =
        ok(
            "bench",
            "--model",
            doubles.toString(),
            "--custom-op",
            OP + ":1-2",
            "--runs",
            "3",
            "--warmup",
            "0",
            "--min-secs",
            "0",
            "--max-secs",
            "5",
            "--json",
            "-q");
    assertTrue(b.has("steady"), b.toString());
  }

  @Test
  void withoutTheOptionTheOpIsUnresolved() {
    CliRun r = run("-q");
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.err().contains("unresolved custom op [QAT4J_SCALE]"), r::toString);
  }

  @Test
  void badSpecsAndClassesAreOneUsageError() {
    String cls = ScaleByOptionsOp.class.getName();
    String[][] rows = {
      {"QAT4J_SCALE", "expected NAME=fully.qualified.Class[:MIN[-MAX]]"},
      {"QAT4J_SCALE=" + cls + "Missing", "class " + cls + "Missing is not on the class path"},
      {"QAT4J_SCALE=" + cls + "$NotAnOp", "does not implement " + CustomOp.class.getName()},
      {"QAT4J_SCALE=" + cls + "$NeedsAnArgument", "has no public no-argument constructor"},
      {"QAT4J_SCALE=" + cls + ":3-2", "must satisfy 1 <= min <= max < min + 64"},
      {"A B=" + cls, "must be 1..128 printable ASCII characters"},
    };
    for (String[] row : rows) {
      CliRun r = run("--custom-op", row[0], "-q");
      assertEquals(2, r.code(), r::toString);
      assertTrue(r.err().contains("--custom-op") && r.err().contains(row[1]), r::toString);
      assertEquals(1, r.err().strip().lines().count(), r::toString);
    }
    CliRun twice = run("--custom-op", OP, "--custom-op", OP, "-q");
    assertEquals(2, twice.code(), twice::toString);
    assertTrue(twice.err().contains("registered twice"), twice::toString);
    CliRun isolated = eval(doubles, "--custom-op", OP, "--isolate", "-q");
    assertEquals(2, isolated.code(), isolated::toString);
    assertTrue(isolated.err().contains("cannot be combined with --isolate"), isolated::toString);
  }
}
