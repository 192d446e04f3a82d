package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.LSTM;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * The quantization-aware LSTM and GRU: with fake-quant off they are the core layers (forward,
 * backward, finite differences); with it on, a role that clips stops the gradient through it
 * (straight-through estimator), and the fake-quant forward tracks the int8 simulator of the lowered
 * graph within a few output LSBs.
 */
class QuantizedRecurrentTest {
  private static final int[] IN = {5, 3};

  static Stream<Supplier<Layer>> cells() {
    return Stream.of(
        () -> new LSTM("l", 4),
        () -> new LSTM("l", 3).hardSigmoid(true).returnSequences(true),
        () -> new GRU("l", 4),
        () -> new GRU("l", 3).resetAfter(false).hardSigmoid(true).returnSequences(true));
  }

  /** The core layer built with seed 7 and its QAT twin holding the same weights. */
  private static QuantizedRecurrent twin(Layer core) {
    core.build(new int[][] {IN}, new SplittableRandom(7));
    randomBias(core);
    QuantizedRecurrent q =
        new QuantizedRecurrent(
            core.copy(), LastValueQuantizer.int8Weights(false), MovingAverageQuantizer.int8());
    q.build(new int[][] {IN}, new SplittableRandom(1));
    for (int i = 0; i < 3; i++) q.params().get(i).value().copyFrom(core.params().get(i).value());
    return q;
  }

  private static void randomBias(Layer l) {
    Param b = l.params().get(2);
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < b.value().size(); i++) b.value().set(i, (float) (r.nextDouble() - 0.5));
  }

  private static List<FakeQuantizer> all(QuantizedRecurrent q) {
    List<FakeQuantizer> l = new ArrayList<>(q.weightQuantizers());
    l.addAll(q.roleQuantizers().values());
    return l;
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertEquals(want.size(), got.size(), what);
    for (int i = 0; i < want.size(); i++)
      assertEquals(
          want.get(i), got.get(i), 1e-5 * Math.max(1, Math.abs(want.get(i))), what + "[" + i + "]");
  }

  @ParameterizedTest
  @MethodSource("cells")
  void fakeQuantOffIsTheCoreLayerForwardAndBackward(Supplier<Layer> cell) {
    Layer core = cell.get();
    QuantizedRecurrent q = twin(core);
    for (FakeQuantizer f : all(q)) f.setEnabled(false);
    Tensor x = GradientCheck.random(new SplittableRandom(2), 2, IN[0], IN[1]);
    ExecContext ctx = ExecContext.training(1);
    Tensor y = core.forward(new Tensor[] {x}, ctx).copy();
    assertClose(y, q.forward(new Tensor[] {x}, ctx), "output");
    Tensor g = GradientCheck.random(new SplittableRandom(4), y.shape());
    Tensor dx = core.backward(g, ctx)[0].copy();
    assertClose(dx, q.backward(g, ctx)[0], "input gradient");
    for (int i = 0; i < 3; i++)
      assertClose(
          core.params().get(i).grad(), q.params().get(i).grad(), core.params().get(i).name());
    GradientCheck.Result r = GradientCheck.check(q, new Tensor[] {x}, 1e-2, 40, 5);
    assertTrue(r.maxRelError() < 2e-2, "gradient check: " + r);
  }

  @Test
  void aClippingRoleStopsTheGradientThroughIt() {
    QuantizedRecurrent q = twin(new GRU("l", 4));
    Tensor x = GradientCheck.random(new SplittableRandom(2), 2, IN[0], IN[1]);
    ExecContext ctx = ExecContext.training(1);
    q.forward(new Tensor[] {x}, ctx); // observes every range once
    Tensor g = GradientCheck.random(new SplittableRandom(4), 2, 4);
    q.forward(new Tensor[] {x}, ExecContext.inference());
    q.backward(g, ctx);
    assertNotEquals(0.0, sumAbs(q.params().get(0).grad()), "kernel gradient with wide ranges");
    // every input part clips: nothing flows back to x, the kernel or the input bias row
    q.role("input_part").setRange(new float[] {-1e-3f}, new float[] {1e-3f});
    q.forward(new Tensor[] {x}, ExecContext.inference());
    Tensor dx = q.backward(g, ctx)[0];
    assertEquals(0.0, sumAbs(dx), "input gradient");
    assertEquals(0.0, sumAbs(q.params().get(0).grad()), "kernel gradient");
    Tensor bias = q.params().get(2).grad();
    for (int i = 0; i < 12; i++) assertEquals(0f, bias.get(i), "input bias " + i);
    assertNotEquals(0.0, sumAbs(q.params().get(1).grad()), "recurrent kernel still learns");
  }

  private static double sumAbs(Tensor t) {
    double s = 0;
    for (int i = 0; i < t.size(); i++) s += Math.abs(t.get(i));
    return s;
  }

  private static Model model(Layer cell) {
    GraphBuilder b = new GraphBuilder(5);
    return b.build(b.add(new Dense("d", 3), b.add(cell, b.input("x", 8, 4))));
  }

  private static List<Tensor> batches(int count) {
    SplittableRandom r = new SplittableRandom(9);
    List<Tensor> l = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Tensor t = Tensor.zeros(16, 8, 4);
      for (int j = 0; j < t.size(); j++)
        t.set(j, (float) (1.5 * Math.sin(j * 0.37 + i) + 0.3 * r.nextGaussian()));
      l.add(t);
    }
    return l;
  }

  @ParameterizedTest
  @MethodSource("cells")
  void fakeQuantForwardTracksTheInt8Simulator(Supplier<Layer> cell) {
    Layer l = cell.get();
    Model m =
        model(l instanceof LSTM s ? s.returnSequences(false) : ((GRU) l).returnSequences(false));
    QatModel q = Quantize.model(m);
    List<Tensor> data = batches(3);
    q.calibrate(data);
    for (Tensor b : data) q.model().forward(b, ExecContext.training(2));
    q.freezeObservers();
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    Tensor x = data.get(0);
    float[] want = q.model().predict(x).toArray();
    float[] got = new Simulator(g).runBatchFloat(16, x.toArray());
    // the output's grid: the input of the final DEQUANTIZE
    float scale = g.tensor(g.ops().get(g.ops().size() - 1).inputs()[0]).quant().scale();
    double max = 0;
    for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i] - got[i]));
    System.out.printf(
        "%s: fake-quant vs int8 simulator max %.2f LSB (%d ops)%n",
        l.type(), max / scale, g.ops().size());
    assertTrue(max / scale <= 4, "max |fake-quant − int8| = " + max / scale + " LSB");
  }

  @Test
  void savedQatModelPredictsTheSame(@TempDir Path dir) throws Exception {
    QatModel q = Quantize.model(model(new LSTM("l", 4).hardSigmoid(true)));
    q.calibrate(batches(2));
    Path f = dir.resolve("lstm.qat.zip");
    q.save(f);
    QatModel back = QatModel.load(f);
    Tensor x = batches(1).get(0);
    assertClose(q.model().predict(x), back.model().predict(x), "reloaded prediction");
  }
}
