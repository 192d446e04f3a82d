package org.qat4j.tflite;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * The TFLite int8 quantization spec (quantization.md §5) as a pre-export check of a lowered graph:
 * weights int8 with zero point 0 (per-axis only on dim 0 of CONV_2D and TRANSPOSE_CONV and dim 3 of
 * DEPTHWISE_CONV_2D), int32 bias with zero point 0 and scale s_in·s_w, SOFTMAX/LOGISTIC outputs
 * (1/256, −128), L2_NORMALIZATION outputs (1/128, 0), CONCATENATION inputs sharing the output's
 * parameters, pass-through ops (pools, RESHAPE, PAD) keeping their input's parameters. Only ops
 * whose input is INT8 are checked, so float and uint8 graphs report nothing. The writer does not
 * call this; exporters and the CLI do.
 */
public final class Int8Spec {
  private Int8Spec() {}

  /**
   * Every violation, each naming the operator and tensor; empty when the graph follows the spec.
   */
  public static List<String> violations(LoweredGraph g) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      OpSpec op = g.ops().get(i);
      TfliteOps.Int8Rule rule = TfliteOps.int8Rule(op.kind());
      // TRANSPOSE_CONV's input 0 is its INT32 output shape; its data is input 2
      TensorSpec x = tensor(g, op.inputs(), rule == TfliteOps.Int8Rule.TRANSPOSED ? 2 : 0);
      TensorSpec y = tensor(g, op.outputs(), 0);
      if (x == null || y == null || x.type() != DType.INT8) continue;
      String w = "operator " + i + " (" + op.kind() + ")";
      switch (rule) {
        case WEIGHTED -> weighted(g, op, w, x, out, 2);
        case TRANSPOSED -> weighted(g, op, w, x, out, 3);
        case FIXED_OUTPUT -> fixed(y, 1f / 256, -128, w, out);
        case FIXED_OUTPUT_128 -> fixed(y, 1f / 128, 0, w, out);
        case SHARED_INPUTS -> {
          for (int k = 0; k < op.inputs().length; k++) {
            TensorSpec t = tensor(g, op.inputs(), k);
            if (t != null && !same(t.quant(), y.quant()))
              out.add(
                  w
                      + ": input "
                      + k
                      + " '"
                      + t.name()
                      + "' "
                      + t.quant()
                      + " differs from output "
                      + y.quant());
          }
        }
        case PASS_THROUGH -> {
          if (!same(x.quant(), y.quant()))
            out.add(
                w + ": output '" + y.name() + "' " + y.quant() + " must equal input " + x.quant());
        }
        case FREE -> {}
      }
    }
    return out;
  }

  /** Weights are input 1, the bias is input {@code biasAt} (2, or TRANSPOSE_CONV's 3). */
  private static void weighted(
      LoweredGraph g, OpSpec op, String w, TensorSpec x, List<String> out, int biasAt) {
    TensorSpec f = tensor(g, op.inputs(), 1);
    if (f == null) return;
    QuantParams q = f.quant();
    if (f.type() != DType.INT8 || q == null) {
      out.add(w + ": weights '" + f.name() + "' must be INT8 with quantization, got " + f.type());
      return;
    }
    for (long z : q.zeroPoints())
      if (z != 0) {
        out.add(w + ": weights '" + f.name() + "' zero point " + z + " must be 0");
        break;
      }
    int dim =
        op.kind() == OpKind.CONV_2D || op.kind() == OpKind.TRANSPOSE_CONV
            ? 0
            : op.kind() == OpKind.DEPTHWISE_CONV_2D ? 3 : -1;
    if (q.perAxis() && q.quantizedDimension() != dim) {
      out.add(
          w
              + ": weights '"
              + f.name()
              + "' per-axis along "
              + q.quantizedDimension()
              + (dim < 0 ? ", must be per-tensor" : ", must be " + dim));
    }
    TensorSpec b = tensor(g, op.inputs(), biasAt);
    if (b == null) return;
    if (b.type() != DType.INT32 || b.quant() == null) {
      out.add(w + ": bias '" + b.name() + "' must be INT32 with quantization, got " + b.type());
      return;
    }
    float[] sw = q.scales();
    float[] sb = b.quant().scales();
    for (int c = 0; c < sb.length; c++) {
      double want =
          (double) x.quant().scale() * sw[sw.length == 1 ? 0 : Math.min(c, sw.length - 1)];
      if (Math.abs(sb[c] - want) > 1e-6 * want + 1e-30) {
        out.add(
            w
                + ": bias '"
                + b.name()
                + "' scale["
                + c
                + "] = "
                + sb[c]
                + ", expected s_in·s_w = "
                + (float) want);
        break;
      }
    }
    for (long z : b.quant().zeroPoints())
      if (z != 0) {
        out.add(w + ": bias '" + b.name() + "' zero point must be 0");
        break;
      }
  }

  private static void fixed(TensorSpec y, float scale, long zp, String w, List<String> out) {
    QuantParams q = y.quant();
    if (q == null || q.perAxis() || q.scale() != scale || q.zeroPoint() != zp) {
      out.add(w + ": output '" + y.name() + "' must be (" + scale + ", " + zp + "), got " + q);
    }
  }

  private static boolean same(QuantParams a, QuantParams b) {
    return a != null
        && b != null
        && !a.perAxis()
        && !b.perAxis()
        && a.scale() == b.scale()
        && a.zeroPoint() == b.zeroPoint();
  }

  private static TensorSpec tensor(LoweredGraph g, int[] idx, int k) {
    if (k >= idx.length || idx[k] < 0 || idx[k] >= g.tensors().size()) return null;
    return g.tensor(idx[k]);
  }
}
