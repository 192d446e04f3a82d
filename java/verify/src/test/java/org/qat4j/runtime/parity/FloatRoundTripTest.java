package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.raise.TfliteImporter;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * Float round trip: core Model → FloatLowering → TfliteWriter → TFLite (BUILTIN and XNNPACK) equals
 * Model.predict (max |Δ| ≤ 1e-5 × max |output| per sample) → TfliteImporter → the same lowered
 * graph (ops, options, shapes, bit-identical weights) and the same predictions.
 */
@Tag("native")
class FloatRoundTripTest {
  private static final int N = 16;

  static Model model(String which) {
    Model m =
        switch (which) {
          case "reference" -> Zoo.referenceCnn(1);
          case "mobilenet" -> MobileNetMini.create(3);
          case "standalone-bn" ->
              new org.qat4j.core.Sequential(4, "input", 28, 28, 1)
                  .add(new Conv2D("c", 4, 3, 3).strides(2, 2).activation(Activation.RELU))
                  .add(new BatchNormalization("bn"))
                  .add(new GlobalAveragePooling2D("gap"))
                  .add(new Dense("fc", 10))
                  .build();
          default -> everyLayer();
        };
    randomizeBatchNorm(m, 5);
    return m;
  }

  /**
   * Pad, strided/dilated convs, depthwise multiplier 2, hard-swish, sigmoid, concat, relu6, avg
   * pool SAME, dropout, softmax.
   */
  static Model everyLayer() {
    GraphBuilder b = new GraphBuilder(9);
    Node x = b.input("input", 28, 28, 1);
    Node p = b.add(new ZeroPadding2D("zp", 1, 2, 0, 1), x);
    Node c = b.add(new Conv2D("c", 6, 3, 3).strides(2, 2), p);
    Node bn = b.add(new BatchNormalization("bn"), b.add(new Conv2D("c0", 6, 1, 1), c));
    Node hs = b.add(new HardSwish("hs"), b.add(new ReLU("relu"), bn));
    Node sg = b.add(new Sigmoid("sg"), c);
    Node cat = b.add(new Concatenate("cat"), hs, sg);
    Node r6 = b.add(new ReLU6("r6"), cat);
    Node dw =
        b.add(
            new DepthwiseConv2D("dw", 3, 3).depthMultiplier(2).dilation(2, 2).padding(Padding.SAME),
            r6);
    Node add = b.add(new Add("add"), dw, b.add(new Conv2D("c1", 24, 1, 1), r6));
    Node ap = b.add(new AveragePool2D("ap", 3, 3).strides(2, 2).padding(Padding.SAME), add);
    Node mp = b.add(new MaxPool2D("mp", 2, 2).padding(Padding.SAME), ap);
    Node f = b.add(new Flatten("f"), mp);
    Node d = b.add(new Dropout("drop", 0.2f), f);
    return b.build(b.add(new Softmax("sm"), b.add(new Dense("fc", 10), d)));
  }

  /** Non-trivial BN statistics so folding is exercised. */
  static void randomizeBatchNorm(Model m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Node n : m.nodes()) {
      if (!(n.layer() instanceof BatchNormalization bn)) continue;
      for (Param p : List.of(bn.gamma(), bn.beta(), bn.movingMean(), bn.movingVariance())) {
        Tensor t = p.value();
        for (int i = 0; i < t.size(); i++) {
          double u = r.nextDouble();
          t.set(
              i,
              (float) (p == bn.movingVariance() ? 0.2 + u : p == bn.gamma() ? 0.5 + u : u - 0.5));
        }
      }
    }
  }

  static float[] images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 784];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
    return x;
  }

  /** Max over samples of max|a − b| / max|b| within the sample. */
  static double maxRelative(float[] a, float[] b, int per) {
    double worst = 0;
    for (int s = 0; s < a.length / per; s++) {
      double scale = 0, d = 0;
      for (int j = s * per; j < (s + 1) * per; j++) {
        scale = Math.max(scale, Math.abs(b[j]));
        d = Math.max(d, Math.abs(a[j] - b[j]));
      }
      worst = Math.max(worst, d / Math.max(scale, 1e-30));
    }
    return worst;
  }

  @ParameterizedTest
  @ValueSource(strings = {"reference", "mobilenet", "every-layer", "standalone-bn"})
  void tfliteEqualsJavaAndImportIsIdentical(String which) {
    Model m = model(which);
    float[] x = images(N, 1);
    float[] want = m.predict(Tensor.of(x, N, 28, 28, 1)).toArray();
    int per = want.length / N;
    LoweredGraph g = FloatLowering.lower(m);
    byte[] bytes = TfliteWriter.write(g);
    for (Backend backend : new Backend[] {Backend.BUILTIN, Backend.XNNPACK}) {
      float[] got = new float[want.length];
      try (TfliteModel tm = TfliteModel.fromBytes(bytes);
          Interpreter it = Parity.open(tm, backend)) {
        for (int s = 0; s < N; s++) {
          float[] o =
              (float[])
                  Parity.invoke(
                      it, new Object[] {Arrays.copyOfRange(x, s * 784, (s + 1) * 784)}, 0);
          System.arraycopy(o, 0, got, s * per, per);
        }
      }
      double rel = maxRelative(got, want, per);
      assertTrue(
          rel <= 1e-5,
          which + " on " + backend + ": TFLite vs Model.predict relative error " + rel);
    }
    Model imported = TfliteImporter.toModel(bytes);
    assertSameGraph(g, FloatLowering.lower(imported), which);
    float[] again = imported.predict(Tensor.of(x, N, 28, 28, 1)).toArray();
    assertTrue(
        maxRelative(again, want, per) <= 1e-5, which + ": imported model predicts differently");
  }

  /** Same ops, options, activation shapes and bit-identical constant data (names may differ). */
  static void assertSameGraph(LoweredGraph a, LoweredGraph b, String what) {
    assertEquals(a.ops().size(), b.ops().size(), what + ": op count");
    for (int i = 0; i < a.ops().size(); i++) {
      OpSpec x = a.ops().get(i), y = b.ops().get(i);
      String at = what + " op " + i + " " + x.kind();
      assertEquals(x.kind(), y.kind(), at);
      assertEquals(x.options(), y.options(), at + " options");
      assertEquals(x.inputs().length, y.inputs().length, at + " inputs");
      for (int k = 0; k < x.inputs().length; k++)
        sameTensor(a.tensor(x.inputs()[k]), b.tensor(y.inputs()[k]), at + " input " + k);
      sameTensor(a.tensor(x.outputs()[0]), b.tensor(y.outputs()[0]), at + " output");
    }
  }

  private static void sameTensor(TensorSpec a, TensorSpec b, String what) {
    assertArrayEquals(a.shape(), b.shape(), what + " shape");
    assertEquals(a.type(), b.type(), what + " type");
    if (a.data() instanceof float[] f) assertArrayEquals(f, (float[]) b.data(), what + " data");
    else if (a.data() instanceof int[] d) assertArrayEquals(d, (int[]) b.data(), what + " data");
    else assertEquals(null, b.data(), what + " should be an activation");
  }
}
