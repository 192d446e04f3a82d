package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.SharedModels;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Real models from Google's tools (not ours), read by TfliteReader and run by the integer simulator
 * (DOUBLE): the uint8 per-tensor MobileNets of the TF1 converter and the int8 models of the TF2
 * converter and TFLite Micro, on real photos (image inputs) or fixed-seed random inputs (others).
 * Every output value equals TFLite BUILTIN. Per layer, each operator is also cut out as a one-op
 * model and fed the simulator's own input, so a difference is pinned to the first operator whose
 * arithmetic differs (printed with the op's index, kind and counts). Skips when ../shared/models is
 * absent.
 */
@Tag("native")
class RealModelParityTest {
  static final String[] IMAGES = {"cat.bmp", "real/grace_hopper.bmp", "real/bird.bmp"};

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mobilenet_v1_0.25_128_quant.tflite",
        "real/mobilenet_v2_1.0_224_quant.tflite",
        "real/tf2_mobilenet_v2_1.0_224_ptq.tflite",
        "real/micro_speech_quantized.tflite",
        "real/hello_world_int8.tflite"
      })
  void simulatorEqualsBuiltin(String model) throws Exception {
    byte[] bytes = Files.readAllBytes(SharedModels.require(model));
    LoweredGraph g = TfliteReader.read(bytes).toLoweredGraph();
    Simulator sim = new Simulator(g, RoundingMode.DOUBLE);
    Parity.Stats whole = Parity.NONE;
    Map<String, Parity.Stats> perOp = new LinkedHashMap<>();
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter b = Parity.open(m, Backend.BUILTIN)) {
      List<Object[]> runs = new ArrayList<>();
      double lsb = Parity.outputLsb(g);
      for (int k = 0; k < IMAGES.length; k++) {
        Object px = input(g.tensor(g.inputs()[0]), k);
        Object[] all = sim.runAll(px);
        runs.add(all);
        int out = g.outputs()[0];
        whole =
            whole.plus(
                Parity.diff(
                    g.tensor(out).type(), all[out], Parity.invoke(b, new Object[] {px}, 0), lsb));
      }
      for (int o = 0; o < g.ops().size(); o++)
        perOp.put(o + " " + g.ops().get(o).kind(), perLayer(g, o, runs));
    }
    String firstDiff =
        perOp.entrySet().stream()
            .filter(e -> e.getValue().exact() != e.getValue().elements())
            .map(e -> e.getKey() + " " + e.getValue())
            .findFirst()
            .orElse("none");
    System.out.printf(
        "%s on %d inputs: output exact %d/%d (%.3f%%), max %d LSB; first differing op: %s%n",
        model,
        IMAGES.length,
        whole.exact(),
        whole.elements(),
        100.0 * whole.exact() / whole.elements(),
        whole.maxLsb(),
        firstDiff);
    assertEquals("none", firstDiff, model + ": per-layer BUILTIN vs simulator");
    Parity.assertExact(whole, model + ": TFLite BUILTIN vs simulator DOUBLE");
  }

  /**
   * Sample {@code k} for an input: IMAGES[k] for an NHWC RGB input (uint8 as is, int8 shifted by
   * −128, float32 scaled to [−1, 1] as the MobileNets expect); otherwise fixed-seed random bytes
   * (int8/uint8) or floats in [−1, 1).
   */
  static Object input(TensorSpec t, int k) throws java.io.IOException {
    int[] s = t.shape();
    if (s.length == 4 && s[3] == 3 && s[1] == s[2]) {
      byte[] px = SharedModels.pixels(IMAGES[k], s[1]);
      if (t.type() == DType.UINT8) return px;
      if (t.type() == DType.INT8) {
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((px[i] & 0xFF) - 128);
        return px;
      }
      float[] f = new float[px.length];
      for (int i = 0; i < f.length; i++) f[i] = (px[i] & 0xFF) / 127.5f - 1f;
      return f;
    }
    java.util.SplittableRandom r = new java.util.SplittableRandom(31 + k);
    if (t.type() == DType.FLOAT32) {
      float[] f = new float[t.elements()];
      for (int i = 0; i < f.length; i++) f[i] = (float) (2 * r.nextDouble() - 1);
      return f;
    }
    byte[] b = new byte[t.elements()];
    r.nextBytes(b);
    return b;
  }

  /**
   * Op {@code o} alone, fed each run's simulated inputs, on BUILTIN vs the simulator's outputs of
   * that op.
   */
  private static Parity.Stats perLayer(LoweredGraph g, int o, List<Object[]> runs) {
    LoweredGraph one = OpCut.cut(g, o);
    OpSpec op = g.ops().get(o);
    Parity.Stats s = Parity.NONE;
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(one));
        Interpreter b = Parity.open(m, Backend.BUILTIN)) {
      for (Object[] all : runs) {
        List<Object> feeds = new ArrayList<>();
        for (int t : op.inputs()) if (t >= 0 && !g.tensor(t).isConstant()) feeds.add(all[t]);
        int y = op.outputs()[0];
        s =
            s.plus(
                Parity.diff(g.tensor(y).type(), all[y], Parity.invoke(b, feeds.toArray(), 0), 1));
      }
    }
    return s;
  }
}
