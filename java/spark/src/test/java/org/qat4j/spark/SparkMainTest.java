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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.ir.DType;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.runtime.Backend;
import org.qat4j.tflite.TfliteWriter;
import picocli.CommandLine;

/**
 * The qat4j-spark launcher: results equal the single-node computation; bad input is exit 2 with a
 * message.
 */
@Tag("native")
class SparkMainTest {
  @TempDir Path dir;

  private static String[] run(int expectedExit, String... args) {
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = SparkMain.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String[] r = {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    assertEquals(expectedExit, code, "exit code; stderr: " + r[1]);
    return r;
  }

  @Test
  void evalJsonEqualsSingleNode() throws Exception {
    Fixtures f = Fixtures.get();
    Path model = Files.write(dir.resolve("m.tflite"), f.int8);
    String[] r =
        run(
            0,
            "eval",
            "--spark",
            "local[2]",
            "--model",
            model.toString(),
            "--data",
            FashionMnist.defaultDir().toString(),
            "--limit",
            "300",
            "--partitions",
            "3",
            "--json");
    JsonObject j = JsonParser.parseString(r[0]).getAsJsonObject();
    Dataset d = f.test.load();
    EvalStats single = DistributedEval.local(f.int8, d, 0, 300, Backend.BUILTIN);
    assertEquals(single.count(), j.get("count").getAsLong());
    assertEquals(single.correct(), j.get("correct").getAsLong());
    assertEquals(single.accuracy(), j.get("accuracy").getAsDouble());
  }

  @Test
  void ptqWritesTheSingleNodeBytes() throws Exception {
    Fixtures f = Fixtures.get();
    Path in = Files.write(dir.resolve("m.q4j"), f.savedModel);
    Path out = dir.resolve("m_int8.tflite");
    run(
        0,
        "ptq",
        "--spark",
        "--in",
        in.toString(),
        "--data",
        FashionMnist.defaultDir().toString(),
        "--limit",
        "256",
        "--batch",
        "64",
        "--out",
        out.toString());
    Dataset d = f.train.load();
    byte[] single =
        TfliteWriter.write(
            Int8Lowering.lower(
                Ptq.quantize(f.model, DistributedPtq.batches(d, 0, 256, 64)), DType.INT8));
    assertArrayEquals(single, Files.readAllBytes(out));
  }

  @Test
  void sparkWithoutValueMeansLocalStar() {
    SparkMain.Eval e = new SparkMain.Eval();
    new CommandLine(e).parseArgs("--spark", "--model", "m.tflite", "--data", "d");
    assertEquals("local[*]", e.spark.master);
    SparkMain.Eval none = new SparkMain.Eval();
    new CommandLine(none).parseArgs("--model", "m.tflite", "--data", "d");
    assertEquals(null, none.spark.master, "no --spark: spark-submit's master or local[*]");
  }

  @Test
  void badInputIsExitTwoWithTheOption() throws Exception {
    String data = FashionMnist.defaultDir().toString();
    assertTrue(
        run(2, "eval", "--model", dir.resolve("none.tflite").toString(), "--data", data)[1]
            .contains("--model"));
    Path m = Files.write(dir.resolve("m.q4j"), new byte[] {1});
    assertTrue(
        run(
            2,
            "ptq",
            "--in",
            m.toString(),
            "--data",
            data,
            "--estimator",
            "median",
            "--out",
            dir.resolve("o.tflite").toString())[1]
            .contains("--estimator"));
    assertTrue(
        run(2, "verify", "--tflite", m.toString(), "--data", dir.resolve("nowhere").toString())[1]
            .contains("--data"));
    assertTrue(
        run(2, "eval", "--model", m.toString(), "--data", data, "--backend", "tpu")[1].contains(
            "--backend"));
  }
}
