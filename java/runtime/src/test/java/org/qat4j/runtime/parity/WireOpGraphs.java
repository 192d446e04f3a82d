package org.qat4j.runtime.parity;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random single-op graphs for the operators wired after the op-pipeline redesign (issue 13), int8
 * or uint8 at random; {@link OpGraphs#create} asks here first.
 */
final class WireOpGraphs {
  private final SplittableRandom r;
  private final LoweredGraphBuilder b;
  private final DType type;
  private String desc;

  private WireOpGraphs(OpKind k, SplittableRandom r) {
    this(k, r, r.nextBoolean() ? DType.INT8 : DType.UINT8);
  }

  private WireOpGraphs(OpKind k, SplittableRandom r, DType type) {
    this.r = r;
    this.b = new LoweredGraphBuilder(k.name());
    this.type = type;
    this.desc = type.toString();
  }

  /** A random graph of {@code kind}, or null when OpGraphs generates it itself. */
  static OpGraphs.Case create(OpKind kind, SplittableRandom r) {
    return switch (kind) {
      case SUB -> new WireOpGraphs(kind, r).sub();
      case CAST -> new WireOpGraphs(kind, r).cast();
      case ARG_MAX, ARG_MIN -> new WireOpGraphs(kind, r).arg(kind);
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR -> new WireOpGraphs(kind, r).resize(kind);
      case MAXIMUM, MINIMUM -> new WireOpGraphs(kind, r).maxMin(kind);
      case TANH, LEAKY_RELU -> new WireOpGraphs(kind, r).unary(kind);
      case PRELU -> new WireOpGraphs(kind, r).prelu();
      case PADV2 -> new WireOpGraphs(kind, r).padV2();
      case SQUARED_DIFFERENCE -> new WireOpGraphs(kind, r, DType.INT8).squaredDifference();
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> LstmGraphs.create(r);
      case L2_NORMALIZATION -> new WireOpGraphs(kind, r).l2Norm();
      case ELU -> new WireOpGraphs(kind, r, DType.INT8).unary(kind);
      case TRANSPOSE_CONV -> TransposeConvGen.create(r);
      case GELU -> new WireOpGraphs(kind, r).gelu();
      default -> null;
    };
  }

  private int zp() {
    return r.nextInt(256) - (type == DType.UINT8 ? 0 : 128);
  }

  private QuantParams qp() {
    return QuantParams.perTensor(0.005f + 0.1f * (float) r.nextDouble(), zp());
  }

  private int act(String name, int[] shape, QuantParams q) {
    return b.addTensor(TensorSpec.activation(name, shape, type, q));
  }

  private FusedActivation fused() {
    FusedActivation a = FusedActivation.values()[r.nextInt(4)];
    desc += " " + a;
    return a;
  }

  private int[] shape(int rank) {
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) s[i] = 1 + r.nextInt(5);
    return s;
  }

  /** {@code s} with some dimensions set to 1 and maybe leading ones dropped (NumPy broadcast). */
  private int[] broadcastOf(int[] s) {
    int v = r.nextInt(3);
    if (v == 0) return s.clone();
    int[] t = s.clone();
    for (int i = 0; i < t.length; i++) if (r.nextInt(3) == 0) t[i] = 1;
    return v == 1 ? t : Arrays.copyOfRange(t, r.nextInt(t.length + 1), t.length);
  }

  private OpGraphs.Case done(int[] in, int y) {
    LoweredGraph g = b.setInputs(in).setOutputs(y).build();
    StringBuilder d = new StringBuilder(desc);
    for (int i : in) d.append(" in ").append(Arrays.toString(g.tensor(i).shape()));
    d.append(" out ").append(Arrays.toString(g.tensor(y).shape()));
    return new OpGraphs.Case(g, 0, 0, d.toString(), false);
  }

  /**
   * CAST between FLOAT32, INT32, INT8 and UINT8 (8-bit tensors raw, without quantization, as in
   * Google's pose models); float sources stay inside the destination's range, where C defines the
   * conversion.
   */
  private OpGraphs.Case cast() {
    DType[] types = {DType.FLOAT32, DType.INT32, DType.INT8, DType.UINT8};
    DType from = types[r.nextInt(4)], to = types[r.nextInt(4)];
    if (from == to) to = types[(Arrays.asList(types).indexOf(from) + 1) % 4];
    int[] s = shape(1 + r.nextInt(4));
    int x = b.addTensor(TensorSpec.activation("x", s, from, null));
    int y = b.addTensor(TensorSpec.activation("y", s, to, null));
    b.addOp(OpKind.CAST, new int[] {x}, new int[] {y}, null);
    desc = from + "→" + to;
    float lo = to == DType.UINT8 ? 0 : to == DType.INT8 ? -128 : -2e9f;
    float hi = to == DType.UINT8 ? 255.99f : to == DType.INT8 ? 127.99f : 2e9f;
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    return new OpGraphs.Case(g, lo, hi, desc + " " + Arrays.toString(s), false);
  }

  /**
   * ARG_MAX/ARG_MIN along a random axis (an INT32 or INT64 constant) of a rank 1–4 tensor, INT32 or
   * INT64 indices.
   */
  private OpGraphs.Case arg(OpKind k) {
    int rank = 1 + r.nextInt(4), axis = r.nextInt(rank);
    int[] s = shape(rank);
    int[] os = new int[rank - 1];
    for (int i = 0, j = 0; i < rank; i++) if (i != axis) os[j++] = s[i];
    DType out = r.nextBoolean() ? DType.INT64 : DType.INT32;
    int x = act("x", s, qp());
    boolean wide = r.nextBoolean(); // converters write the axis as INT64 too
    int a =
        b.addTensor(
            new TensorSpec(
                "axis",
                new int[] {1},
                wide ? DType.INT64 : DType.INT32,
                null,
                wide ? new long[] {axis} : new int[] {axis}));
    int y = b.addTensor(TensorSpec.activation("y", os, out, null));
    b.addOp(k, new int[] {x, a}, new int[] {y}, new OpOptions.ArgMinMax(out));
    desc += " axis " + axis + (wide ? " (INT64)" : "") + " → " + out;
    return done(new int[] {x}, y);
  }

  /**
   * RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR of an NHWC tensor to a random size, plain, with
   * align_corners or with half_pixel_centers; output parameters equal the input's.
   */
  private OpGraphs.Case resize(OpKind k) {
    int[] s = {1 + r.nextInt(2), 1 + r.nextInt(8), 1 + r.nextInt(8), 1 + r.nextInt(5)};
    int[] size = {1 + r.nextInt(16), 1 + r.nextInt(16)};
    int mode = r.nextInt(3);
    if (k == OpKind.RESIZE_BILINEAR && type == DType.UINT8 && r.nextInt(4) == 0) {
      // TFLite's own uint8 kernel: exact 8× half-pixel upscale, depth a multiple of 8
      s = new int[] {1 + r.nextInt(2), 1 + r.nextInt(4), 1 + r.nextInt(4), 8 * (1 + r.nextInt(2))};
      size = new int[] {8 * s[1], 8 * s[2]};
      mode = 2;
    }
    QuantParams q = qp();
    int x = act("x", s, q);
    int st = b.addTensor(new TensorSpec("size", new int[] {2}, DType.INT32, null, size));
    int y = act("y", new int[] {s[0], size[0], size[1], s[3]}, q);
    b.addOp(k, new int[] {x, st}, new int[] {y}, new OpOptions.Resize(mode == 1, mode == 2));
    desc += mode == 1 ? " align_corners" : mode == 2 ? " half_pixel_centers" : "";
    return done(new int[] {x}, y);
  }

  /** MAXIMUM/MINIMUM, either input broadcast; inputs and output share their parameters. */
  private OpGraphs.Case maxMin(OpKind k) {
    int[] s = shape(1 + r.nextInt(4));
    int[] sb = broadcastOf(s);
    QuantParams q = qp();
    int x = act("x", s, q), x2 = act("x2", sb, q), y = act("y", s, q);
    b.addOp(k, new int[] {x, x2}, new int[] {y}, null);
    return done(new int[] {x, x2}, y);
  }

  /**
   * TANH (half the graphs with the spec's output (1/128, 0), or 128 for uint8; the rest random) or
   * LEAKY_RELU with a random slope in (0, 1) or, for a quarter, in (1, 3), or ELU (int8 only:
   * TFLite has no uint8 kernel).
   */
  private OpGraphs.Case unary(OpKind k) {
    int[] s = shape(1 + r.nextInt(4));
    int x = act("x", s, qp());
    boolean spec = k == OpKind.TANH && r.nextBoolean();
    int zp = type == DType.UINT8 ? 128 : 0;
    int y = act("y", s, spec ? QuantParams.perTensor(1f / 128, zp) : qp());
    OpOptions o = null;
    if (k == OpKind.LEAKY_RELU) {
      // a quarter above 1: Keras's selu and ELU(α > 1) import as ELU then LEAKY_RELU(α)
      double u = r.nextDouble();
      float alpha = (float) (u < 0.75 ? 0.01 + 0.98 * u / 0.75 : 1 + 2 * (u - 0.75) / 0.25);
      o = new OpOptions.LeakyRelu(alpha);
      desc += " alpha " + alpha;
    }
    b.addOp(k, new int[] {x}, new int[] {y}, o);
    return done(new int[] {x}, y);
  }

  /** GELU, int8 or uint8, erf or tanh form at random, with output parameters of its own. */
  private OpGraphs.Case gelu() {
    int[] s = shape(1 + r.nextInt(4));
    int x = act("x", s, qp()), y = act("y", s, qp());
    boolean approximate = r.nextBoolean();
    desc += approximate ? " approximate" : " erf";
    b.addOp(OpKind.GELU, new int[] {x}, new int[] {y}, new OpOptions.Gelu(approximate));
    return done(new int[] {x}, y);
  }

  /** PRELU with a constant slope tensor of its own parameters, per channel or full shape. */
  private OpGraphs.Case prelu() {
    int[] s = shape(2 + r.nextInt(3));
    int[] as = r.nextBoolean() ? new int[] {s[s.length - 1]} : broadcastOf(s);
    int n = 1;
    for (int d : as) n *= d;
    byte[] alpha = new byte[n];
    r.nextBytes(alpha);
    int x = act("x", s, qp());
    int a = b.addTensor(new TensorSpec("alpha", as, type, qp(), alpha));
    int y = act("y", s, qp());
    b.addOp(OpKind.PRELU, new int[] {x, a}, new int[] {y}, null);
    desc += " alpha " + Arrays.toString(as);
    return done(new int[] {x}, y);
  }

  /** PADV2 of a rank 1–4 tensor with a random constant fill (parameters shared). */
  private OpGraphs.Case padV2() {
    int[] s = shape(1 + r.nextInt(4));
    int[] p = new int[2 * s.length];
    int[] os = s.clone();
    for (int d = 0; d < s.length; d++) {
      p[2 * d] = r.nextInt(3);
      p[2 * d + 1] = r.nextInt(3);
      os[d] += p[2 * d] + p[2 * d + 1];
    }
    QuantParams q = qp();
    int x = act("x", s, q);
    int pads = b.addTensor(new TensorSpec("pads", new int[] {s.length, 2}, DType.INT32, null, p));
    byte fill = (byte) r.nextInt(256);
    int c = b.addTensor(new TensorSpec("fill", new int[] {}, type, q, new byte[] {fill}));
    int y = act("y", os, q);
    b.addOp(OpKind.PADV2, new int[] {x, pads, c}, new int[] {y}, null);
    desc += " pads " + Arrays.toString(p) + " fill " + (type == DType.UINT8 ? fill & 0xFF : fill);
    return done(new int[] {x}, y);
  }

  /**
   * SQUARED_DIFFERENCE (int8: TFLite has no uint8 kernel), either input broadcast; the output scale
   * spans 0.3–3 times the largest square of the input difference over 255.
   */
  private OpGraphs.Case squaredDifference() {
    int[] s = shape(1 + r.nextInt(4));
    int[] sb = broadcastOf(s);
    QuantParams q1 = qp(), q2 = qp();
    double range = 128 * (q1.scale() + q2.scale());
    float so = (float) (range * range / 255 * (0.3 + 2.7 * r.nextDouble()));
    int x = act("x", s, q1), x2 = act("x2", sb, q2);
    int y = act("y", s, QuantParams.perTensor(so, -128 + r.nextInt(64)));
    b.addOp(OpKind.SQUARED_DIFFERENCE, new int[] {x, x2}, new int[] {y}, null);
    return done(new int[] {x, x2}, y);
  }

  /** SUB of two quantized tensors, either one broadcast. */
  private OpGraphs.Case sub() {
    int[] s = shape(1 + r.nextInt(4));
    int[] sa = s, sb = broadcastOf(s);
    if (r.nextBoolean()) {
      sa = sb;
      sb = s;
    }
    int x = act("x", sa, qp()), x2 = act("x2", sb, qp());
    int y = act("y", s, QuantParams.perTensor(0.01f + 0.2f * (float) r.nextDouble(), zp()));
    b.addOp(OpKind.SUB, new int[] {x, x2}, new int[] {y}, new OpOptions.Activated(fused()));
    return done(new int[] {x, x2}, y);
  }

  /**
   * L2_NORMALIZATION of a rank 1–4 tensor whose last dimension holds 1–40 values, or (one graph in
   * four) of a [1–2, up to 30,000] tensor, whose sums of squares pass 2^29 and take the inverse
   * square root's scaling loop; output (1/128, 0), or 128 for uint8, as TFLite requires.
   */
  private OpGraphs.Case l2Norm() {
    boolean wide = r.nextInt(4) == 0;
    int[] s = wide ? new int[] {1 + r.nextInt(2), 1 + r.nextInt(30000)} : shape(1 + r.nextInt(4));
    if (!wide) s[s.length - 1] = 1 + r.nextInt(40);
    int x = act("x", s, qp());
    int y = act("y", s, QuantParams.perTensor(1f / 128, type == DType.UINT8 ? 128 : 0));
    b.addOp(OpKind.L2_NORMALIZATION, new int[] {x}, new int[] {y}, null);
    return done(new int[] {x}, y);
  }
}
