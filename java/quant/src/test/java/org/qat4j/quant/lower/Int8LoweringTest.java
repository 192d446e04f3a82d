package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.NBit;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.quantizers.FakeQuant;

class Int8LoweringTest {
  static Model convBnNet() {
    return new Sequential(1, "in", 6, 6, 2)
        .add(new Conv2D("conv", 4, 3, 3).useBias(false).padding(Padding.SAME))
        .add(new BatchNormalization("bn"))
        .add(new ReLU6("relu6"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("fc", 5))
        .add(new Softmax("sm"))
        .build();
  }

  static Model mobileish() {
    GraphBuilder g = new GraphBuilder(3);
    Node in = g.input("in", 8, 8, 3);
    Node c = g.add(new Conv2D("stem", 4, 3, 3).padding(Padding.SAME).useBias(false), in);
    c = g.add(new ReLU6("stem_relu"), g.add(new BatchNormalization("stem_bn"), c));
    Node d =
        g.add(
            new DepthwiseConv2D("dw", 3, 3).depthMultiplier(2).padding(Padding.SAME).useBias(false),
            c);
    d = g.add(new ReLU6("dw_relu"), g.add(new BatchNormalization("dw_bn"), d));
    Node p =
        g.add(new BatchNormalization("pw_bn"), g.add(new Conv2D("pw", 4, 1, 1).useBias(false), d));
    Node sum = g.add(new Add("res"), p, c);
    Node side = g.add(new Conv2D("side", 3, 1, 1).activation(Activation.RELU), sum);
    Node cat = g.add(new Concatenate("cat"), sum, side);
    Node gap = g.add(new GlobalAveragePooling2D("gap"), cat);
    return g.build(g.add(new Softmax("sm"), g.add(new Dense("fc", 4), gap)));
  }

  private static List<Tensor> batches(SplittableRandom r, int n, int... shape) {
    List<Tensor> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(GradientCheck.random(r, shape));
    return l;
  }

  private static void randomizeBn(Model m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Node n : m.nodes()) {
      if (!(n.layer() instanceof BatchNormalization b)) continue;
      for (int c = 0; c < b.gamma().value().size(); c++) {
        b.gamma().value().set(c, (float) (0.5 + r.nextDouble()));
        b.beta().value().set(c, (float) (r.nextDouble() - 0.5));
        b.movingMean().value().set(c, (float) (r.nextDouble() * 0.4 - 0.2));
        b.movingVariance().value().set(c, (float) (0.5 + r.nextDouble()));
      }
    }
  }

  private static OpSpec op(LoweredGraph g, OpKind k) {
    return g.ops().stream()
        .filter(o -> o.kind() == k)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + k));
  }

  @Test
  void convBnStructureWeightsAndBias() {
    Model f = convBnNet();
    randomizeBn(f, 1);
    SplittableRandom r = new SplittableRandom(1);
    QatModel q = Quantize.model(f);
    q.calibrate(batches(r, 2, 8, 6, 6, 2));
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    assertEquals(
        List.of(
            OpKind.QUANTIZE,
            OpKind.CONV_2D,
            OpKind.MAX_POOL_2D,
            OpKind.RESHAPE,
            OpKind.FULLY_CONNECTED,
            OpKind.SOFTMAX,
            OpKind.DEQUANTIZE),
        g.ops().stream().map(OpSpec::kind).toList());
    OpSpec conv = op(g, OpKind.CONV_2D);
    assertEquals(FusedActivation.RELU6, conv.options().activation());
    TensorSpec w = g.tensor(conv.inputs()[1]),
        bias = g.tensor(conv.inputs()[2]),
        x = g.tensor(conv.inputs()[0]);
    assertEquals(DType.INT8, w.type());
    assertArrayEquals(new int[] {4, 3, 3, 2}, w.shape());
    assertEquals(0, w.quant().quantizedDimension());
    assertEquals(4, w.quant().scales().length);
    ConvBatchNorm cbn = (ConvBatchNorm) q.model().layer("conv");
    float[] fold = cbn.foldedKernel().toArray();
    var grids = cbn.weightQuantizer().grids();
    byte[] wq = (byte[]) w.data();
    for (int o = 0; o < 4; o++) {
      float maxAbs = 0;
      for (int i = o; i < fold.length; i += 4) maxAbs = Math.max(maxAbs, Math.abs(fold[i]));
      assertEquals(maxAbs / 127f, w.quant().scales()[o], maxAbs * 1e-6f, "scale = max|w_fold|/127");
      assertEquals(0L, w.quant().zeroPoints()[o]);
    }
    // OHWI element (o, y, xx, i) = HWIO element (y, xx, i, o), and q·scale = fake-quantized folded
    // weight.
    for (int o = 0; o < 4; o++)
      for (int y = 0; y < 3; y++)
        for (int xx = 0; xx < 3; xx++)
          for (int i = 0; i < 2; i++) {
            float fq = FakeQuant.quantizeInv(fold[((y * 3 + xx) * 2 + i) * 4 + o], grids[o]);
            assertEquals(
                fq,
                wq[((o * 3 + y) * 3 + xx) * 2 + i] * grids[o].scale(),
                Math.abs(fq) * 1e-6f + 1e-9f);
          }
    float[] fb = cbn.foldedBias();
    int[] qb = (int[]) bias.data();
    for (int o = 0; o < 4; o++) {
      float bs = x.quant().scale() * w.quant().scales()[o];
      assertEquals(bs, bias.quant().scales()[o], 0f);
      assertEquals(FakeQuant.cRound((float) (fb[o] / (double) bs)), qb[o], 0f);
    }
    OpSpec pool = op(g, OpKind.MAX_POOL_2D);
    assertEquals(g.tensor(pool.inputs()[0]).quant(), g.tensor(pool.outputs()[0]).quant());
    TensorSpec fcw = g.tensor(op(g, OpKind.FULLY_CONNECTED).inputs()[1]);
    assertArrayEquals(new int[] {5, 36}, fcw.shape());
    assertFalse(fcw.quant().perAxis());
    assertEquals(
        QuantParams.perTensor(1f / 256f, -128),
        g.tensor(op(g, OpKind.SOFTMAX).outputs()[0]).quant());
  }

  /** Fake-quant model vs the integer simulator on the lowered graph. */
  private static LoweredGraph assertAgrees(
      Model f, long seed, int[] inShape, double maxLsb, org.qat4j.quant.Scheme scheme) {
    randomizeBn(f, seed);
    SplittableRandom r = new SplittableRandom(seed);
    int[] batchShape = new int[inShape.length + 1];
    batchShape[0] = 16;
    System.arraycopy(inShape, 0, batchShape, 1, inShape.length);
    QatModel q = Quantize.model(f, scheme);
    List<Tensor> data = batches(r, 3, batchShape);
    q.calibrate(data);
    // A few training-mode passes so moving averages and BN statistics move, then freeze.
    for (Tensor b : data) q.model().forward(b, ExecContext.training(seed));
    q.freezeBatchNorm();
    q.freezeObservers();
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    Tensor x = data.get(0);
    float[] want = q.model().predict(x).toArray();
    float[] got = new Simulator(g).runBatchFloat(16, x.toArray());
    int classes = want.length / 16, agree = 0;
    double maxDiff = 0;
    for (int s = 0; s < 16; s++) {
      int a = 0, b = 0;
      for (int k = 0; k < classes; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(want[s * classes + k] - got[s * classes + k]));
        if (want[s * classes + k] > want[s * classes + a]) a = k;
        if (got[s * classes + k] > got[s * classes + b]) b = k;
      }
      if (a == b) agree++;
    }
    System.out.printf(
        "fake-quant vs int8 simulator: max %.2f LSB, top-1 %d/16%n", maxDiff * 256, agree);
    assertTrue(
        maxDiff <= maxLsb / 256 + 1e-6, "max |fake-quant − int8| = " + maxDiff * 256 + " LSB");
    assertTrue(agree >= 14, "top-1 agreement " + agree + "/16");
    return g;
  }

  @Test
  void fakeQuantMatchesIntegerSimulatorConvBn() {
    assertAgrees(convBnNet(), 2, new int[] {6, 6, 2}, 3, org.qat4j.quant.Default8Bit.INSTANCE);
  }

  @Test
  void fakeQuantMatchesIntegerSimulatorMobileNetStyle() {
    assertAgrees(mobileish(), 3, new int[] {8, 8, 3}, 4, org.qat4j.quant.Default8Bit.INSTANCE);
  }

  @Test
  void perTensorConvWeightsAreExportable() {
    LoweredGraph g = assertAgrees(mobileish(), 7, new int[] {8, 8, 3}, 4, new NBit(8, 8, false));
    for (OpKind k : List.of(OpKind.CONV_2D, OpKind.DEPTHWISE_CONV_2D)) {
      QuantParams w = g.tensor(op(g, k).inputs()[1]).quant();
      assertFalse(w.perAxis(), k + " weights per-tensor");
      assertEquals(0L, w.zeroPoint());
    }
  }

  @Test
  void depthwisePerAxisOnDim3AndConcatSharesParams() {
    Model f = mobileish();
    randomizeBn(f, 4);
    QatModel q = Quantize.model(f);
    q.calibrate(batches(new SplittableRandom(4), 2, 4, 8, 8, 3));
    LoweredGraph g = Int8Lowering.lower(q, DType.INT8);
    TensorSpec dw = g.tensor(op(g, OpKind.DEPTHWISE_CONV_2D).inputs()[1]);
    assertArrayEquals(new int[] {1, 3, 3, 8}, dw.shape());
    assertEquals(3, dw.quant().quantizedDimension());
    assertEquals(8, dw.quant().scales().length);
    OpSpec cat = op(g, OpKind.CONCATENATION);
    for (int i : cat.inputs())
      assertEquals(
          g.tensor(cat.outputs()[0]).quant(),
          g.tensor(i).quant(),
          "concat input " + g.tensor(i).name());
    assertEquals(DType.INT8, g.tensor(g.inputs()[0]).type());
    assertEquals(DType.INT8, g.tensor(g.outputs()[0]).type());
    assertEquals(OpKind.CONV_2D, g.ops().get(0).kind(), "int8 I/O: no QUANTIZE at the input");
  }

  @Test
  void uint8IoShiftsZeroPointsBy128() {
    Model f = convBnNet();
    QatModel q = Quantize.model(f);
    q.calibrate(batches(new SplittableRandom(5), 1, 4, 6, 6, 2));
    LoweredGraph g = Int8Lowering.lower(q, DType.UINT8);
    TensorSpec in = g.tensor(g.inputs()[0]), out = g.tensor(g.outputs()[0]);
    assertEquals(DType.UINT8, in.type());
    assertEquals(DType.UINT8, out.type());
    OpSpec first = g.ops().get(0), last = g.ops().get(g.ops().size() - 1);
    assertEquals(OpKind.QUANTIZE, first.kind());
    assertEquals(OpKind.QUANTIZE, last.kind());
    assertEquals(in.quant().zeroPoint() - 128, g.tensor(first.outputs()[0]).quant().zeroPoint());
    assertEquals(in.quant().scale(), g.tensor(first.outputs()[0]).quant().scale());
    assertEquals(0, out.quant().zeroPoint());
  }

  @Test
  void refusesNonDeployableSchemesFloatIslandsAndMissingRanges() {
    Model f = convBnNet();
    QatModel four = Quantize.model(f, new NBit(4, 8, true));
    four.calibrate(batches(new SplittableRandom(6), 1, 2, 6, 6, 2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Int8Lowering.lower(four, DType.FLOAT32));
    assertTrue(e.getMessage().contains("not deployable"), e.getMessage());
    QatModel raw = Quantize.model(f);
    e = assertThrows(IllegalArgumentException.class, () -> Int8Lowering.lower(raw, DType.FLOAT32));
    assertTrue(e.getMessage().contains("calibrate"), e.getMessage());
    QatModel partial = Quantize.apply(Quantize.annotate(f, "conv", "bn", "relu6", "fc"));
    partial.calibrate(batches(new SplittableRandom(6), 1, 2, 6, 6, 2));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Int8Lowering.lower(partial, DType.FLOAT32));
    assertTrue(
        e.getMessage().contains("'in' is not quantized")
            && e.getMessage().contains("'sm' (Softmax): float layer"),
        e.getMessage());
  }
}
