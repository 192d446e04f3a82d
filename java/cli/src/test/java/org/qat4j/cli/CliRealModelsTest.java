package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.ir.DType;
import org.qat4j.runtime.Backend;

/**
 * Every model of ../shared/models/real through the CLI: {@code inspect}, {@code run} on BUILTIN and
 * XNNPACK (two generated samples as .npy), {@code verify --tflite --json} (BUILTIN bit-exact with
 * the integer simulator wherever it runs the model; required for the six it runs today). Prints one
 * table row per model (docs/REAL_MODELS.md). Edge TPU pairs: {@link CliEdgeTpuPairsTest}.
 */
@Tag("native")
class CliRealModelsTest {
  static final List<String> MODELS =
      List.of(
          "deeplabv3_mnv2_dm05_pascal_quant.tflite",
          "deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite",
          "hello_world_float.tflite",
          "hello_world_int8.tflite",
          "keras_lstm_mnist_ptq.tflite",
          "keras_lstm_mnist_ptq_edgetpu.tflite",
          "micro_speech_quantized.tflite",
          "mobilenet_v2_1.0_224_quant.tflite",
          "tf2_mobilenet_v2_1.0_224_ptq.tflite",
          "trained_lstm.tflite");

  /** Models the simulator runs today: verify must succeed and be bit-exact on BUILTIN. */
  static final Set<String> MUST_VERIFY =
      Set.of(
          "deeplabv3_mnv2_dm05_pascal_quant.tflite",
          "hello_world_int8.tflite",
          "micro_speech_quantized.tflite",
          "mobilenet_v2_1.0_224_quant.tflite",
          "tf2_mobilenet_v2_1.0_224_ptq.tflite",
          "keras_lstm_mnist_ptq.tflite");

  /** Float models: verify refuses them (they are references, not integer models). */
  static final Set<String> FLOAT = Set.of("hello_world_float.tflite", "trained_lstm.tflite");

  @TempDir Path tmp;

  static Stream<String> models() {
    return MODELS.stream();
  }

  @Test
  void theListHoldsEveryModelOfTheFolder() throws IOException {
    assumeTrue(Files.isDirectory(RealModels.dir()), RealModels.dir() + " absent (skipping)");
    try (Stream<Path> s = Files.list(RealModels.dir())) {
      Set<String> found =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".tflite"))
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(MODELS), found, "add new shared models to MODELS");
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void inspectRunAndVerify(String file) throws IOException {
    String model = RealModels.require(file);
    CliRun inspect = CliRun.of("inspect", model, "--json");
    assertEquals(0, inspect.code(), inspect.toString());
    int ops = inspect.json().getAsJsonArray("operators").size();
    assertTrue(ops > 0, inspect.toString());
    boolean compiled = file.contains("_edgetpu");
    String run = compiled ? "refused" : runBoth(model);
    CliRun v = CliRun.of("verify", "--tflite", model, "--limit", "2", "--json", "-q");
    String verify = verifyOutcome(file, v, compiled);
    System.out.printf(Locale.ROOT, "| %s | %d | %s | %s |%n", file, ops, run, verify);
  }

  /** Runs two generated samples on BUILTIN and XNNPACK; returns the table cell. */
  private String runBoth(String model) throws IOException {
    List<String> inputs = npyInputs(Path.of(model));
    List<String> cells = new ArrayList<>();
    for (String backend : new String[] {"builtin", "xnnpack"}) {
      List<String> args = new ArrayList<>(List.of("run", "--model", model, "--backend", backend));
      args.add("--input");
      args.addAll(inputs);
      args.addAll(List.of("--json", "-q"));
      CliRun r = CliRun.of(args.toArray(new String[0]));
      assertEquals(0, r.code(), backend + ": " + r);
      JsonObject j = r.json();
      assertEquals(2, j.get("count").getAsInt());
      JsonArray shapes = j.getAsJsonArray("output_shapes");
      for (JsonElement sample : j.getAsJsonArray("outputs")) {
        assertEquals(shapes.size(), sample.getAsJsonArray().size(), "one entry per model output");
        for (int o = 0; o < shapes.size(); o++) {
          long n = 1;
          for (JsonElement d : shapes.get(o).getAsJsonArray()) n *= d.getAsLong();
          assertEquals(n, sample.getAsJsonArray().get(o).getAsJsonArray().size(), "output " + o);
        }
      }
      cells.add(backend + " ok");
    }
    return String.join(", ", cells);
  }

  private String verifyOutcome(String file, CliRun v, boolean compiled) {
    if (compiled) {
      assertEquals(2, v.code(), v.toString());
      assertTrue(v.err().contains("compiled for the Edge TPU"), v.toString());
      return "usage error: Edge TPU-compiled";
    }
    if (FLOAT.contains(file)) {
      assertEquals(2, v.code(), v.toString());
      assertTrue(v.err().contains("is a float model"), v.toString());
      return "usage error: float model";
    }
    if (v.code() == 1 && !MUST_VERIFY.contains(file)) {
      assertTrue(v.err().contains("lacks operator(s)"), v.toString());
      return "exit 1: "
          + v.err().replaceAll("(?s).*(lacks operator\\(s\\) [^;]*);.*", "$1").strip();
    }
    assertEquals(0, v.code(), v.toString());
    JsonObject j = v.json();
    assertEquals(1.0, j.get("bit_exact_fraction_builtin").getAsDouble(), v.toString());
    return String.format(
        Locale.ROOT,
        "builtin %.4f exact (max %d LSB), xnnpack %.4f (max %d LSB)",
        j.get("bit_exact_fraction_builtin").getAsDouble(),
        j.get("max_lsb_builtin").getAsInt(),
        j.get("bit_exact_fraction_xnnpack").getAsDouble(),
        j.get("max_lsb_xnnpack").getAsInt());
  }

  /** One .npy per input holding the first two generated samples, in the input's stored type. */
  private List<String> npyInputs(Path model) throws IOException {
    List<String> files = new ArrayList<>();
    try (ModelRunner m = ModelRunner.open(model, Backend.BUILTIN, 1, CustomOpSpecs.NONE)) {
      InputSamples.Set set =
          InputSamples.generated(m.inputs(), Pipeline.readTflite(model, "model"), 2);
      for (int i = 0; i < m.inputs().size(); i++) {
        TensorIo.Port p = m.inputs().get(i);
        int n = p.elements();
        Object a = set.samples().get(0)[i], b = set.samples().get(1)[i];
        byte[] npy;
        if (a instanceof float[] f) {
          float[] v = new float[2 * n];
          System.arraycopy(f, 0, v, 0, n);
          System.arraycopy((float[]) b, 0, v, n, n);
          npy = UserDataFiles.npyF4(v, 2, n);
        } else {
          byte[] v = new byte[2 * n];
          System.arraycopy((byte[]) a, 0, v, 0, n);
          System.arraycopy((byte[]) b, 0, v, n, n);
          npy =
              p.type() == DType.UINT8 ? UserDataFiles.npyU1(v, 2, n) : UserDataFiles.npyI1(v, 2, n);
        }
        files.add(Files.write(tmp.resolve("in" + i + ".npy"), npy).toString());
      }
    }
    return files;
  }
}
