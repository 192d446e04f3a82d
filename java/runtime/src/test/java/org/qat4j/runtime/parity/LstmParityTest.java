package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.SharedModels;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * The int8 UNIDIRECTIONAL_SEQUENCE_LSTM simulator against TFLite BUILTIN, bit for bit: random
 * one-op graphs ({@link LstmGraphs}: shapes, layouts, CIFG, projection, clips, scales), and
 * Google's converted Keras LSTM (shared/models/real/keras_lstm_mnist_ptq.tflite), every value of
 * the LSTM's own output and of the model's output on several inputs, each on a fresh interpreter
 * (TFLite keeps the LSTM state between invocations).
 */
@Tag("native")
class LstmParityTest {
  private static final String MODEL = "real/keras_lstm_mnist_ptq.tflite";

  @Test
  void randomGraphsMatchBuiltin() {
    SplittableRandom r = new SplittableRandom(44);
    int graphs = Integer.getInteger("qat4j.parity.graphs", 50) * 2;
    for (int i = 0; i < graphs; i++) {
      OpGraphs.Case c = LstmGraphs.create(r);
      Parity.Stats[] s = Parity.compare(c.graph(), 3, r, c.lo(), c.hi());
      String what = "LSTM graph " + i + " " + c.description();
      Parity.assertExact(s[0], what + ": TFLite BUILTIN vs simulator");
      Parity.assertExact(s[2], what + ": TFLite XNNPACK (no delegation) vs simulator");
    }
  }

  @Test
  void convertedKerasLstmEqualsBuiltinOnEveryValue() throws Exception {
    byte[] bytes = Files.readAllBytes(SharedModels.require(MODEL));
    LoweredGraph g = TfliteReader.read(bytes).toLoweredGraph();
    int lstm = 0;
    while (g.ops().get(lstm).kind() != OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM) lstm++;
    LoweredGraph cut = OpCut.cut(g, lstm);
    Simulator sim = new Simulator(g, RoundingMode.DOUBLE);
    Parity.Stats whole = Parity.NONE, op = Parity.NONE;
    List<Object> inputs = new ArrayList<>();
    byte[] rgb = SharedModels.pixels("real/mnist_nine.bmp", 28), nine = new byte[28 * 28];
    for (int i = 0; i < nine.length; i++) nine[i] = rgb[3 * i];
    inputs.add(nine);
    for (int k = 0; k < 4; k++) inputs.add(RealModelParityTest.input(g.tensor(g.inputs()[0]), k));
    for (Object px : inputs) {
      Object[] all = sim.runAll(px);
      int out = g.outputs()[0], seq = g.ops().get(lstm).inputs()[0];
      int y = g.ops().get(lstm).outputs()[0];
      whole = whole.plus(Parity.diff(g.tensor(out).type(), all[out], builtin(bytes, px), 1));
      Object got = builtin(TfliteWriter.write(cut), all[seq]);
      op = op.plus(Parity.diff(g.tensor(y).type(), all[y], got, 1));
    }
    System.out.printf(
        "%s on %d inputs: LSTM output %d/%d exact, model output %d/%d exact%n",
        MODEL, inputs.size(), op.exact(), op.elements(), whole.exact(), whole.elements());
    assertEquals(28 * 20 * inputs.size(), op.elements(), "every LSTM output value compared");
    Parity.assertExact(op, MODEL + ": LSTM op, BUILTIN vs simulator");
    Parity.assertExact(whole, MODEL + ": model output, BUILTIN vs simulator");
  }

  /** Output 0 of a fresh BUILTIN interpreter on one input. */
  private static Object builtin(byte[] model, Object input) {
    try (TfliteModel m = TfliteModel.fromBytes(model);
        Interpreter b = Parity.open(m, Backend.BUILTIN)) {
      return Parity.invoke(b, new Object[] {input}, 0);
    }
  }
}
