package org.qat4j.quant.transforms;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.quant.*;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;

class TransformTest {
  static Model convBnNet() {
    return new Sequential(1, "in", 6, 6, 2)
        .add(new Conv2D("conv", 4, 3, 3).useBias(false))
        .add(new BatchNormalization("bn"))
        .add(new ReLU6("relu6"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("fc", 3))
        .add(new Softmax("sm"))
        .build();
  }

  private static List<String> types(Model m) {
    return m.nodes().stream().map(n -> n.layer().type()).toList();
  }

  private static void randomizeBn(Model m, String bn, SplittableRandom r) {
    BatchNormalization b = (BatchNormalization) m.layer(bn);
    for (int c = 0; c < b.gamma().value().size(); c++) {
      b.gamma().value().set(c, (float) (0.5 + r.nextDouble()));
      b.beta().value().set(c, (float) (r.nextDouble() - 0.5));
      b.movingMean().value().set(c, (float) (r.nextDouble() - 0.5));
      b.movingVariance().value().set(c, (float) (0.5 + r.nextDouble()));
    }
  }

  @Test
  void convBnReluFoldsIntoOneBlockAndKeepsFloatNumericsWhenDisabled() {
    Model f = convBnNet();
    SplittableRandom r = new SplittableRandom(2);
    randomizeBn(f, "bn", r);
    QatModel q = Quantize.model(f);
    assertEquals(
        List.of(
            "Input",
            "FakeQuant",
            "ConvBatchNorm",
            "MaxPool2D",
            "Flatten",
            "QuantizeDense",
            "QuantizeSoftmax"),
        types(q.model()));
    ConvBatchNorm cbn = (ConvBatchNorm) q.model().layer("conv");
    assertEquals(Activation.RELU6, cbn.activation());
    assertEquals(4, cbn.weightQuantizer().channels());
    assertSame(q.rangeOf("conv"), q.rangeOf("pool"));
    assertSame(q.rangeOf("conv"), q.rangeOf("flat"));
    assertTrue(q.rangeOf("sm").fixed());
    assertFalse(
        ((QuantizeWrapper) q.model().layer("fc")).weightQuantizers().get("kernel").rule().perAxis(),
        "Dense per-tensor");
    Tensor x = GradientCheck.random(r, 3, 6, 6, 2);
    q.setFakeQuantEnabled(false);
    assertArrayEquals(f.predict(x).toArray(), q.model().predict(x).toArray(), 1e-5f);
    // The float model is untouched by QAT training side effects: different param objects.
    assertNotSame(f.params().get("conv/kernel"), q.model().params().get("conv/kernel"));
  }

  @Test
  void calibratedQatModelIsCloseToFloatAndOnGrid() {
    Model f = convBnNet();
    SplittableRandom r = new SplittableRandom(3);
    randomizeBn(f, "bn", r);
    QatModel q = Quantize.model(f);
    List<Tensor> batches =
        List.of(GradientCheck.random(r, 8, 6, 6, 2), GradientCheck.random(r, 8, 6, 6, 2));
    q.calibrate(batches);
    for (FakeQuantizer fq : q.quantizers()) if (fq.enabled()) assertTrue(fq.hasRange(), fq.name());
    Tensor x = batches.get(0);
    float[] want = f.predict(x).toArray();
    float[] got = q.model().predict(x).toArray();
    double maxDiff = 0;
    for (int i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
    assertTrue(maxDiff < 0.08, "fake-quant probabilities differ by " + maxDiff);
    for (float p : got)
      assertEquals(Math.rint(p * 256), p * 256, 1e-3, "softmax output on the 1/256 grid");
    // Conv output values lie on the conv output quantizer's grid.
    var grid = q.rangeOf("conv").grids()[0];
    Tensor a = q.model().activation("conv");
    for (int i = 0; i < a.size(); i++) {
      float k = (a.get(i) - grid.nudgedMin()) / grid.scale();
      assertEquals(Math.rint(k), k, 2e-3);
    }
  }

  @Test
  void convWithStandaloneReluKeepsWeightQuantAndFusesActivation() {
    Model f =
        new Sequential(1, "in", 5, 5, 1)
            .add(new Conv2D("conv", 2, 3, 3))
            .add(new ReLU("relu"))
            .add(new Flatten("flat"))
            .build();
    QatModel q = Quantize.model(f);
    assertEquals(List.of("Input", "FakeQuant", "QuantizeConv2D", "Flatten"), types(q.model()));
    QuantizeWrapper w = (QuantizeWrapper) q.model().layer("conv");
    assertEquals(Activation.RELU, ((Conv2D) w.inner()).activation());
    assertTrue(w.weightQuantizers().get("kernel").rule().perAxis());
    assertNotNull(w.outputQuantizer());
  }

  static Model branchy() {
    GraphBuilder g = new GraphBuilder(4);
    Node in = g.input("in", 6, 6, 2);
    Node a = g.add(new Conv2D("a", 3, 1, 1), in);
    Node b = g.add(new Conv2D("b", 3, 1, 1), in);
    Node s = g.add(new Add("add"), a, b);
    Node rl = g.add(new ReLU("relu"), s);
    Node c = g.add(new Conv2D("c", 2, 1, 1), rl);
    Node p = g.add(new MaxPool2D("pool", 2, 2), c);
    Node d = g.add(new Conv2D("d", 2, 1, 1), g.add(new MaxPool2D("pool2", 2, 2), rl));
    Node cat = g.add(new Concatenate("cat"), p, d);
    return g.build(g.add(new Flatten("flat"), cat));
  }

  @Test
  void addReluFusesAndConcatUnifiesProducerRanges() {
    QatModel q = Quantize.model(branchy());
    QuantizeWrapper add = (QuantizeWrapper) q.model().layer("add");
    assertEquals(Activation.RELU, add.postActivation());
    assertFalse(q.model().nodes().stream().anyMatch(n -> n.name().equals("relu")));
    FakeQuantizer cat = q.rangeOf("cat");
    assertSame(cat, q.rangeOf("c"));
    assertSame(cat, q.rangeOf("pool"));
    assertSame(cat, q.rangeOf("d"));
    assertFalse(((QuantizeWrapper) q.model().layer("c")).outputQuantizer().enabled());
    assertTrue(((QuantizeWrapper) q.model().layer("a")).outputQuantizer().enabled());
    SplittableRandom r = new SplittableRandom(5);
    q.calibrate(List.of(GradientCheck.random(r, 4, 6, 6, 2)));
    q.setFakeQuantEnabled(true);
    assertFalse(
        ((QuantizeWrapper) q.model().layer("c")).outputQuantizer().enabled(),
        "unified producers stay off");
  }

  @Test
  void unsupportedLayersAreAllListedInOneException() {
    GraphBuilder g = new GraphBuilder(1);
    Node in = g.input("in", 4, 4, 2);
    Node odd0 = g.add(new NoRuleForTest("odd_alone"), in);
    Node c = g.add(new Conv2D("conv", 2, 1, 1), odd0);
    Node odd1 = g.add(new NoRuleForTest("odd_shared"), c);
    Node sum = g.add(new Add("sum"), odd1, c);
    Node h = g.add(new HardSwish("hs"), sum);
    Model m = g.build(g.add(new Flatten("flat"), h));
    UnsupportedLayersException e =
        assertThrows(UnsupportedLayersException.class, () -> Quantize.model(m));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("'odd_alone' (NoRuleForTest)"));
    assertTrue(e.getMessage().contains("'odd_shared' (NoRuleForTest)"));
    // Partial annotation of supported layers works on the same model.
    QatModel q = Quantize.apply(Quantize.annotate(m, "conv", "sum"));
    assertTrue(q.model().layer("conv") instanceof QuantizeWrapper);
    assertEquals("NoRuleForTest", q.model().layer("odd_alone").type());
    assertNull(q.rangeOf("odd_alone"));
  }

  /** A BatchNormalization that folds into no convolution gets an output quantizer of its own. */
  @Test
  void standaloneBatchNormalizationIsQuantizedOnItsOutput() {
    GraphBuilder g = new GraphBuilder(1);
    Node in = g.input("in", 4, 4, 2);
    Node bn0 = g.add(new BatchNormalization("bn_alone"), in);
    Node c = g.add(new Conv2D("conv", 2, 1, 1), bn0);
    Node bn1 = g.add(new BatchNormalization("bn_shared"), c);
    Model m = g.build(g.add(new Add("sum"), bn1, c));
    QatModel q = Quantize.model(m);
    for (String n : new String[] {"bn_alone", "bn_shared"}) {
      assertTrue(q.model().layer(n) instanceof QuantizeWrapper, n);
      assertNotNull(q.rangeOf(n), n);
    }
  }

  /** A layer type the quantization registry has no row for (test double of a custom layer). */
  private static final class NoRuleForTest extends Layer {
    NoRuleForTest(String name) {
      super(name);
    }

    @Override
    public String type() {
      return "NoRuleForTest";
    }

    @Override
    public int[] outputShape(int[]... in) {
      return single(in).clone();
    }

    @Override
    public Tensor forward(Tensor[] in, ExecContext ctx) {
      return in[0];
    }

    @Override
    public Tensor[] backward(Tensor g, ExecContext ctx) {
      return new Tensor[] {g};
    }

    @Override
    public NoRuleForTest copy() {
      return new NoRuleForTest(name());
    }
  }

  @Test
  void customConfigAndNBitScheme() {
    Model f = new Sequential(1, "in", 4).add(new Dense("fc", 3)).build();
    QuantizeConfig four =
        new QuantizeConfig() {
          @Override
          public Map<String, Quantizer> weightQuantizers(Layer l) {
            return Map.of("kernel", new LastValueQuantizer(4, true, true, true));
          }

          @Override
          public Quantizer outputQuantizer(Layer l) {
            return null;
          }
        };
    QatModel q = Quantize.apply(Quantize.annotate(f).annotate("fc", four));
    QuantizeWrapper w = (QuantizeWrapper) q.model().layer("fc");
    assertEquals(4, w.weightQuantizers().get("kernel").rule().numBits());
    assertEquals(3, w.weightQuantizers().get("kernel").channels());
    assertNull(w.outputQuantizer());
    assertNull(Default8Bit.INSTANCE.int8Blocker());
    assertNull(new NBit(8, 8, true).int8Blocker());
    assertNotNull(new NBit(4, 8, true).int8Blocker());
    assertThrows(IllegalArgumentException.class, () -> new NBit(1, 8, true));
    QatModel n = Quantize.model(f, new NBit(4, 6, false));
    assertEquals(6, n.rangeOf("fc").rule().numBits());
  }
}
