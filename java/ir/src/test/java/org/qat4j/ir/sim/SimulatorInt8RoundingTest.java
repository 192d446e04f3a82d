package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.qat4j.ir.sim.Int8Graphs.bytes;
import static org.qat4j.ir.sim.Int8Graphs.ints;
import static org.qat4j.ir.sim.Int8Graphs.q8;
import static org.qat4j.ir.sim.Int8Graphs.run1;
import static org.qat4j.ir.sim.Int8Graphs.unary;
import static org.qat4j.ir.sim.Int8Graphs.w8;

import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;

/**
 * Int8 requantization, QUANTIZE/DEQUANTIZE and the rounding modes, on hand-computed ties (values
 * worked out in the comments).
 */
class SimulatorInt8RoundingTest {

  @Test
  void requantizeInt8ToInt8() {
    // 0.5 → 1.0: 3 → 1.5 → 2; −3 → −1.5 → −1 (SRDHM's negative nudge with shift 0); 255·...
    // saturates.
    LoweredGraph g = unary(OpKind.QUANTIZE, null, 0.5f, 0, 1f, 0, 1, 3);
    assertArrayEquals(new int[] {2, -1, 64}, run1(g, RoundingMode.DOUBLE, bytes(3, -3, 127)));
    LoweredGraph z = unary(OpKind.QUANTIZE, null, 0.01f, 0, 0.001f, 5, 1, 3);
    assertArrayEquals(new int[] {127, -128, 15}, run1(z, RoundingMode.DOUBLE, bytes(100, -100, 1)));
  }

  @Test
  void requantizeModesDifferOnNegativeTies() {
    // 0.5 → 2.0 quarters: −2 → −0.5. DOUBLE (gemmlowp) −1; SINGLE 0; XNNPACK Q8: (128 − 2·64) >> 8
    // = 0.
    LoweredGraph g = unary(OpKind.QUANTIZE, null, 0.5f, 0, 2f, 0, 1, 2);
    assertArrayEquals(new int[] {-1, 1}, run1(g, RoundingMode.DOUBLE, bytes(-2, 2)));
    assertArrayEquals(new int[] {0, 1}, run1(g, RoundingMode.SINGLE, bytes(-2, 2)));
    assertArrayEquals(new int[] {0, 1}, run1(g, RoundingMode.XNNPACK_F32, bytes(-2, 2)));
  }

  @Test
  void floatQuantizeDividesInDoubleOnBuiltinAndRoundsEvenOnXnnpack() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("q");
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 2}, DType.FLOAT32, null));
    int q = q8(b, "q", 0.1f, 0, 1, 2);
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {q}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(q).build();
    // −0.25f / 0.1f is −2.4999999627 in double (→ −2) but rounds to −2.5f in float (→ −3).
    assertArrayEquals(
        new int[] {-2, 2},
        ints((byte[]) new Simulator(g).run((Object) new float[] {-0.25f, 0.25f})[0]));
    // XNNPACK: −0.25f·10f = −2.5f, ties to even → −2; 0.35f·10f = 3.5f → 4.
    assertArrayEquals(
        new int[] {-2, 4},
        ints(
            (byte[])
                new Simulator(g, RoundingMode.XNNPACK_F32)
                    .run((Object) new float[] {-0.25f, 0.35f})[0]));
  }

  @Test
  void quantizeAndDequantizeFloat() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("qdq");
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 4}, DType.FLOAT32, null));
    int q = q8(b, "q", 0.5f, 1, 1, 4);
    int y = b.addTensor(TensorSpec.activation("y", new int[] {1, 4}, DType.FLOAT32, null));
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {q}, null);
    b.addOp(OpKind.DEQUANTIZE, new int[] {q}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    Object[] all = new Simulator(g).runAll((Object) new float[] {0.25f, -0.25f, 100f, 0.74f});
    // round(0.5)=1 → 2; round(−0.5)=−1 → 0; saturate 127; round(1.48)=1 → 2.
    assertArrayEquals(new int[] {2, 0, 127, 2}, ints((byte[]) all[q]));
    assertArrayEquals(new float[] {0.5f, -0.5f, 63f, 0.5f}, (float[]) all[y]);
    assertArrayEquals(new float[] {0.5f, -0.5f, 63f, 0.5f}, Simulator.toFloat(g.tensor(q), all[q]));
  }

  @Test
  void uint8ToInt8IsAShiftBy128() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("u8");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {1, 3}, DType.UINT8, QuantParams.perTensor(0.1f, 128)));
    int y = q8(b, "y", 0.1f, 0, 1, 3);
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    assertArrayEquals(new int[] {-128, 0, 127}, run1(g, RoundingMode.DOUBLE, bytes(0, 128, 255)));
  }

  @Test
  void roundingModesDifferOnNegativeTies() {
    // FC, acc = −37, multiplier 0.75/8 → −3.46875. SRDHM: −27.75 → −28, then −28/8 = −3.5:
    // ruy (FC/CONV in DOUBLE) rounds the tie up → −3; gemmlowp (DEPTHWISE) away from zero → −4.
    // SINGLE rounds once → −3; XNNPACK −3.46875 → −3.
    LoweredGraphBuilder b = new LoweredGraphBuilder("fc");
    int x = q8(b, "x", 0.75f, 0, 1, 1), y = q8(b, "y", 8f, 0, 1, 1);
    int w = w8(b, new int[] {1, 1}, QuantParams.perTensor(1f, 0), bytes(1));
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {x, w, -1}, new int[] {y}, null);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    assertArrayEquals(new int[] {-3}, run1(g, RoundingMode.DOUBLE, bytes(-37)));
    assertArrayEquals(new int[] {-3}, run1(g, RoundingMode.SINGLE, bytes(-37)));
    assertArrayEquals(new int[] {-3}, run1(g, RoundingMode.XNNPACK_F32, bytes(-37)));
    // The same numbers through a 1×1 depthwise conv keep gemmlowp's rounding: −4.
    LoweredGraphBuilder d = new LoweredGraphBuilder("dw");
    int dx = q8(d, "x", 0.75f, 0, 1, 1, 1, 1), dy = q8(d, "y", 8f, 0, 1, 1, 1, 1);
    int dw = w8(d, new int[] {1, 1, 1, 1}, QuantParams.perAxis(new float[] {1f}, 3), bytes(1));
    d.addOp(OpKind.DEPTHWISE_CONV_2D, new int[] {dx, dw, -1}, new int[] {dy}, null);
    LoweredGraph dg = d.setInputs(dx).setOutputs(dy).build();
    assertArrayEquals(new int[] {-4}, run1(dg, RoundingMode.DOUBLE, bytes(-37)));
    assertArrayEquals(new int[] {-3}, run1(dg, RoundingMode.SINGLE, bytes(-37)));
  }
}
