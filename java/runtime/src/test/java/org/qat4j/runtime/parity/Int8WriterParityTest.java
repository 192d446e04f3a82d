package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Int8 writer unit tests: tiny models whose outputs are computed by hand in the comments, written
 * by {@link TfliteWriter}, executed in TFLite. Multipliers are powers of two (M = 2^30, shift s) so
 * the arithmetic is exact: SRDHM(acc, 2^30) = acc/2 rounded half up, then a right shift by −s whose
 * negative ties go up on x86-64's builtin GEMM path (ruy), away from zero on arm64's (gemmlowp) and
 * to even on XNNPACK (float requantize). The simulator is checked in both platform modes on every
 * host; TFLite against the values of the platform it runs on.
 */
@Tag("native")
class Int8WriterParityTest {
  private static byte[] run(byte[] model, Backend b, byte[] input) {
    try (TfliteModel m = TfliteModel.fromBytes(model);
        Interpreter it = Parity.open(m, b)) {
      it.input(0).write(input);
      it.invoke();
      return it.output(0).readBytes();
    }
  }

  private static void check(
      LoweredGraph g, byte[] in, byte[] builtinX86, byte[] builtinArm64, byte[] xnnpack) {
    byte[] bytes = TfliteWriter.write(g);
    byte[] builtin = Platform.host() == Platform.ARM64 ? builtinArm64 : builtinX86;
    assertArrayEquals(builtin, run(bytes, Backend.BUILTIN, in), "TFLite BUILTIN vs hand-computed");
    assertArrayEquals(xnnpack, run(bytes, Backend.XNNPACK, in), "TFLite XNNPACK vs hand-computed");
    for (Platform p : Platform.values()) {
      assertArrayEquals(
          p == Platform.ARM64 ? builtinArm64 : builtinX86,
          (byte[]) new Simulator(g, RoundingMode.DOUBLE, p).run(in)[0],
          "simulator DOUBLE, " + p);
    }
    assertArrayEquals(
        xnnpack,
        (byte[]) new Simulator(g, RoundingMode.XNNPACK_F32).run(in)[0],
        "simulator XNNPACK_F32");
    LoweredGraph back = TfliteReader.read(bytes).toLoweredGraph();
    for (int t = 0; t < g.tensors().size(); t++) {
      TensorSpec a = g.tensor(t);
      TensorSpec r =
          back.tensors().stream().filter(x -> x.name().equals(a.name())).findFirst().orElseThrow();
      assertEquals(a.quant(), r.quant(), "quantization of " + a.name() + " read back");
      assertEquals(a.type(), r.type(), "type of " + a.name());
      if (a.data() instanceof byte[] d)
        assertArrayEquals(d, (byte[]) r.data(), "data of " + a.name());
      if (a.data() instanceof int[] d)
        assertArrayEquals(d, (int[]) r.data(), "data of " + a.name());
    }
  }

  /**
   * FULLY_CONNECTED, per-tensor: input scale 0.5 zp −1, weights scale 0.25 zp 0, bias scale 0.125,
   * output scale 1 zp 2, so the real multiplier is 0.125 (M = 2^30, shift −2). x − zp = [4, 0, 6,
   * 2]. row 0 [1,2,3,4]·x = 30, +2 = 32 → SRDHM 16 → 16/4 = 4 → 6. row 1 [−1,0,−1,−2]·x = −14, +2 =
   * −12 → SRDHM −6 → −1.5: ruy (x86) −1 → 1; gemmlowp (arm64: 3 rows are too few for its NEON
   * matrix·vector path) −2 → 0; XNNPACK rint −2 → 0. row 2 [10,10,10,10]·x = 120, −1 = 119 → SRDHM
   * 59.5 → 60 → 15 → 17 (XNNPACK 14.875 → 15 → 17).
   */
  @Test
  void fullyConnectedPerTensor() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("fc");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {1, 4}, DType.INT8, QuantParams.perTensor(0.5f, -1)));
    int w =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {3, 4},
                DType.INT8,
                QuantParams.perTensor(0.25f, 0),
                new byte[] {1, 2, 3, 4, -1, 0, -1, -2, 10, 10, 10, 10}));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b",
                new int[] {3},
                DType.INT32,
                QuantParams.perTensor(0.125f, 0),
                new int[] {2, 2, -1}));
    int y =
        b.addTensor(
            TensorSpec.activation("y", new int[] {1, 3}, DType.INT8, QuantParams.perTensor(1f, 2)));
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {x, w, bias}, new int[] {y}, null);
    check(
        b.setInputs(x).setOutputs(y).build(),
        new byte[] {3, -1, 5, 1},
        new byte[] {6, 1, 17},
        new byte[] {6, 0, 17},
        new byte[] {6, 0, 17});
  }

  /**
   * CONV_2D 2×2 VALID on a 3×3×1 input 1..9 (scale 1, zp 0), two output channels with per-channel
   * weight scales [0.5, 0.25] (multipliers 0.5: M = 2^30 shift 0; 0.25: shift −1), output scale 1
   * zp 0. ch 0 kernel [[1,0],[0,1]], bias 1: windows 1+5, 2+6, 4+8, 5+9 = 6, 8, 12, 14, +1 → 7, 9,
   * 13, 15 → SRDHM (half up) 4, 5, 7, 8; XNNPACK rint(3.5, 4.5, 6.5, 7.5) = 4, 4, 6, 8. ch 1 kernel
   * [[−1,0],[0,−1]], bias 0: −6, −8, −12, −14 → SRDHM −3, −4, −6, −7 → /2: −1.5, −2, −3, −3.5 → ruy
   * (x86) −1, −2, −3, −3; gemmlowp (arm64, 4 output pixels) −2, −2, −3, −4; XNNPACK rint −2, −2,
   * −3, −4.
   */
  @Test
  void conv2dPerChannel() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("conv");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {1, 3, 3, 1}, DType.INT8, QuantParams.perTensor(1f, 0)));
    int w =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {2, 2, 2, 1},
                DType.INT8,
                QuantParams.perAxis(new float[] {0.5f, 0.25f}, 0),
                new byte[] {1, 0, 0, 1, -1, 0, 0, -1}));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b",
                new int[] {2},
                DType.INT32,
                QuantParams.perAxis(new float[] {0.5f, 0.25f}, 0),
                new int[] {1, 0}));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {1, 2, 2, 2}, DType.INT8, QuantParams.perTensor(1f, 0)));
    b.addOp(OpKind.CONV_2D, new int[] {x, w, bias}, new int[] {y}, null);
    check(
        b.setInputs(x).setOutputs(y).build(),
        new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
        new byte[] {4, -1, 5, -2, 7, -3, 8, -3},
        new byte[] {4, -2, 5, -2, 7, -3, 8, -4},
        new byte[] {4, -2, 4, -2, 6, -3, 8, -4});
  }

  /**
   * DEPTHWISE_CONV_2D (gemmlowp rounding: negative ties away from zero; on arm64 too, as one
   * channel is not a whole NEON block of 8) on the same input, one channel, kernel [[−1,0],[0,−1]]
   * scale 0.25, bias 0: −6, −8, −12, −14 → SRDHM −3, −4, −6, −7 → /2 rounded half away from zero:
   * −2, −2, −3, −4 (XNNPACK rint: −2, −2, −3, −4).
   */
  @Test
  void depthwisePerChannel() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("dw");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {1, 3, 3, 1}, DType.INT8, QuantParams.perTensor(1f, 0)));
    int w =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {1, 2, 2, 1},
                DType.INT8,
                new QuantParams(new float[] {0.25f}, new long[] {0}, 3),
                new byte[] {-1, 0, 0, -1}));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b", new int[] {1}, DType.INT32, QuantParams.perTensor(0.25f, 0), new int[] {0}));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {1, 2, 2, 1}, DType.INT8, QuantParams.perTensor(1f, 0)));
    b.addOp(OpKind.DEPTHWISE_CONV_2D, new int[] {x, w, bias}, new int[] {y}, null);
    check(
        b.setInputs(x).setOutputs(y).build(),
        new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
        new byte[] {-2, -2, -3, -4},
        new byte[] {-2, -2, -3, -4},
        new byte[] {-2, -2, -3, -4});
  }

  /**
   * DEPTHWISE_CONV_2D 1×1, 9 channels, all inputs 6 (scale 1, zp 0), weights −1 scale 0.25, no
   * bias: acc −6 → SRDHM −3 → /2 = −1.5 everywhere. x86: gemmlowp −2. arm64: TFLite's NEON
   * per-channel Quantize rounds the first whole block of 8 channels up (−1) and the 9th channel in
   * scalar code away from zero (−2). XNNPACK rint: −2.
   */
  @Test
  void depthwiseNeonBlocksOfEight() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("dw9");
    QuantParams one = QuantParams.perTensor(1f, 0);
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 1, 1, 9}, DType.INT8, one));
    byte[] minusOne = new byte[9];
    Arrays.fill(minusOne, (byte) -1);
    float[] quarter = new float[9];
    Arrays.fill(quarter, 0.25f);
    int w =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {1, 1, 1, 9},
                DType.INT8,
                new QuantParams(quarter, new long[9], 3),
                minusOne));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b",
                new int[] {9},
                DType.INT32,
                new QuantParams(quarter, new long[9], 0),
                new int[9]));
    int y = b.addTensor(TensorSpec.activation("y", new int[] {1, 1, 1, 9}, DType.INT8, one));
    b.addOp(OpKind.DEPTHWISE_CONV_2D, new int[] {x, w, bias}, new int[] {y}, null);
    byte[] six = new byte[9];
    Arrays.fill(six, (byte) 6);
    check(
        b.setInputs(x).setOutputs(y).build(),
        six,
        new byte[] {-2, -2, -2, -2, -2, -2, -2, -2, -2},
        new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -2},
        new byte[] {-2, -2, -2, -2, -2, -2, -2, -2, -2});
  }

  /**
   * QUANTIZE int8 → int8, 17 elements of −6 at scale 0.25 to scale 1 (M = 2^30, shift −1): SRDHM −3
   * → −1.5. x86 (scalar): −2. arm64: NEON Requantize takes whole blocks of 16 (ties up, −1), the
   * 17th element scalar (−2). XNNPACK Q8: (0x80 − 6·64) >> 8 = −1.
   */
  @Test
  void requantizeNeonBlocksOfSixteen() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("rq17");
    int x =
        b.addTensor(
            TensorSpec.activation(
                "x", new int[] {1, 17}, DType.INT8, QuantParams.perTensor(0.25f, 0)));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", new int[] {1, 17}, DType.INT8, QuantParams.perTensor(1f, 0)));
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {y}, null);
    byte[] in = new byte[17], x86 = new byte[17], arm = new byte[17], xnn = new byte[17];
    Arrays.fill(in, (byte) -6);
    Arrays.fill(x86, (byte) -2);
    Arrays.fill(arm, (byte) -1);
    arm[16] = -2;
    Arrays.fill(xnn, (byte) -1);
    check(b.setInputs(x).setOutputs(y).build(), in, x86, arm, xnn);
  }

  /**
   * FULLY_CONNECTED, batch 1, 4 units, depth 8 (per-tensor: scale 1 input, 0.25 weights, 1 output,
   * M = 2^30 shift −1): every row has six weights −1 and two 0 on inputs 1, so acc −6 → SRDHM −3 →
   * −1.5. x86 (ruy) −1; arm64: one destination column with ≥ 4 rows and depth ≥ 8 goes to TFLite's
   * NEON matrix·vector kernel, ties up: −1 (gemmlowp, as for 3 units above, would give −2). XNNPACK
   * rint −2.
   */
  @Test
  void fullyConnectedNeonMatrixVector() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("fc4x8");
    QuantParams one = QuantParams.perTensor(1f, 0);
    int x = b.addTensor(TensorSpec.activation("x", new int[] {1, 8}, DType.INT8, one));
    byte[] w = new byte[32];
    for (int u = 0; u < 4; u++) Arrays.fill(w, u * 8, u * 8 + 6, (byte) -1);
    int wi =
        b.addTensor(
            new TensorSpec("w", new int[] {4, 8}, DType.INT8, QuantParams.perTensor(0.25f, 0), w));
    int bias =
        b.addTensor(
            new TensorSpec(
                "b", new int[] {4}, DType.INT32, QuantParams.perTensor(0.25f, 0), new int[4]));
    int y = b.addTensor(TensorSpec.activation("y", new int[] {1, 4}, DType.INT8, one));
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {x, wi, bias}, new int[] {y}, null);
    byte[] ones = new byte[8];
    Arrays.fill(ones, (byte) 1);
    check(
        b.setInputs(x).setOutputs(y).build(),
        ones,
        new byte[] {-1, -1, -1, -1},
        new byte[] {-1, -1, -1, -1},
        new byte[] {-2, -2, -2, -2});
  }
}
