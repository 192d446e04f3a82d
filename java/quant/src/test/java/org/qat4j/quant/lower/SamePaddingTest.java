package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * SAME convolutions whose implicit padding is negative in exactly one dimension are lowered as (PAD
 * +) VALID, which TFLite's XNNPACK computes correctly; the integer simulator (bit-exact with TFLite
 * BUILTIN) shows the explicit form gives the same bytes as SAME, and the float form the same
 * values.
 */
class SamePaddingTest {
  @Test
  void paddingArithmeticAsTflite() {
    assertEquals(-1, SamePadding.total(6, 1, 2, 1));
    assertEquals(1, SamePadding.total(6, 3, 2, 1));
    assertEquals(0, SamePadding.total(6, 2, 2, 1));
    assertEquals(5, SamePadding.total(6, 3, 2, 3), "dilation 3: effective kernel 7");
    int[] in = {6, 6, 4}, s2 = {2, 2}, d1 = {1, 1};
    assertNull(SamePadding.replacement(in, 1, 1, s2, d1), "negative in both dimensions stays SAME");
    assertNull(SamePadding.replacement(in, 3, 3, s2, d1), "non-negative in both stays SAME");
    assertEquals(new SamePadding(0, 0, 0, 1), SamePadding.replacement(in, 1, 3, s2, d1));
    assertEquals(new SamePadding(0, 1, 0, 0), SamePadding.replacement(in, 3, 1, s2, d1));
    assertTrue(SamePadding.replacement(in, 1, 2, s2, d1).none(), "1×2: total 0 in W, VALID alone");
    assertEquals(
        new SamePadding(0, 0, 2, 3),
        SamePadding.replacement(new int[] {6, 6, 1}, 1, 3, s2, new int[] {1, 3}));
    assertArrayEquals(new int[] {6, 7, 4}, new SamePadding(0, 0, 0, 1).padded(in));
  }

  /**
   * Four branches off one 6×6 input: conv 1×3, conv 3×1, conv 1×2 and depthwise 1×3, all SAME at
   * stride 2.
   */
  private static Model net(boolean bn) {
    GraphBuilder g = new GraphBuilder(7);
    Node x = g.input("input", 6, 6, 3);
    List<Node> outs = new ArrayList<>();
    int[][] kernels = {{1, 3}, {3, 1}, {1, 2}};
    for (int[] k : kernels) {
      Node c =
          g.add(
              new Conv2D("conv" + k[0] + "x" + k[1], 4, k[0], k[1])
                  .strides(2, 2)
                  .padding(Padding.SAME)
                  .useBias(!bn),
              x);
      if (bn)
        c =
            g.add(
                new ReLU6(c.name() + "_relu"), g.add(new BatchNormalization(c.name() + "_bn"), c));
      outs.add(c);
    }
    Node d =
        g.add(
            new DepthwiseConv2D("dw1x3", 1, 3).strides(2, 2).padding(Padding.SAME).useBias(!bn), x);
    if (bn) d = g.add(new BatchNormalization("dw1x3_bn"), d);
    outs.add(d);
    return g.build(g.add(new Concatenate("concat"), outs.toArray(new Node[0])));
  }

  private static final Set<String> SAME_LAYERS = Set.of("conv1x3", "conv3x1", "conv1x2", "dw1x3");

  /**
   * The graph as lowered before the rewrite: each of these convs reads the PAD's input with SAME
   * padding.
   */
  private static LoweredGraph asSame(LoweredGraph g) {
    LoweredGraphBuilder b = LoweredGraphBuilder.from(g);
    for (int i = 0; i < g.ops().size(); i++) {
      OpSpec op = g.ops().get(i);
      if (op.kind() != OpKind.CONV_2D && op.kind() != OpKind.DEPTHWISE_CONV_2D) continue;
      if (!SAME_LAYERS.contains(g.tensor(op.outputs()[0]).name())) continue;
      int[] in = op.inputs();
      for (OpSpec p : g.ops())
        if (p.kind() == OpKind.PAD && p.outputs()[0] == in[0]) in[0] = p.inputs()[0];
      OpOptions same =
          op.options() instanceof OpOptions.Conv c
              ? c.withPadding("SAME")
              : op.options(OpOptions.Depthwise.class).withPadding("SAME");
      b.setOp(i, new OpSpec(op.kind(), in, op.outputs(), same));
    }
    return b.build();
  }

  private static void assertExplicit(LoweredGraph g) {
    int pads = 0;
    for (OpSpec op : g.ops()) {
      if (op.kind() == OpKind.PAD) {
        pads++;
        assertTrue(g.tensor(op.outputs()[0]).name().endsWith("/same_pad"));
        assertEquals(
            g.tensor(op.inputs()[0]).quant(),
            g.tensor(op.outputs()[0]).quant(),
            "PAD keeps its input's params");
      }
      if ((op.kind() == OpKind.CONV_2D || op.kind() == OpKind.DEPTHWISE_CONV_2D))
        assertEquals("VALID", op.options(OpOptions.Window.class).padding());
    }
    assertEquals(3, pads, "1×3, 3×1 and depthwise 1×3 need a PAD; 1×2 (total 0 in W) does not");
  }

  private static float[] input(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 6 * 6 * 3];
    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 4 - 2);
    return x;
  }

  @Test
  void floatLoweringIsPadPlusValidAndEqualsSame() {
    Model m = net(false);
    LoweredGraph g = FloatLowering.lower(m);
    assertExplicit(g);
    float[] x = input(8, 1);
    float[] got = new Simulator(g).runBatchFloat(8, x);
    assertArrayEquals(new Simulator(asSame(g)).runBatchFloat(8, x), got, 0f);
    float[] want = m.forward(Tensor.of(x, 8, 6, 6, 3), ExecContext.inference()).toArray();
    assertArrayEquals(want, got, 1e-5f);
  }

  @Test
  void int8LoweringIsPadPlusValidWithIdenticalBytes() {
    Model f = net(true);
    QatModel q = Quantize.model(f);
    List<Tensor> data =
        List.of(Tensor.of(input(16, 2), 16, 6, 6, 3), Tensor.of(input(16, 3), 16, 6, 6, 3));
    q.calibrate(data);
    for (Tensor b : data) q.model().forward(b, ExecContext.training(1));
    q.freezeBatchNorm();
    q.freezeObservers();
    LoweredGraph g = Int8Lowering.lower(q, DType.INT8);
    assertExplicit(g);
    LoweredGraph same = asSame(g);
    byte[] x = new byte[16 * 6 * 6 * 3];
    new SplittableRandom(4).nextBytes(x);
    assertArrayEquals(
        (byte[]) new Simulator(same).runBatch(16, x)[0],
        (byte[]) new Simulator(g).runBatch(16, x)[0]);
    // And the fake-quant model agrees with the int8 graph (float I/O) within 1 output LSB.
    LoweredGraph fg = Int8Lowering.lower(q, DType.FLOAT32);
    float[] xf = data.get(0).toArray();
    float[] want = q.model().predict(data.get(0)).toArray(),
        got = new Simulator(fg).runBatchFloat(16, xf);
    float lsb = q.rangeOf("concat").grids()[0].scale();
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1.01f * lsb, "index " + i);
  }
}
