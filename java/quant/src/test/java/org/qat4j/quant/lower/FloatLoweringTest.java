package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Dropout;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.sim.Simulator;

class FloatLoweringTest {
  /** Non-trivial BN statistics so folding is actually exercised. */
  private static void randomizeBn(Model m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Node n : m.nodes()) {
      if (n.layer() instanceof BatchNormalization bn) {
        fill(bn.gamma(), r, 0.5f, 1.5f);
        fill(bn.beta(), r, -0.5f, 0.5f);
        fill(bn.movingMean(), r, -0.3f, 0.3f);
        fill(bn.movingVariance(), r, 0.2f, 2f);
      }
    }
  }

  private static void fill(Param p, SplittableRandom r, float lo, float hi) {
    Tensor t = p.value();
    for (int i = 0; i < t.size(); i++) t.set(i, lo + (hi - lo) * (float) r.nextDouble());
  }

  private static float[] randomInput(int n, int[] shape, long seed) {
    int size = n;
    for (int d : shape) size *= d;
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  /** Lowers, simulates in float and compares with Model.predict on a batch. */
  private static LoweredGraph assertMatchesPredict(Model m, int batch) {
    LoweredGraph g = FloatLowering.lower(m);
    int[] in = m.inputShape();
    float[] x = randomInput(batch, in, 42);
    int[] full = new int[in.length + 1];
    full[0] = batch;
    System.arraycopy(in, 0, full, 1, in.length);
    float[] want = m.forward(Tensor.of(x, full), ExecContext.inference()).toArray();
    float[] got = new Simulator(g).runBatchFloat(batch, x);
    assertEquals(want.length, got.length);
    double maxAbs = 0, maxDiff = 0;
    for (int i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(want[i]));
      maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
    }
    assertTrue(maxAbs > 0, "degenerate model output");
    assertTrue(maxDiff <= 1e-5 * maxAbs, "max diff " + maxDiff + " vs max |y| " + maxAbs);
    return g;
  }

  private static List<OpKind> kinds(LoweredGraph g) {
    return g.ops().stream().map(OpSpec::kind).toList();
  }

  @Test
  void mlpWithStandaloneReluFusesIntoFullyConnected() {
    Model m =
        new Sequential(1, "input", 4, 4, 1)
            .add(new Flatten("flat"))
            .add(new Dense("d1", 16))
            .add(new ReLU("r1"))
            .add(new Dropout("drop", 0.5f))
            .add(new Dense("d2", 5))
            .add(new Softmax("sm"))
            .build();
    LoweredGraph g = assertMatchesPredict(m, 3);
    assertEquals(
        List.of(OpKind.RESHAPE, OpKind.FULLY_CONNECTED, OpKind.FULLY_CONNECTED, OpKind.SOFTMAX),
        kinds(g));
    assertEquals(FusedActivation.RELU, g.ops().get(1).options().activation());
    assertArrayEquals(
        new int[] {1, 16}, g.ops().get(0).options(OpOptions.Reshape.class).newShape());
    assertArrayEquals(new int[] {1, 16}, (int[]) g.tensor(g.ops().get(0).inputs()[1]).data());
    // FC weights are [units, in]: element [u][i] equals the Dense kernel [i][u].
    TensorSpec w = g.tensor(g.ops().get(1).inputs()[1]);
    assertArrayEquals(new int[] {16, 16}, w.shape());
    Dense d1 = (Dense) m.layer("d1");
    assertEquals(d1.kernel().value().at(3, 7), ((float[]) w.data())[7 * 16 + 3]);
    assertArrayEquals(new int[] {1, 4, 4, 1}, g.tensor(g.inputs()[0]).shape());
    assertEquals("sm", g.tensor(g.outputs()[0]).name());
  }

  @Test
  void convBnReluFoldsAndUsesOhwiLayout() {
    Model m =
        new Sequential(2, "input", 7, 7, 2)
            .add(new Conv2D("conv", 3, 3, 2).strides(2, 1).padding(Padding.SAME))
            .add(new BatchNormalization("bn"))
            .add(new ReLU6("relu6"))
            .add(new DepthwiseConv2D("dw", 3, 3).depthMultiplier(2).padding(Padding.SAME))
            .add(new BatchNormalization("bn2"))
            .add(new ReLU("relu"))
            .add(new MaxPool2D("mp", 2, 2).padding(Padding.SAME))
            .add(new AveragePool2D("ap", 2, 2).strides(1, 1).padding(Padding.SAME))
            .add(new GlobalAveragePooling2D("gap"))
            .add(new Dense("fc", 4))
            .build();
    randomizeBn(m, 7);
    LoweredGraph g = assertMatchesPredict(m, 4);
    assertEquals(
        List.of(
            OpKind.CONV_2D,
            OpKind.DEPTHWISE_CONV_2D,
            OpKind.MAX_POOL_2D,
            OpKind.AVERAGE_POOL_2D,
            OpKind.MEAN,
            OpKind.FULLY_CONNECTED),
        kinds(g));
    OpSpec conv = g.ops().get(0);
    assertEquals(FusedActivation.RELU6, conv.options().activation());
    assertEquals("SAME", conv.options(OpOptions.Conv.class).padding());
    assertEquals(2, conv.options(OpOptions.Conv.class).strideH());
    assertEquals(1, conv.options(OpOptions.Conv.class).strideW());
    assertArrayEquals(new int[] {3, 3, 2, 2}, g.tensor(conv.inputs()[1]).shape());
    assertEquals("relu6", g.tensor(conv.outputs()[0]).name());
    OpSpec dw = g.ops().get(1);
    assertEquals(2, dw.options(OpOptions.Depthwise.class).depthMultiplier());
    assertArrayEquals(new int[] {1, 3, 3, 6}, g.tensor(dw.inputs()[1]).shape());
    OpSpec mean = g.ops().get(4);
    assertArrayEquals(new int[] {1, 2}, (int[]) g.tensor(mean.inputs()[1]).data());
    assertEquals(false, mean.options(OpOptions.Reducer.class).keepDims());
    assertArrayEquals(new int[] {1, 6}, g.tensor(mean.outputs()[0]).shape());
  }

  @Test
  void convKernelTransposedHwioToOhwi() {
    Model m = new Sequential(3, "input", 5, 5, 2).add(new Conv2D("conv", 3, 2, 2)).build();
    LoweredGraph g = FloatLowering.lower(m);
    float[] w = (float[]) g.tensor(g.ops().get(0).inputs()[1]).data();
    Tensor k = ((Conv2D) m.layer("conv")).kernel().value(); // [kh, kw, in, out]
    for (int o = 0; o < 3; o++)
      for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++)
          for (int i = 0; i < 2; i++) {
            assertEquals(k.at(y, x, i, o), w[((o * 2 + y) * 2 + x) * 2 + i]);
          }
  }

  @Test
  void residualAddConcatAndActivations() {
    GraphBuilder b = new GraphBuilder(5);
    Node x = b.input("input", 6, 6, 3);
    Node c1 = b.add(new Conv2D("c1", 4, 1, 1).activation(Activation.RELU), x);
    Node c2 = b.add(new Conv2D("c2", 4, 3, 3).padding(Padding.SAME), c1);
    Node bn = b.add(new BatchNormalization("bn"), c2);
    Node add = b.add(new Add("add"), c1, bn);
    Node relu = b.add(new ReLU("relu"), add);
    Node pad = b.add(new ZeroPadding2D("pad", 1, 0, 0, 2), relu);
    Node hs = b.add(new HardSwish("hs"), b.add(new Conv2D("c3", 2, 2, 3), pad));
    Node sg = b.add(new Sigmoid("sg"), b.add(new Conv2D("c4", 3, 2, 3), pad));
    Node cat = b.add(new Concatenate("cat"), hs, sg);
    Node r6 = b.add(new ReLU6("r6"), cat);
    Node out = b.add(new Softmax("sm"), b.add(new Dense("fc", 3), b.add(new Flatten("flat"), r6)));
    Model m = b.build(out);
    randomizeBn(m, 9);
    LoweredGraph g = assertMatchesPredict(m, 2);
    List<OpKind> k = kinds(g);
    assertTrue(
        k.contains(OpKind.PAD) && k.contains(OpKind.HARD_SWISH) && k.contains(OpKind.LOGISTIC));
    OpSpec addOp = g.ops().get(k.indexOf(OpKind.ADD));
    assertEquals(FusedActivation.RELU, addOp.options().activation());
    OpSpec catOp = g.ops().get(k.indexOf(OpKind.CONCATENATION));
    assertEquals(3, catOp.options(OpOptions.Concat.class).axis());
    assertEquals(
        FusedActivation.NONE, catOp.options().activation()); // TFLite rejects fused act on concat
    assertTrue(k.contains(OpKind.RELU6), "standalone RELU6 after CONCATENATION");
    assertArrayEquals(
        new int[] {0, 0, 1, 0, 0, 2, 0, 0},
        (int[]) g.tensor(g.ops().get(k.indexOf(OpKind.PAD)).inputs()[1]).data());
  }

  @Test
  void bnAfterActivatedConvStaysStandalone() {
    Model m =
        new Sequential(4, "input", 4, 4, 2)
            .add(new Conv2D("c", 3, 3, 3).activation(Activation.RELU).padding(Padding.SAME))
            .add(new BatchNormalization("bn"))
            .build();
    randomizeBn(m, 3);
    LoweredGraph g = assertMatchesPredict(m, 2);
    assertEquals(List.of(OpKind.CONV_2D, OpKind.MUL, OpKind.ADD), kinds(g));
  }

  @Test
  void sharedProducerIsNotFused() {
    GraphBuilder b = new GraphBuilder(6);
    Node x = b.input("input", 8);
    Node d = b.add(new Dense("d", 8), x);
    Node r = b.add(new ReLU("r"), d);
    Node out = b.add(new Add("add"), d, r);
    Model m = b.build(out);
    LoweredGraph g = assertMatchesPredict(m, 2);
    assertEquals(List.of(OpKind.FULLY_CONNECTED, OpKind.RELU, OpKind.ADD), kinds(g));
    FusionPlan plan = FusionPlan.of(m);
    assertNull(plan.stepOf(m.node("d")).act());
  }

  @Test
  void reshapeAndDropoutAfterInput() {
    Model m =
        new Sequential(8, "input", 16)
            .add(new Dropout("drop", 0.3f))
            .add(new org.qat4j.core.layers.Reshape("rs", 4, 4, 1))
            .add(new Conv2D("c", 2, 3, 3).padding(Padding.SAME).useBias(false))
            .add(new BatchNormalization("bn"))
            .add(new Flatten("flat"))
            .add(new Dense("d", 3).activation(Activation.RELU6))
            .build();
    randomizeBn(m, 8);
    LoweredGraph g = assertMatchesPredict(m, 3);
    assertEquals(
        List.of(OpKind.RESHAPE, OpKind.CONV_2D, OpKind.RESHAPE, OpKind.FULLY_CONNECTED), kinds(g));
    assertEquals(
        g.inputs()[0], g.ops().get(0).inputs()[0]); // dropout removed: RESHAPE reads the input
    assertArrayEquals(
        new int[] {1, 4, 4, 1}, g.ops().get(0).options(OpOptions.Reshape.class).newShape());
    assertEquals(FusedActivation.RELU6, g.ops().get(3).options().activation());
  }

  @Test
  void referenceCnnMatches() {
    Model m = org.qat4j.core.zoo.Zoo.referenceCnn(11);
    randomizeBn(m, 11);
    LoweredGraph g = assertMatchesPredict(m, 2);
    assertEquals(
        List.of(
            OpKind.CONV_2D,
            OpKind.MAX_POOL_2D,
            OpKind.CONV_2D,
            OpKind.MAX_POOL_2D,
            OpKind.RESHAPE,
            OpKind.FULLY_CONNECTED,
            OpKind.FULLY_CONNECTED),
        kinds(g));
  }

  @Test
  void unsupportedLayersAreAllListed() {
    Layer odd1 = new Custom("odd1"), odd2 = new Custom("odd2");
    Model m = new Sequential(1, "input", 3).add(odd1).add(new Dense("d", 2)).add(odd2).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FloatLowering.lower(m));
    assertTrue(e.getMessage().contains("odd1") && e.getMessage().contains("odd2"), e.getMessage());
  }

  /** An identity layer type qat4j cannot lower. */
  private static final class Custom extends Layer {
    Custom(String n) {
      super(n);
    }

    @Override
    public String type() {
      return "Custom";
    }

    @Override
    public int[] outputShape(int[]... in) {
      return in[0].clone();
    }

    @Override
    public Tensor forward(Tensor[] in, ExecContext ctx) {
      return in[0];
    }

    @Override
    public Tensor[] backward(Tensor g, ExecContext ctx) {
      return new Tensor[] {g};
    }
  }
}
