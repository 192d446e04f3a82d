package org.qat4j.tflite;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.qat4j.ir.OpKind;

/**
 * Option and operand sanity for builtins whose options TFLite would otherwise silently default (a
 * missing or mistyped options union gives stride 0 or a wrong filter): expected options type,
 * positive strides/filters/dilations, operand ranks, and the per-axis dimension of conv filters.
 */
final class OperatorChecks {
  private OperatorChecks() {}

  /** Upper bound of strides, dilations and pooling windows (far above any image size). */
  static final int MAX_WINDOW = 1 << 16;

  /** A builtin outside {@link OpKind} whose options TFLite would default silently. */
  private static final int SQUEEZE = 43;

  /** What operator {@code code} must carry, or null when it is not checked here. */
  private static TfliteOps.Expect expect(int code) {
    OpKind k = OpKind.fromBuiltin(code);
    if (k != null) return TfliteOps.expect(k);
    if (code == SQUEEZE) return new TfliteOps.Expect("SqueezeOptions", false, 1);
    return null;
  }

  static void check(SubgraphInfo s, OperatorInfo op, String w) {
    if (op.custom()) return;
    checkQuantizedOperands(s, op, w);
    TfliteOps.Expect e = expect(op.builtinCode());
    OpKind kind = OpKind.fromBuiltin(op.builtinCode());
    if (e == null) return;
    if (!op.optionsType().equals("NONE") && !op.optionsType().equals(e.options())) {
      throw new ModelFormatException(
          w, "options are " + op.optionsType() + ", expected " + e.options());
    }
    if (e.required() && op.optionsType().equals("NONE"))
      throw new ModelFormatException(w, "missing " + e.options());
    if (op.inputs().length < e.minInputs()) {
      throw new ModelFormatException(
          w, "has " + op.inputs().length + " inputs, needs at least " + e.minInputs());
    }
    if (op.outputs().length < 1) throw new ModelFormatException(w, "has no outputs");
    int[] ins = op.inputs();
    for (int k = 0; k < ins.length; k++) {
      // only a bias (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED input 2) or RESHAPE's shape input
      // may be absent;
      // a fuzzed MEAN without its data input crashed TFLite (SIGSEGV)
      boolean optional = kind != null && kind.optionalInput(k);
      if (ins[k] < 0 && !optional)
        throw new ModelFormatException(w, "required input " + k + " is absent (-1)");
    }
    Map<String, Object> o = op.options();
    for (String key :
        new String[] {
          "stride_h",
          "stride_w",
          "dilation_h_factor",
          "dilation_w_factor",
          "filter_height",
          "filter_width"
        }) {
      Object v = o.get(key);
      if (v instanceof Integer i && (i < 1 || i > MAX_WINDOW)) {
        // TFLite's output-size arithmetic (in + stride - 1, (filter - 1) · dilation) overflows int
        // near 2^31:
        // a fuzzed stride_h of 2^31 - 1 ended in SIGFPE in the next depthwise kernel
        throw new ModelFormatException(
            w, key + " = " + i + " (must be in [1, " + MAX_WINDOW + "])");
      }
    }
    Object padding = o.get("padding");
    // TFLite maps any other value to "unknown" padding, computes 0-sized outputs and divides by
    // them (SIGFPE, fuzzed)
    if (padding != null && !padding.equals("SAME") && !padding.equals("VALID")) {
      throw new ModelFormatException(w, "padding " + padding + " is neither SAME nor VALID");
    }
    if (kind == OpKind.CONV_2D || kind == OpKind.DEPTHWISE_CONV_2D) checkConv(s, op, w);
    checkPerAxisOperands(s, op, w);
    checkNumericOperands(s, op, w);
    if (kind == OpKind.ADD || kind == OpKind.SUB) checkAddRescale(s, op, w);
    if (kind == OpKind.SQUARED_DIFFERENCE) checkSquaredDifferenceRescale(s, op, w);
    if (kind == OpKind.RESIZE_BILINEAR) checkResizeBilinearSize(s, op, w);
    if (kind == OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM) LstmChecks.check(s, op, w);
    if (kind == OpKind.L2_NORMALIZATION) checkL2NormRank(s, op, w);
  }

  /**
   * TFLite's L2_NORMALIZATION normalises along the last dimension and reads dimension rank − 1
   * unchecked: a scalar input would have it read before the shape (Prepare refuses only ranks above
   * 4, with an error).
   */
  private static void checkL2NormRank(SubgraphInfo s, OperatorInfo op, String w) {
    int rank = s.tensor(op.inputs()[0]).shape().length;
    if (rank < 1)
      throw new ModelFormatException(w, "input is a scalar; it needs 1 to 4 dimensions");
  }

  private static void checkConv(SubgraphInfo s, OperatorInfo op, String w) {
    int[] in = op.inputs();
    if (in[0] < 0 || in[1] < 0) throw new ModelFormatException(w, "input and filter are required");
    TensorInfo x = s.tensor(in[0]);
    TensorInfo f = s.tensor(in[1]);
    if (x.shape().length != 4)
      throw new ModelFormatException(
          w + ", input 0", "rank " + x.shape().length + ", expected 4 (NHWC)");
    if (f.shape().length != 4)
      throw new ModelFormatException(
          w + ", input 1", "filter rank " + f.shape().length + ", expected 4");
    if (op.builtinCode() == OpKind.CONV_2D.builtinCode())
      checkConvChannels(x.shape()[3], f.shape(), w);
    else checkDepthwiseChannels(x.shape()[3], f.shape()[3], w);
    // CONV_2D without bias is refused by TFLite itself; its float depthwise kernel reads the bias
    // unconditionally (SIGSEGV, fuzzed)
    if (op.builtinCode() == OpKind.DEPTHWISE_CONV_2D.builtinCode()
        && (in.length < 3 || in[2] < 0)) {
      throw new ModelFormatException(
          w, "has no bias tensor (TFLite's depthwise kernels need one; write zeros)");
    }
    QuantizationInfo q = f.quantization();
    int dim = op.builtinCode() == OpKind.CONV_2D.builtinCode() ? 0 : 3;
    if (q != null && q.perAxis() && q.quantizedDimension() != dim) {
      throw new ModelFormatException(
          w + ", input 1",
          "per-axis filter quantized along dimension "
              + q.quantizedDimension()
              + ", expected "
              + dim);
    }
  }

  /**
   * CONV_2D channels: TFLite runs a grouped convolution when the input has a multiple of the
   * filter's input channels, and its kernels divide by the per-group filter count, so groups that
   * do not divide the output channels crash the process (SIGFPE, found by MutationFuzz) or compute
   * garbage.
   */
  private static void checkConvChannels(int inC, int[] filter, String w) {
    int out = filter[0], perGroup = filter[3];
    if (inC == 0)
      return; // an empty input: TFLite leaves it unallocated and the runtime reports that
    if (perGroup < 1 || out < 1) {
      throw new ModelFormatException(
          w, "filter " + java.util.Arrays.toString(filter) + " has no input or output channels");
    }
    if (inC % perGroup != 0) {
      throw new ModelFormatException(
          w,
          "input has "
              + inC
              + " channels, not a multiple of the filter's "
              + perGroup
              + " input channels");
    }
    int groups = inC / perGroup;
    if (out % groups != 0) {
      throw new ModelFormatException(
          w,
          groups
              + " channel groups (input "
              + inC
              + " / filter "
              + perGroup
              + ") do not divide the "
              + out
              + " output channels");
    }
  }

  /**
   * DEPTHWISE_CONV_2D: TFLite takes the filter's channels modulo the input's, so 0 input channels
   * is a SIGFPE.
   */
  private static void checkDepthwiseChannels(int inC, int filterC, String w) {
    if (inC < 1) throw new ModelFormatException(w, "input has " + inC + " channels");
    if (filterC % inC != 0) {
      throw new ModelFormatException(
          w, "filter's " + filterC + " channels are not a multiple of the input's " + inC);
    }
  }

  /**
   * Per-axis quantization belongs to weights and biases (inputs 1 and 2 of CONV_2D,
   * DEPTHWISE_CONV_2D and FULLY_CONNECTED). Elsewhere TFLite reads a per-tensor scale and zero
   * point; a fuzzed ADD fed a per-axis weight tensor made it allocate and touch 24 GB until the
   * kernel's OOM killer ended the process.
   */
  private static void checkPerAxisOperands(SubgraphInfo s, OperatorInfo op, String w) {
    OpKind kind = OpKind.fromBuiltin(op.builtinCode());
    boolean weighted = kind != null && kind.weighted();
    int[] in = op.inputs();
    for (int k = 0; k < in.length; k++) {
      boolean transposed = kind == OpKind.TRANSPOSE_CONV && (k == 1 || k == 3);
      if (in[k] < 0 || (weighted && (k == 1 || k == 2)) || transposed) continue;
      QuantizationInfo q = s.tensor(in[k]).quantization();
      if (q != null && q.perAxis()) {
        throw new ModelFormatException(
            w + ", input " + k,
            "tensor " + in[k] + " is quantized per axis; only weights and biases may be");
      }
    }
    for (int out : op.outputs()) {
      QuantizationInfo q = s.tensor(out).quantization();
      if (q != null && q.perAxis())
        throw new ModelFormatException(w, "output tensor " + out + " is quantized per axis");
    }
  }

  /**
   * Builtins that move or convert 8-bit values without reading their scale or zero point, so TFLite
   * runs them on INT8/UINT8 tensors that carry no quantization parameters (e.g. a raw uint8 image →
   * CAST → float, as in Google's pose models). Named, not numbered: the codes come from {@link
   * BuiltinNames}.
   */
  static final Set<Integer> RAW_8BIT_OK =
      Stream.of(
              "CAST",
              "RESHAPE",
              "SQUEEZE",
              "EXPAND_DIMS",
              "TRANSPOSE",
              "GATHER",
              "GATHER_ND",
              "SLICE",
              "STRIDED_SLICE",
              "SPLIT",
              "SPLIT_V",
              "PACK",
              "UNPACK",
              "TILE",
              "SHAPE",
              "ARG_MAX",
              "ARG_MIN",
              "DEPTH_TO_SPACE",
              "SPACE_TO_DEPTH",
              "REVERSE_V2",
              "BROADCAST_TO")
          .map(BuiltinNames::code)
          .collect(Collectors.toUnmodifiableSet());

  /**
   * Every other builtin computes with the scale of its INT8/UINT8 operands: without quantization
   * parameters TFLite reads scale 0 and returns silent garbage (FULLY_CONNECTED: bias-only output)
   * or divides by it.
   */
  private static void checkQuantizedOperands(SubgraphInfo s, OperatorInfo op, String w) {
    if (RAW_8BIT_OK.contains(op.builtinCode())) return;
    for (int[] group : new int[][] {op.inputs(), op.outputs()}) {
      for (int t : group) {
        if (t < 0) continue;
        TensorInfo info = s.tensor(t);
        boolean eightBit =
            info.typeCode() == ModelValidator.INT8 || info.typeCode() == ModelValidator.UINT8;
        if (eightBit && (info.quantization() == null || !info.quantization().hasScales())) {
          throw new ModelFormatException(
              ModelValidator.tensorWhere(w, info),
              info.typeName()
                  + " tensor without quantization parameters (scale/zero_point), which "
                  + op.opName()
                  + " computes with");
        }
      }
    }
  }

  /** Numeric tensor types the builtins checked here compute on. */
  private static final Set<Integer> NUMERIC =
      Set.of(
          ModelValidator.FLOAT32,
          ModelValidator.FLOAT16,
          ModelValidator.INT32,
          ModelValidator.UINT8,
          ModelValidator.INT64,
          ModelValidator.INT16,
          ModelValidator.INT8);

  /**
   * A fuzzed INT8 → RESOURCE type change on FULLY_CONNECTED's input crashed TFLite in invoke
   * (SIGSEGV).
   */
  private static void checkNumericOperands(SubgraphInfo s, OperatorInfo op, String w) {
    for (int[] group : new int[][] {op.inputs(), op.outputs()}) {
      for (int t : group) {
        if (t < 0) continue;
        TensorInfo info = s.tensor(t);
        if (!NUMERIC.contains(info.typeCode())) {
          throw new ModelFormatException(
              w, "operand tensor " + t + " has type " + info.typeName() + ", not a numeric type");
        }
      }
    }
  }

  /**
   * Quantized ADD/SUB rescale both inputs to 2·max(input scales) and then to the output with a
   * multiplier TFLite requires to be below 1 after its 2^20 (int8/uint8; 2^15 for int16) headroom
   * shift, checked with an abort(): a fuzzed output scale of 4e-13 killed the process (SIGABRT).
   */
  private static void checkAddRescale(SubgraphInfo s, OperatorInfo op, String w) {
    int[] in = op.inputs();
    if (in.length < 2 || in[0] < 0 || in[1] < 0) return;
    TensorInfo a = s.tensor(in[0]), b = s.tensor(in[1]), y = s.tensor(op.outputs()[0]);
    int type = y.typeCode();
    if (type != ModelValidator.UINT8 && type != ModelValidator.INT8 && type != ModelValidator.INT16)
      return;
    double sa = scale(a), sb = scale(b), sy = scale(y);
    if (!(sa > 0 && sb > 0 && sy > 0))
      return; // missing scales are reported by the quantization checks
    // float32 products as in TFLite's Prepare: a huge output scale overflows 2^20·s_out to
    // infinity, the multiplier becomes 0 and TFLite's CHECK aborts (fuzzed SUB, scale 1.3e35)
    float twice = 2 * (float) Math.max(sa, sb);
    double multiplier = twice / ((type == ModelValidator.INT16 ? 1 << 15 : 1 << 20) * (float) sy);
    if (!(multiplier > 0 && multiplier < 1 && Float.isFinite(twice))) {
      throw new ModelFormatException(
          w,
          "output scale "
              + sy
              + " is too small for input scales "
              + sa
              + " and "
              + sb
              + ", or too large (TFLite's output multiplier "
              + multiplier
              + " must be in (0, 1))");
    }
  }

  /**
   * Int8 SQUARED_DIFFERENCE rescales the squared difference by (2·max(s1, s2))²/(2^14·s_out), which
   * TFLite requires below 1 with a CHECK that aborts the process otherwise.
   */
  private static void checkSquaredDifferenceRescale(SubgraphInfo s, OperatorInfo op, String w) {
    int[] in = op.inputs();
    if (in.length < 2 || in[0] < 0 || in[1] < 0) return;
    TensorInfo y = s.tensor(op.outputs()[0]);
    if (y.typeCode() != ModelValidator.INT8) return;
    double sa = scale(s.tensor(in[0])), sb = scale(s.tensor(in[1])), sy = scale(y);
    if (!(sa > 0 && sb > 0 && sy > 0)) return; // reported by the quantization checks
    double twice = 2.0 * (float) Math.max(sa, sb);
    double multiplier = twice * twice / ((1 << 14) * (float) sy);
    if (!(multiplier > 0 && multiplier < 1)) {
      throw new ModelFormatException(
          w,
          "output scale "
              + sy
              + " does not fit the input scales (TFLite's output multiplier "
              + multiplier
              + " must be in (0, 1))");
    }
  }

  /**
   * TFLite's int8/int16 RESIZE_BILINEAR computes its scale as 2^10·input size in int32, which
   * overflows from 2^21 pixels on: a fuzzed width of 2,097,156 crashed the process in invoke.
   */
  private static void checkResizeBilinearSize(SubgraphInfo s, OperatorInfo op, String w) {
    if (op.inputs()[0] < 0) return;
    TensorInfo x = s.tensor(op.inputs()[0]);
    if (x.typeCode() != ModelValidator.INT8 && x.typeCode() != ModelValidator.INT16) return;
    int[] d = x.shape();
    for (int k = 1; k <= 2 && k < d.length; k++) {
      if (d[k] >= 1 << 20)
        throw new ModelFormatException(
            w + ", input 0", "spatial size " + d[k] + " must be below 2^20 for the integer kernel");
    }
  }

  private static double scale(TensorInfo t) {
    QuantizationInfo q = t.quantization();
    return q == null || q.scales().length == 0 ? 0 : q.scales()[0];
  }
}
