package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * {@code edgetpu check} of the shared uncompiled models against what the real edgetpu_compiler made
 * of them, operator by operator: an operator the compiler left on the CPU reappears in the compiled
 * twin as itself (same builtin, same output tensor name); every other one went into an
 * edgetpu-custom-op. The pre-flight must agree on every operator; the list of differing operators
 * per pair is empty and must stay so.
 */
@Tag("native")
class CliEdgeTpuPairsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        // the compiler maps all 6 operators, the LSTM's int16 cell state becoming a segment input
        "keras_lstm_mnist_ptq",
        // the compiler leaves the 1×1 → 33×33 RESIZE_BILINEAR (op 64) and everything after it on
        // the CPU
        "deeplabv3_mnv2_dm05_pascal_quant"
      })
  void preflightAgainstTheCompilerOpByOp(String pair) throws IOException {
    String original = RealModels.require(pair + ".tflite");
    String compiled = RealModels.require(pair + "_edgetpu.tflite");
    Set<String> cpu = cpuOps(Pipeline.readTflite(Path.of(compiled), "compiled"));
    CliRun r = CliRun.of("edgetpu", "check", original, "--json");
    assertEquals(0, r.code(), r.toString());
    SubgraphInfo sg = Pipeline.readTflite(Path.of(original), "original").subgraph(0);
    List<Integer> differ = new ArrayList<>();
    TreeMap<Integer, String> detail = new TreeMap<>();
    int agree = 0;
    for (JsonElement e : r.json().getAsJsonArray("operators")) {
      JsonObject o = e.getAsJsonObject();
      int i = o.get("index").getAsInt();
      boolean compilerMapped = !cpu.contains(key(sg, sg.operators().get(i)));
      if (compilerMapped == o.get("mapped").getAsBoolean()) agree++;
      else {
        differ.add(i);
        detail.put(
            i, o.get("op").getAsString() + (compilerMapped ? " compiler: TPU" : " compiler: CPU"));
      }
    }
    System.out.printf(
        "%s: %d/%d operators classified as the compiler did; differing: %s%n",
        pair, agree, sg.operators().size(), detail);
    assertEquals(
        List.of(),
        differ,
        pair + ": operators where edgetpu check and the compiler differ " + detail);
  }

  /** "OP→first output name" of every builtin operator the compiler left outside its custom ops. */
  private static Set<String> cpuOps(TfliteModelInfo compiled) {
    Set<String> s = new HashSet<>();
    SubgraphInfo sg = compiled.subgraph(0);
    for (OperatorInfo op : sg.operators()) if (!op.custom()) s.add(key(sg, op));
    return s;
  }

  private static String key(SubgraphInfo sg, OperatorInfo op) {
    return op.opName() + "->" + sg.tensor(op.outputs()[0]).name();
  }
}
