package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.cli.Main;
import org.qat4j.core.data.FashionMnist;

/**
 * The main CLI's {@code --spark} (found through ServiceLoader): the same JSON figures and bytes as
 * the same command without it; options it cannot honour are usage errors.
 */
@Tag("native")
class CliSparkTest {
  @TempDir Path dir;

  /** {stdout, stderr} of {@code qat4j args}, asserting the exit code. */
  static String[] cli(int expectedExit, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
    String[] r = {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    assertEquals(expectedExit, code, "exit code; stderr: " + r[1]);
    return r;
  }

  static JsonObject json(int expectedExit, String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--json");
    a.add("--quiet");
    return JsonParser.parseString(cli(expectedExit, a.toArray(String[]::new))[0]).getAsJsonObject();
  }

  private static String[] spark(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--spark", "local[2]", "--partitions", "3"));
    return a.toArray(String[]::new);
  }

  @Test
  void evalAndVerifyEqualTheSingleNodeCommands() throws Exception {
    Fixtures f = Fixtures.get();
    String model = Files.write(dir.resolve("m.tflite"), f.int8).toString();
    String data = FashionMnist.defaultDir().toString();
    String[] eval = {"eval", "--model", model, "--data", data, "--limit", "300"};
    JsonObject one = json(0, eval), many = json(0, spark(eval));
    for (String k : List.of("accuracy", "count", "backend"))
      assertEquals(one.get(k), many.get(k), k);
    assertEquals(3, many.get("partitions").getAsInt());
    String[] verify = {"verify", "--tflite", model, "--data", data, "--limit", "200"};
    one = json(0, verify);
    many = json(0, spark(verify));
    for (String k :
        List.of(
            "count",
            "bit_exact_fraction_builtin",
            "max_lsb_builtin",
            "bit_exact_fraction_xnnpack",
            "max_lsb_xnnpack")) assertEquals(one.get(k), many.get(k), k);
    assertEquals(1.0, many.get("bit_exact_fraction_builtin").getAsDouble());
  }

  @Test
  void ptqWritesTheSingleNodeBytes() throws Exception {
    Fixtures f = Fixtures.get();
    Path in = Files.write(dir.resolve("cnn.q4j"), f.savedModel);
    Path a = dir.resolve("one.tflite"), b = dir.resolve("many.tflite");
    String data = FashionMnist.defaultDir().toString();
    String[] ptq = {"ptq", "--in", in.toString(), "--data", data, "--calibration", "450"};
    json(0, concat(ptq, "--out", a.toString()));
    JsonObject j = json(0, spark(concat(ptq, "--out", b.toString())));
    assertEquals(450, j.get("calibration_samples").getAsInt());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void optionsSparkCannotHonourAreUsageErrors() throws Exception {
    Fixtures f = Fixtures.get();
    String model = Files.write(dir.resolve("m.tflite"), f.int8).toString();
    String[] r = cli(2, spark("eval", "--model", model, "--isolate"));
    assertTrue(r[1].contains("--isolate: not available with --spark"), r[1]);
    r = cli(2, spark("eval", "--model", model, "--backend", "nnapi"));
    assertTrue(r[1].contains("--backend: only builtin or xnnpack with --spark"), r[1]);
    r = cli(2, spark("verify", "--tflite", model, "--mean", "0.5"));
    assertTrue(r[1].contains("--mean"), r[1]);
    r = cli(2, "eval", "--model", model, "--spark", "local[2]", "--partitions", "-1");
    assertTrue(r[1].contains("--partitions: must be in [0, 100000]"), r[1]);
  }

  static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }
}
