package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * SUM and REDUCE_MAX, and the reduction plan MEAN shares ({@link Plan}: constant INT32 axes,
 * negative axes counted from the end, repeats allowed, each input element mapped to its output
 * element). int8/uint8 SUM as measured on TFLite 2.20 BUILTIN: the int32 sum S of the n raw values
 * becomes clamp(round(S·k + b) + zp_out) with k = s_in/s_out and b = −zp_in·k·n in float32,
 * rounding half away from zero; also when input and output parameters are equal (then k = 1, so S −
 * zp·(n−1) is clamped, not wrapped). REDUCE_MAX needs equal parameters, as TFLite's Prepare does,
 * and takes the raw maximum.
 */
final class ReduceKernels {
  private ReduceKernels() {}

  /** Elements per output ({@code n}) and the output element of each input element. */
  record Plan(int n, int[] map) {}

  /** The reduction of {@code op} (input 1 = constant axes); checks the output's element count. */
  static Plan plan(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] axes = Layout.constInts(op, consts, 1, "axes");
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] shape = x.shape();
    boolean[] reduce = new boolean[shape.length];
    for (int a : axes) reduce[Layout.axis(a, shape.length, op.kind().toString())] = true;
    int n = 1, outN = 1;
    for (int d = 0; d < shape.length; d++) {
      if (reduce[d]) n *= shape[d];
      else outN *= shape[d];
    }
    if (outN != y.elements())
      throw new IllegalArgumentException(
          "output has "
              + y.elements()
              + " elements, expected "
              + outN
              + " for axes "
              + Arrays.toString(axes));
    int[] map = new int[x.elements()], idx = new int[shape.length];
    for (int i = 0; i < map.length; i++) {
      int o = 0;
      for (int d = 0; d < shape.length; d++) if (!reduce[d]) o = o * shape[d] + idx[d];
      map[i] = o;
      Layout.next(idx, shape);
    }
    return new Plan(n, map);
  }

  /** y[map[i]] = Σ x[i]: the raw integer sums over the reduced axes (overwrites y). */
  static void sumInto(int[] x, int[] y, int[] map) {
    Arrays.fill(y, 0);
    for (int i = 0; i < x.length; i++) y[map[i]] += x[i];
  }

  static Simulator.Kernel sum(LoweredGraph g, OpSpec op, Object[] consts) {
    Plan p = plan(g, op, consts);
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    checkTypes(op.kind(), x, y);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    int[] map = p.map();
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        Arrays.fill(yv, 0f);
        for (int i = 0; i < xv.length; i++) yv[map[i]] += xv[i];
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    float k = qi.scale() / qo.scale();
    float bias = -qi.zp() * k * (float) p.n();
    return v -> {
      int[] yv = (int[]) v[yi];
      sumInto((int[]) v[xi], yv, map);
      for (int j = 0; j < yv.length; j++) {
        int q = QuantMath.cRoundToInt((float) yv[j] * k + bias) + qo.zp();
        yv[j] = QuantMath.clamp(q, qo.qmin(), qo.qmax());
      }
    };
  }

  static Simulator.Kernel max(LoweredGraph g, OpSpec op, Object[] consts) {
    Plan p = plan(g, op, consts);
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    checkTypes(op.kind(), x, y);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    int[] map = p.map();
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        Arrays.fill(yv, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < xv.length; i++) yv[map[i]] = Math.max(yv[map[i]], xv[i]);
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    if (qi.scale() != qo.scale() || qi.zp() != qo.zp())
      throw new IllegalArgumentException(
          "quantized REDUCE_MAX needs equal input and output parameters (TFLite refuses others)");
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      Arrays.fill(yv, Integer.MIN_VALUE);
      for (int i = 0; i < xv.length; i++) yv[map[i]] = Math.max(yv[map[i]], xv[i]);
    };
  }

  private static void checkTypes(OpKind k, TensorSpec x, TensorSpec y) {
    if (x.type() != y.type())
      throw new IllegalArgumentException(k + " output type " + y.type() + " != input " + x.type());
  }
}
