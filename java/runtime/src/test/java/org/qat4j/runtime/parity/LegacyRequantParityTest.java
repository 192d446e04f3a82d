package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * Pins down, per op and type, the two choices where TFLite's uint8 requantization differs from its
 * int8 one. Each output channel of a one-op graph gets a chosen accumulator (input and weight both
 * 1 step from their zero points, bias = acc − 1): accumulators where the float32 scale product
 * (legacy multiplier) and the double product give different outputs, and accumulators that are
 * negative rounding ties of the final shift. TFLite BUILTIN must equal the simulator on every
 * channel, and each rejected alternative must miss at least one channel, so the test fails if
 * either choice is wrong.
 */
@Tag("native")
class LegacyRequantParityTest {
  private record Recipe(boolean legacyMultiplier, boolean ruyRounding) {}

  /**
   * What TFLite 2.20 on x86 does (see ConvKernels): legacy multiplier for uint8 and per-tensor FC,
   * ruy for int8 GEMM.
   */
  private static Recipe expected(OpKind k, DType t) {
    return new Recipe(
        k == OpKind.FULLY_CONNECTED || t == DType.UINT8,
        k != OpKind.DEPTHWISE_CONV_2D && t == DType.INT8);
  }

  @ParameterizedTest
  @CsvSource({
    "FULLY_CONNECTED, UINT8",
    "CONV_2D, UINT8",
    "DEPTHWISE_CONV_2D, UINT8",
    "FULLY_CONNECTED, INT8",
    "CONV_2D, INT8",
    "DEPTHWISE_CONV_2D, INT8"
  })
  void requantizationMatchesBuiltin(OpKind kind, DType type) {
    Recipe want = expected(kind, type);
    SplittableRandom r = new SplittableRandom(kind.ordinal() * 31L + type.ordinal());
    float sIn, sW, sOut;
    do { // multipliers near 1e-5: the float32 product's relative error (~1e-8) then moves outputs
      // of large accumulators
      sIn = 0.005f + 0.05f * (float) r.nextDouble();
      sW = 0.001f + 0.02f * (float) r.nextDouble();
      sOut = (float) (sIn * sW / (3e-6 + 3e-5 * r.nextDouble()));
    } while (multiplier(sIn, sW, sOut, true)[0] == multiplier(sIn, sW, sOut, false)[0]);
    IntUnaryOperator exp = rescale(sIn, sW, sOut, want);
    IntUnaryOperator otherMultiplier =
        rescale(sIn, sW, sOut, new Recipe(!want.legacyMultiplier(), want.ruyRounding()));
    IntUnaryOperator otherRounding =
        rescale(sIn, sW, sOut, new Recipe(want.legacyMultiplier(), !want.ruyRounding()));
    List<Integer> accs = new ArrayList<>();
    double real = (double) sIn * sW / sOut;
    collect(accs, real, exp, otherMultiplier, 8);
    collect(accs, real, exp, otherRounding, 8);
    for (int i = 0; i < 8; i++) accs.add((int) ((r.nextDouble() - 0.5) * 250 / real));
    int zpOut = type == DType.UINT8 ? 128 : 0;
    LoweredGraph g = graph(kind, type, accs, sIn, sW, sOut, zpOut);
    byte[] x = new byte[g.tensor(g.inputs()[0]).elements()];
    java.util.Arrays.fill(
        x, (byte) (type == DType.UINT8 ? 101 : 1)); // input zero point 100 (uint8) or 0 (int8)
    byte[] got;
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(g));
        Interpreter b = Parity.open(m, Backend.BUILTIN)) {
      got = (byte[]) Parity.invoke(b, new Object[] {x}, 0);
    }
    String what =
        kind + " " + type + " scales " + sIn + ", " + sW + ", " + sOut + ", accumulators " + accs;
    assertArrayEquals((byte[]) new Simulator(g).run(x)[0], got, "simulator vs BUILTIN, " + what);
    assertArrayEquals(outputs(accs, exp, zpOut), got, "expected recipe " + want + ", " + what);
    assertTrue(
        !java.util.Arrays.equals(outputs(accs, otherMultiplier, zpOut), got),
        "the other multiplier also fits: " + what);
    assertTrue(
        !java.util.Arrays.equals(outputs(accs, otherRounding, zpOut), got),
        "the other rounding also fits: " + what);
  }

  private static int[] multiplier(float sIn, float sW, float sOut, boolean legacy) {
    double real = legacy ? (double) (sIn * sW) / sOut : (double) sIn * (double) sW / (double) sOut;
    return QuantMath.quantizeMultiplier(real);
  }

  private static IntUnaryOperator rescale(float sIn, float sW, float sOut, Recipe rc) {
    int[] q = multiplier(sIn, sW, sOut, rc.legacyMultiplier());
    return acc ->
        rc.ruyRounding()
            ? QuantMath.mbqmRuy(acc, q[0], q[1])
            : QuantMath.mbqmDouble(acc, q[0], q[1]);
  }

  /**
   * Adds up to {@code n} accumulators where the two rescalings disagree, searched next to the
   * rounding boundaries (results ±(k + ½), |k| ≤ 100) of the real multiplier {@code real}, where
   * all disagreements lie.
   */
  private static void collect(
      List<Integer> out, double real, IntUnaryOperator a, IntUnaryOperator b, int n) {
    int found = 0;
    for (int k = -100; k < 100 && found < n; k++) {
      long centre = (long) Math.floor((k + 0.5) / real);
      for (long acc = centre - 3; acc <= centre + 3 && found < n; acc++) {
        if (a.applyAsInt((int) acc) != b.applyAsInt((int) acc)) {
          out.add((int) acc);
          found++;
        }
      }
    }
    assertTrue(found > 0, "no accumulator separates the two recipes");
  }

  private static byte[] outputs(List<Integer> accs, IntUnaryOperator f, int zpOut) {
    int lo = zpOut == 128 ? 0 : -128, hi = lo + 255;
    byte[] y = new byte[accs.size()];
    for (int i = 0; i < y.length; i++)
      y[i] = (byte) QuantMath.clamp(f.applyAsInt(accs.get(i)) + zpOut, lo, hi);
    return y;
  }

  /**
   * One op with accs.size() output channels; channel c computes exactly accs[c] before
   * requantization.
   */
  private static LoweredGraph graph(
      OpKind kind, DType type, List<Integer> accs, float sIn, float sW, float sOut, int zpOut) {
    int n = accs.size();
    boolean u = type == DType.UINT8;
    int zpIn = u ? 100 : 0, zpW = u ? 120 : 0;
    LoweredGraphBuilder b = new LoweredGraphBuilder(kind + "_" + type);
    int[] inShape =
        switch (kind) {
          case FULLY_CONNECTED -> new int[] {1, 1};
          case CONV_2D -> new int[] {1, 1, 1, 1};
          default -> new int[] {1, 1, 1, n};
        };
    int[] wShape =
        switch (kind) {
          case FULLY_CONNECTED -> new int[] {n, 1};
          case CONV_2D -> new int[] {n, 1, 1, 1};
          default -> new int[] {1, 1, 1, n};
        };
    int x =
        b.addTensor(TensorSpec.activation("x", inShape, type, QuantParams.perTensor(sIn, zpIn)));
    byte[] w = new byte[n];
    java.util.Arrays.fill(w, (byte) (zpW + 1));
    int wt = b.addTensor(new TensorSpec("w", wShape, type, QuantParams.perTensor(sW, zpW), w));
    int[] bias = new int[n];
    for (int c = 0; c < n; c++) bias[c] = accs.get(c) - 1;
    int bt =
        b.addTensor(
            new TensorSpec(
                "b", new int[] {n}, DType.INT32, QuantParams.perTensor(sIn * sW, 0), bias));
    int[] outShape = kind == OpKind.FULLY_CONNECTED ? new int[] {1, n} : new int[] {1, 1, 1, n};
    int y =
        b.addTensor(TensorSpec.activation("y", outShape, type, QuantParams.perTensor(sOut, zpOut)));
    OpOptions o = kind.defaultOptions(); // VALID, stride 1, dilation 1, depth multiplier 1
    b.addOp(kind, new int[] {x, wt, bt}, new int[] {y}, o);
    return b.setInputs(x).setOutputs(y).build();
  }
}
