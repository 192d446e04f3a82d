package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.ir.sim.Int8Graphs.bytes;
import static org.qat4j.ir.sim.Int8Graphs.ints;
import static org.qat4j.ir.sim.Int8Graphs.q8;
import static org.qat4j.ir.sim.Int8Graphs.run1;
import static org.qat4j.ir.sim.Int8Graphs.unary;
import static org.qat4j.ir.sim.Int8Graphs.w8;

import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;

/** Int8 kernels against hand-computed tiny examples (values worked out in the comments). */
class SimulatorInt8Test {

  @Test
  void fullyConnectedPerTensor() {
    // x − zp = [4, −4]; u0: 2·4 + (−1)(−4) + 4 = 16 → ·0.125 = 2 → −1; u1: 4 − 4 − 2 = −2 → −0.25 →
    // 0 → −3.
    LoweredGraphBuilder b = new LoweredGraphBuilder("fc");
    int x = q8(b, "x", 0.5f, 1, 1, 2), y = q8(b, "y", 1f, -3, 1, 2);
    int w = w8(b, new int[] {2, 2}, QuantParams.perTensor(0.25f, 0), bytes(2, -1, 1, 1));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b",
                new int[] {2},
                DType.INT32,
                QuantParams.perTensor(0.125f, 0),
                new int[] {4, -2}));
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {x, w, bias},
        new int[] {y},
        new OpOptions.FullyConnected(FusedActivation.RELU6, false));
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    assertArrayEquals(new int[] {-1, -3}, run1(g, RoundingMode.DOUBLE, bytes(5, -3)));
    // RELU6 on (1, −3): clamp to [−3, 3]; 13 − (−1)·... large input saturates at zp + 6.
    assertArrayEquals(new int[] {3, 3}, run1(g, RoundingMode.DOUBLE, bytes(100, 90)));
  }

  @Test
  void conv2dPerChannelSamePadding() {
    // input 2×2 [[1,2],[3,4]], ch0 kernel all ones (s 0.5), ch1 [[1,0],[0,−1]] (s 0.25); SAME pads
    // bottom/right.
    // (0,0): 10·0.5=5, −3·0.25=−0.75: SRDHM gives −1 (of −1.5), ruy's shift rounds −0.5 up → 0;
    // (0,1): 6→3, 2→0.5→1; (1,0): 7→3.5→4, 3→0.75→1; (1,1): 4→2, 4→1.
    LoweredGraphBuilder b = new LoweredGraphBuilder("conv");
    int x = q8(b, "x", 1f, 0, 1, 2, 2, 1), y = q8(b, "y", 1f, 0, 1, 2, 2, 2);
    int w =
        w8(
            b,
            new int[] {2, 2, 2, 1},
            QuantParams.perAxis(new float[] {0.5f, 0.25f}, 0),
            bytes(1, 1, 1, 1, 1, 0, 0, -1));
    int bias = b.addTensor(new TensorSpec("b", new int[] {2}, DType.INT32, null, new int[] {0, 0}));
    b.addOp(
        OpKind.CONV_2D,
        new int[] {x, w, bias},
        new int[] {y},
        OpOptions.Conv.DEFAULT.withPadding("SAME"));
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    assertArrayEquals(
        new int[] {5, 0, 3, 1, 4, 1, 2, 1}, run1(g, RoundingMode.DOUBLE, bytes(1, 2, 3, 4)));
  }

  @Test
  void depthwiseWithMultiplierAndInputZeroPoint() {
    // 1×1 kernel, 2 input channels × mult 2: out[c·2+m] = w[c·2+m]·(x[c] − zp), scale 1.
    LoweredGraphBuilder b = new LoweredGraphBuilder("dw");
    int x = q8(b, "x", 1f, 1, 1, 1, 1, 2), y = q8(b, "y", 1f, 0, 1, 1, 1, 4);
    int w =
        w8(
            b,
            new int[] {1, 1, 1, 4},
            QuantParams.perAxis(new float[] {1f, 1f, 0.5f, 0.5f}, 3),
            bytes(1, -2, 3, 5));
    int bias =
        b.addTensor(new TensorSpec("b", new int[] {4}, DType.INT32, null, new int[] {1, 0, 0, 1}));
    b.addOp(
        OpKind.DEPTHWISE_CONV_2D,
        new int[] {x, w, bias},
        new int[] {y},
        OpOptions.Depthwise.DEFAULT.withDepthMultiplier(2));
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    // x − zp = [3, −2]: [1·3+1, −2·3, (3·(−2))·0.5 = −3, (5·(−2)+1)·0.5 = −4.5 → −4]: with shift 0
    // only SRDHM rounds, and its nudge 1 − 2^30 sends negative ties toward zero.
    assertArrayEquals(new int[] {4, -6, -3, -4}, run1(g, RoundingMode.DOUBLE, bytes(4, -1)));
  }

  @Test
  void addRoundsTiesAwayFromZero() {
    // a·0.5 + b·0.25 on scale 1: (3,2) → 2.0; (1,0) → 0.5 → 1; (−1,0) → −0.5 → −1; (100,100) → 75.
    LoweredGraphBuilder b = new LoweredGraphBuilder("add");
    int a = q8(b, "a", 0.5f, 0, 1, 4), c = q8(b, "c", 0.25f, 0, 1, 4), y = q8(b, "y", 1f, 0, 1, 4);
    b.addOp(OpKind.ADD, new int[] {a, c}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(a, c).setOutputs(y).build();
    byte[] out = (byte[]) new Simulator(g).run(bytes(3, 1, -1, 100), bytes(2, 0, 0, 100))[0];
    assertArrayEquals(new int[] {2, 1, -1, 75}, ints(out));
  }

  @Test
  void averagePoolRoundsHalfAwayFromZero() {
    // windows [1,2,3,5] → 11/4 → 3; [−1,−2,−3,−5] → −3; [1,1,1,3] → 1.5 → 2; [−1,−1,−1,−3] → −2.
    int[] in = {1, 2, 2, 4}, out = {1, 1, 1, 4};
    LoweredGraph g =
        unary(
            OpKind.AVERAGE_POOL_2D,
            OpOptions.Pool.DEFAULT.withFilter(2, 2).withStrides(2, 2),
            0.1f,
            0,
            0.1f,
            0,
            in,
            out);
    byte[] x = bytes(1, -1, 1, -1, 2, -2, 1, -1, 3, -3, 1, -1, 5, -5, 3, -3);
    assertArrayEquals(new int[] {3, -3, 2, -2}, run1(g, RoundingMode.DOUBLE, x));
    LoweredGraph mp =
        unary(
            OpKind.MAX_POOL_2D,
            OpOptions.Pool.DEFAULT.withFilter(2, 2).withStrides(2, 2),
            0.1f,
            0,
            0.1f,
            0,
            in,
            out);
    assertArrayEquals(new int[] {5, -1, 3, -1}, run1(mp, RoundingMode.DOUBLE, x));
  }

  @Test
  void logisticAndSoftmaxFixedOutputParams() {
    LoweredGraph lg = unary(OpKind.LOGISTIC, null, 0.1f, 0, 1f / 256, -128, 1, 3);
    // sigmoid(0)=0.5 → 128 − 128 = 0; sigmoid(12.7)·256 → 256 → clamp 127; sigmoid(−12.8)·256 ≈
    // 0.0007 → −128.
    assertArrayEquals(new int[] {0, 127, -128}, run1(lg, RoundingMode.DOUBLE, bytes(0, 127, -128)));
    LoweredGraph sm =
        unary(OpKind.SOFTMAX, new OpOptions.Softmax(1f), 0.1f, 0, 1f / 256, -128, 2, 4);
    // row 1 uniform: 64 − 128 = −64; row 2 one-hot by 25.5 in logits: ≈ 1 → 127, others ≈ 8e-12 →
    // −128.
    assertArrayEquals(
        new int[] {-64, -64, -64, -64, -128, 127, -128, -128},
        run1(sm, RoundingMode.DOUBLE, bytes(7, 7, 7, 7, -128, 127, -128, -128)));
  }

  @Test
  void hardSwishTracksTheFloatFunction() {
    float si = 0.05f, so = 0.04f;
    int zi = -10, zo = -20;
    LoweredGraph g = unary(OpKind.HARD_SWISH, null, si, zi, so, zo, 1, 256);
    byte[] x = new byte[256];
    for (int i = 0; i < 256; i++) x[i] = (byte) (i - 128);
    int[] y = run1(g, RoundingMode.DOUBLE, x);
    int exact = 0;
    for (int i = 0; i < 256; i++) {
      float r = si * (x[i] - zi);
      float hs = r * Math.min(Math.max(r + 3, 0), 6) / 6;
      int want = Math.max(-128, Math.min(127, Math.round(hs / so) + zo));
      assertTrue(Math.abs(y[i] - want) <= 1, "q=" + x[i] + " got " + y[i] + " want " + want);
      if (y[i] == want) exact++;
    }
    assertTrue(exact > 200, "only " + exact + " exact");
    // Large negative inputs give exactly the zero point (hard swish is 0 below −3).
    assertEquals(zo, y[0]);
  }

  @Test
  void meanBothTfliteImplementations() {
    for (boolean keep : new boolean[] {false, true}) {
      LoweredGraphBuilder b = new LoweredGraphBuilder("mean");
      int x = q8(b, "x", 1f, 2, 1, 2, 2, 2);
      int axes =
          b.addTensor(new TensorSpec("axes", new int[] {2}, DType.INT32, null, new int[] {1, 2}));
      int y = keep ? q8(b, "y", 1f, 0, 1, 1, 1, 2) : q8(b, "y", 1f, 0, 1, 2);
      b.addOp(OpKind.MEAN, new int[] {x, axes}, new int[] {y}, new OpOptions.Reducer(keep));
      LoweredGraph g = b.setInputs(x).setOutputs(y).build();
      // ch0: [1,2,3,5] − zp 2 → 3/4 = 0.75 → 1; ch1: [−1,−2,−3,−5] − 2 → −19/4 = −4.75 → −5.
      assertArrayEquals(
          new int[] {1, -5},
          run1(g, RoundingMode.DOUBLE, bytes(1, -1, 2, -2, 3, -3, 5, -5)),
          "keepDims=" + keep);
    }
  }

  private static LoweredGraph padConcat(DType t, float otherScale, int otherZp) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("pc");
    int x =
        b.addTensor(
            TensorSpec.activation("x", new int[] {1, 1, 1, 2}, t, QuantParams.perTensor(0.5f, 3)));
    int pads =
        b.addTensor(
            new TensorSpec(
                "p", new int[] {4, 2}, DType.INT32, null, new int[] {0, 0, 0, 1, 1, 0, 0, 0}));
    int p =
        b.addTensor(
            TensorSpec.activation(
                "p_out", new int[] {1, 2, 2, 2}, t, QuantParams.perTensor(0.5f, 3)));
    b.addOp(OpKind.PAD, new int[] {x, pads}, new int[] {p}, null);
    int other =
        b.addTensor(
            TensorSpec.activation(
                "o", new int[] {1, 2, 2, 1}, t, QuantParams.perTensor(otherScale, otherZp)));
    int cat =
        b.addTensor(
            TensorSpec.activation(
                "cat", new int[] {1, 2, 2, 3}, t, QuantParams.perTensor(0.5f, 3)));
    b.addOp(
        OpKind.CONCATENATION,
        new int[] {p, other},
        new int[] {cat},
        new OpOptions.Concat(3, FusedActivation.NONE));
    return b.setInputs(x, other).setOutputs(cat).build();
  }

  @Test
  void padUsesZeroPointAndConcatCopiesOrRescales() {
    // pad: [[zp, (10,7)], [zp, zp]]; uint8 "other" rescaled by 1/0.5 with zp 3: 1→5, 2→7, 50→103,
    // 0→3.
    byte[] out =
        (byte[])
            new Simulator(padConcat(DType.UINT8, 1f, 0)).run(bytes(10, 7), bytes(1, 2, 50, 0))[0];
    int[] u = new int[out.length];
    for (int i = 0; i < u.length; i++) u[i] = out[i] & 0xFF;
    assertArrayEquals(new int[] {3, 3, 5, 10, 7, 7, 3, 3, 103, 3, 3, 3}, u);
    // int8 with equal params is a plain copy; unequal params are rejected as TFLite's Prepare does.
    byte[] same =
        (byte[])
            new Simulator(padConcat(DType.INT8, 0.5f, 3))
                .run(bytes(10, -7), bytes(1, -2, 50, 0))[0];
    assertArrayEquals(new int[] {3, 3, 1, 10, -7, -2, 3, 3, 50, 3, 3, 0}, ints(same));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Simulator(padConcat(DType.INT8, 1f, 0)));
    assertTrue(e.getMessage().contains("CONCATENATION"), e.getMessage());
  }
}
