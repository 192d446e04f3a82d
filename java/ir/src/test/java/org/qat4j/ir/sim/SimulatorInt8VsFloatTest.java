package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random int8 ops (fixed seed) against their float twins on dequantized data: the int8 result must
 * be within 1 LSB of quantizing the float result. Catches indexing, padding, stride, dilation and
 * per-channel mistakes in the integer kernels (the float kernels are checked against Model.predict
 * in FloatLoweringTest).
 */
class SimulatorInt8VsFloatTest {
  private final SplittableRandom rnd = new SplittableRandom(1234);

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (rnd.nextInt(256) - 128);
    return b;
  }

  private static float[] dequant(byte[] q, QuantParams p, int channelStride, int channels) {
    float[] f = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      int c = p.perAxis() ? (i / channelStride) % channels : 0;
      f[i] = (q[i] - p.zeroPoints()[c]) * p.scales()[c];
    }
    return f;
  }

  /** Builds int8 and float graphs of one weighted op and compares them on random inputs. */
  private void checkWeighted(
      OpKind kind, OpOptions o, int[] xs, int[] ws, int[] ys, int channelDim) {
    int oc = ws[channelDim];
    int inner = 1;
    for (int d = channelDim + 1; d < ws.length; d++) inner *= ws[d];
    float[] wScales = new float[oc];
    for (int c = 0; c < oc; c++) wScales[c] = 0.005f + 0.02f * (float) rnd.nextDouble();
    QuantParams wq =
        kind == OpKind.FULLY_CONNECTED
            ? QuantParams.perTensor(wScales[0], 0)
            : QuantParams.perAxis(wScales, channelDim);
    byte[] wInt = randomBytes(size(ws));
    for (int i = 0; i < wInt.length; i++) if (wInt[i] == -128) wInt[i] = -127;
    QuantParams xq = QuantParams.perTensor(0.03f, -7),
        yq = QuantParams.perTensor(0.05f + 0.1f * (float) rnd.nextDouble(), 5);
    int[] bias = new int[oc];
    float[] biasF = new float[oc];
    for (int c = 0; c < oc; c++) {
      bias[c] = rnd.nextInt(2001) - 1000;
      biasF[c] = (float) (bias[c] * ((double) xq.scale() * wq.scales()[wq.perAxis() ? c : 0]));
    }
    LoweredGraphBuilder qb = new LoweredGraphBuilder("q"), fb = new LoweredGraphBuilder("f");
    int x = qb.addTensor(TensorSpec.activation("x", xs, DType.INT8, xq));
    int w = qb.addTensor(new TensorSpec("w", ws, DType.INT8, wq, wInt));
    int bi = qb.addTensor(new TensorSpec("b", new int[] {oc}, DType.INT32, null, bias));
    int y = qb.addTensor(TensorSpec.activation("y", ys, DType.INT8, yq));
    qb.addOp(kind, new int[] {x, w, bi}, new int[] {y}, o);
    int fx = fb.addTensor(TensorSpec.activation("x", xs, DType.FLOAT32, null));
    int fw =
        fb.addTensor(new TensorSpec("w", ws, DType.FLOAT32, null, dequant(wInt, wq, inner, oc)));
    int fbias = fb.addTensor(new TensorSpec("b", new int[] {oc}, DType.FLOAT32, null, biasF));
    int fy = fb.addTensor(TensorSpec.activation("y", ys, DType.FLOAT32, null));
    fb.addOp(kind, new int[] {fx, fw, fbias}, new int[] {fy}, o);
    compare(
        qb.setInputs(x).setOutputs(y).build(),
        fb.setInputs(fx).setOutputs(fy).build(),
        xq,
        yq,
        kind + " " + o);
  }

  private void compare(
      LoweredGraph qg, LoweredGraph fg, QuantParams xq, QuantParams yq, String what) {
    compare(qg, fg, xq, yq, what, 0.9);
  }

  private void compare(
      LoweredGraph qg,
      LoweredGraph fg,
      QuantParams xq,
      QuantParams yq,
      String what,
      double minExact) {
    int n = qg.tensor(qg.inputs()[0]).elements();
    byte[] xi = randomBytes(n);
    float[] xf = dequant(xi, xq, 1, 1);
    byte[] got = (byte[]) new Simulator(qg).run(xi)[0];
    float[] ref = (float[]) new Simulator(fg).run((Object) xf)[0];
    int exact = 0;
    for (int i = 0; i < got.length; i++) {
      long want = Math.max(-128, Math.min(127, Math.round(ref[i] / yq.scale()) + yq.zeroPoint()));
      assertTrue(
          Math.abs(got[i] - want) <= 1,
          what + " element " + i + ": int8 " + got[i] + ", float " + want);
      if (got[i] == want) exact++;
    }
    assertTrue(
        exact >= got.length * minExact, what + ": only " + exact + "/" + got.length + " exact");
  }

  private static int size(int[] s) {
    int n = 1;
    for (int d : s) n *= d;
    return n;
  }

  @Test
  void convolutionsAgreeWithFloat() {
    checkWeighted(
        OpKind.CONV_2D,
        OpOptions.Conv.DEFAULT.withPadding("SAME").withStrides(2, 2),
        new int[] {1, 7, 6, 3},
        new int[] {4, 3, 3, 3},
        new int[] {1, 4, 3, 4},
        0);
    checkWeighted(
        OpKind.CONV_2D,
        OpOptions.Conv.DEFAULT
            .withPadding("VALID")
            .withDilation(2, 1)
            .withActivation(FusedActivation.RELU),
        new int[] {1, 8, 5, 2},
        new int[] {3, 2, 3, 2},
        new int[] {1, 6, 3, 3},
        0);
    checkWeighted(
        OpKind.DEPTHWISE_CONV_2D,
        OpOptions.Depthwise.DEFAULT.withPadding("SAME").withDepthMultiplier(2).withStrides(1, 2),
        new int[] {1, 5, 5, 3},
        new int[] {1, 3, 3, 6},
        new int[] {1, 5, 3, 6},
        3);
    checkWeighted(
        OpKind.FULLY_CONNECTED,
        new OpOptions.FullyConnected(FusedActivation.RELU6, false),
        new int[] {1, 20},
        new int[] {7, 20},
        new int[] {1, 7},
        0);
  }

  @Test
  void poolsAndMeanAgreeWithFloat() {
    QuantParams p = QuantParams.perTensor(0.03f, -7);
    OpOptions.Pool pool =
        OpOptions.Pool.DEFAULT.withFilter(3, 3).withStrides(2, 2).withPadding("SAME");
    for (OpKind k : new OpKind[] {OpKind.AVERAGE_POOL_2D, OpKind.MAX_POOL_2D}) {
      LoweredGraph[] g = twins(k, pool, new int[] {1, 7, 7, 2}, new int[] {1, 4, 4, 2}, p, p);
      compare(g[0], g[1], p, p, k.toString());
    }
    QuantParams out = QuantParams.perTensor(0.011f, 3);
    LoweredGraph[] g = twins(OpKind.MEAN, null, new int[] {1, 5, 4, 40}, new int[] {1, 40}, p, out);
    // TFLite's reference MEAN folds 1/n into the multiplier by shrinking the shift, so SRDHM rounds
    // at
    // a coarse (¼ LSB here) resolution before the final shift: double rounding is off by one more
    // often.
    compare(g[0], g[1], p, out, "MEAN", 0.75);
  }

  /** Single-input op in int8 and float (MEAN gets its axes constant). */
  private static LoweredGraph[] twins(
      OpKind k, OpOptions o, int[] xs, int[] ys, QuantParams xq, QuantParams yq) {
    LoweredGraph[] r = new LoweredGraph[2];
    for (int f = 0; f < 2; f++) {
      LoweredGraphBuilder b = new LoweredGraphBuilder("t");
      DType t = f == 0 ? DType.INT8 : DType.FLOAT32;
      int x = b.addTensor(TensorSpec.activation("x", xs, t, f == 0 ? xq : null));
      int y = b.addTensor(TensorSpec.activation("y", ys, t, f == 0 ? yq : null));
      int[] in =
          k == OpKind.MEAN
              ? new int[] {
                x,
                b.addTensor(
                    new TensorSpec("axes", new int[] {2}, DType.INT32, null, new int[] {1, 2}))
              }
              : new int[] {x};
      b.addOp(k, in, new int[] {y}, o);
      r[f] = b.setInputs(x).setOutputs(y).build();
    }
    return r;
  }
}
