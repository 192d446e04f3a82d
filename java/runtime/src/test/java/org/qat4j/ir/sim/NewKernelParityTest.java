package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * Kernels written ahead of their op-table wiring (RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR,
 * ARG_MAX, ARG_MIN, quantized SUB, CAST) equal TFLite 2.20 BUILTIN bit for bit on random one-op
 * models (raw .tflite, random shapes, flags and values), uint8 and int8 (and float32 for the arg
 * ops).
 */
@Tag("native")
class NewKernelParityTest {
  static final int FLOAT32 = 0, INT32 = 2, UINT8 = 3, INT64 = 4, INT8 = 9;
  static final int CASES = Integer.getInteger("qat4j.parity.graphs", 60);

  @ParameterizedTest
  @ValueSource(ints = {UINT8, INT8})
  void resizeBilinearEqualsBuiltin(int type) {
    SplittableRandom r = new SplittableRandom(23 + type);
    long values = 0;
    for (int k = 0; k < CASES; k++) {
      int mode = r.nextInt(3);
      ResizeBilinearKernels.Shape s =
          new ResizeBilinearKernels.Shape(
              1 + r.nextInt(2),
              1 + r.nextInt(9),
              1 + r.nextInt(9),
              1 + r.nextInt(5),
              1 + r.nextInt(20),
              1 + r.nextInt(20),
              mode == 1,
              mode == 2);
      boolean u = type == UINT8;
      int[] x = new int[s.batch() * s.inH() * s.inW() * s.channels()];
      for (int i = 0; i < x.length; i++) x[i] = u ? r.nextInt(256) : r.nextInt(256) - 128;
      int[] want = new int[s.batch() * s.outH() * s.outW() * s.channels()];
      if (u) ResizeBilinearKernels.uint8(x, want, s);
      else ResizeBilinearKernels.integer(x, want, s);
      RawOpModel m =
          new RawOpModel(
              23,
              3,
              15,
              fb -> {
                fb.startTable(4);
                fb.addBoolean(2, s.alignCorners(), false);
                fb.addBoolean(3, s.halfPixel(), false);
                return fb.endTable();
              });
      float scale = 0.02f + (float) r.nextDouble();
      int zp = u ? r.nextInt(256) : r.nextInt(256) - 128;
      int xi =
          m.tensor(new int[] {s.batch(), s.inH(), s.inW(), s.channels()}, type, scale, zp, null);
      int si = m.tensor(new int[] {2}, INT32, 0, 0, ints(s.outH(), s.outW()));
      int yi =
          m.tensor(new int[] {s.batch(), s.outH(), s.outW(), s.channels()}, type, scale, zp, null);
      byte[] got =
          run(
              m.build(new int[] {xi, si}, new int[] {yi}, new int[] {xi}, new int[] {yi}),
              bytes(x));
      assertArrayEquals(bytes(want), got, "case " + k + ": " + s);
      values += want.length;
    }
    System.out.println(
        "RESIZE_BILINEAR type "
            + type
            + ": "
            + values
            + " values over "
            + CASES
            + " graphs equal BUILTIN");
  }

  @ParameterizedTest
  @ValueSource(ints = {UINT8, INT8, FLOAT32})
  void resizeNearestNeighborEqualsBuiltin(int type) {
    SplittableRandom r = new SplittableRandom(97 + type);
    for (int k = 0; k < CASES; k++) {
      int mode = r.nextInt(3),
          b = 1 + r.nextInt(2),
          ih = 1 + r.nextInt(9),
          iw = 1 + r.nextInt(9),
          c = 1 + r.nextInt(4);
      int oh = 1 + r.nextInt(20), ow = 1 + r.nextInt(20);
      int[] x = new int[b * ih * iw * c];
      for (int i = 0; i < x.length; i++) x[i] = r.nextInt(1 << 20);
      int[] want = new int[b * oh * ow * c];
      ResizeNearestKernels.resize(x, want, b, ih, iw, c, oh, ow, mode == 1, mode == 2);
      // ResizeNearestNeighborOptions = 74 in the BuiltinOptions union: 0 align_corners, 1
      // half_pixel_centers
      RawOpModel m =
          new RawOpModel(
              97,
              3,
              74,
              fb -> {
                fb.startTable(2);
                fb.addBoolean(0, mode == 1, false);
                fb.addBoolean(1, mode == 2, false);
                return fb.endTable();
              });
      float scale = type == FLOAT32 ? 0 : 0.1f;
      int xi = m.tensor(new int[] {b, ih, iw, c}, type, scale, type == UINT8 ? 3 : 0, null);
      int si = m.tensor(new int[] {2}, INT32, 0, 0, ints(oh, ow));
      int yi = m.tensor(new int[] {b, oh, ow, c}, type, scale, type == UINT8 ? 3 : 0, null);
      byte[] in = type == FLOAT32 ? floats(asFloats(x)) : bytes(x);
      byte[] got =
          run(m.build(new int[] {xi, si}, new int[] {yi}, new int[] {xi}, new int[] {yi}), in);
      byte[] exp = type == FLOAT32 ? floats(asFloats(want)) : bytes(want);
      assertArrayEquals(
          exp, got, "case " + k + " mode " + mode + " " + ih + "x" + iw + " -> " + oh + "x" + ow);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {UINT8, INT8})
  void quantizedSubEqualsBuiltin(int type) {
    SplittableRandom r = new SplittableRandom(41 + type);
    boolean u = type == UINT8;
    int qmin = u ? 0 : -128, qmax = u ? 255 : 127;
    long values = 0;
    for (int k = 0; k < CASES; k++) {
      int n = 1 + r.nextInt(300);
      float s1 = 0.005f + (float) r.nextDouble() * 0.2f,
          s2 = 0.005f + (float) r.nextDouble() * 0.2f;
      float so = 0.01f + (float) r.nextDouble() * 0.3f;
      int z1 = qmin + r.nextInt(256), z2 = qmin + r.nextInt(256), zo = qmin + r.nextInt(256);
      org.qat4j.ir.FusedActivation act =
          new org.qat4j.ir.FusedActivation[] {
                org.qat4j.ir.FusedActivation.NONE,
                org.qat4j.ir.FusedActivation.RELU,
                org.qat4j.ir.FusedActivation.RELU6
              }
              [r.nextInt(3)];
      SubKernels.Params p = SubKernels.prepare(s1, z1, s2, z2, so, zo, act, qmin, qmax);
      int[] a = new int[n], b = new int[n], want = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = qmin + r.nextInt(256);
        b[i] = qmin + r.nextInt(256);
        want[i] = p.apply(a[i], b[i]);
      }
      byte code =
          (byte)
              (act == org.qat4j.ir.FusedActivation.RELU6
                  ? 3
                  : act == org.qat4j.ir.FusedActivation.RELU ? 1 : 0);
      RawOpModel m =
          new RawOpModel(
              41,
              2,
              28,
              fb -> { // SubOptions = 28: 0 fused_activation_function
                fb.startTable(2);
                fb.addByte(0, code, 0);
                return fb.endTable();
              });
      int ai = m.tensor(new int[] {1, n}, type, s1, z1, null),
          bi = m.tensor(new int[] {1, n}, type, s2, z2, null);
      int yi = m.tensor(new int[] {1, n}, type, so, zo, null);
      byte[] got =
          run2(
              m.build(new int[] {ai, bi}, new int[] {yi}, new int[] {ai, bi}, new int[] {yi}),
              bytes(a),
              bytes(b));
      assertArrayEquals(
          bytes(want), got, "case " + k + " scales " + s1 + ", " + s2 + " -> " + so + " " + act);
      values += n;
    }
    System.out.println(
        "SUB type " + type + ": " + values + " values over " + CASES + " graphs equal BUILTIN");
  }

  /**
   * CAST between uint8, int8, int32 and float32: fractions, negatives, integer wrap-around (float
   * sources in range).
   */
  @org.junit.jupiter.api.Test
  void castEqualsBuiltin() {
    SplittableRandom r = new SplittableRandom(53);
    int[] types = {UINT8, INT8, INT32, FLOAT32};
    CastKernels.IntType[] kinds = {
      CastKernels.IntType.UINT8, CastKernels.IntType.INT8, CastKernels.IntType.INT32, null
    };
    for (int a = 0; a < types.length; a++) {
      for (int b = 0; b < types.length; b++) {
        if (a == b) continue;
        int n = 500;
        int[] xi = new int[n];
        float[] xf = new float[n];
        for (int i = 0; i < n; i++) {
          xi[i] =
              types[a] == UINT8
                  ? r.nextInt(256)
                  : types[a] == INT8 ? r.nextInt(256) - 128 : r.nextInt();
          // float → integer only within the destination's range: outside it the C conversion is
          // undefined
          double lo = types[b] == UINT8 ? 0 : types[b] == INT8 ? -128 : -2e9,
              hi = types[b] == UINT8 ? 255.99 : types[b] == INT8 ? 127.99 : 2e9;
          xf[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        RawOpModel m = new RawOpModel(53, 1, 0, fb -> 0);
        int x = m.tensor(new int[] {n}, types[a], 0, 0, null),
            y = m.tensor(new int[] {n}, types[b], 0, 0, null);
        byte[] in = types[a] == FLOAT32 ? floats(xf) : types[a] == INT32 ? ints(xi) : bytes(xi);
        byte[] got = run(m.build(new int[] {x}, new int[] {y}, new int[] {x}, new int[] {y}), in);
        byte[] want;
        if (types[b] == FLOAT32) want = floats(CastKernels.toFloat(xi));
        else {
          int[] w =
              types[a] == FLOAT32
                  ? CastKernels.fromFloat(xf, kinds[b])
                  : CastKernels.between(xi, kinds[b]);
          want = types[b] == INT32 ? ints(w) : bytes(w);
        }
        assertArrayEquals(want, got, "CAST " + types[a] + " -> " + types[b]);
      }
    }
  }

  private static byte[] run2(byte[] model, byte[] a, byte[] b) {
    try (TfliteModel m = TfliteModel.fromBytes(model);
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      it.input(0).write(a);
      it.input(1).write(b);
      it.invoke();
      return it.output(0).readBytes();
    }
  }

  private static float[] asFloats(int[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = v[i];
    return f;
  }

  @ParameterizedTest
  @ValueSource(ints = {UINT8, INT8, FLOAT32})
  void argMaxAndArgMinEqualBuiltin(int type) {
    SplittableRandom r = new SplittableRandom(56 + type);
    for (int k = 0; k < CASES; k++) {
      int rank = 1 + r.nextInt(4), axis = r.nextInt(rank);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) shape[i] = 1 + r.nextInt(6);
      int n = 1;
      for (int d : shape) n *= d;
      boolean max = r.nextBoolean(), wide = r.nextBoolean();
      int[] xi = new int[n];
      float[] xf = new float[n];
      for (int i = 0; i < n; i++) { // few distinct values, so ties are common
        xi[i] = type == UINT8 ? r.nextInt(4) * 60 : r.nextInt(4) * 60 - 128;
        xf[i] = (float) (r.nextInt(5) - 2) / 3f;
      }
      int[] want =
          type == FLOAT32
              ? ArgMinMaxKernels.argFloat(xf, shape, axis, max)
              : ArgMinMaxKernels.argInt(xi, shape, axis, max);
      int[] outShape = new int[rank - 1];
      for (int i = 0, j = 0; i < rank; i++) if (i != axis) outShape[j++] = shape[i];
      int outType = wide ? INT64 : INT32;
      // ArgMaxOptions = 40, ArgMinOptions = 57 in the BuiltinOptions union; field 0 is output_type
      RawOpModel m =
          new RawOpModel(
              max ? 56 : 79,
              2,
              max ? 40 : 57,
              fb -> {
                fb.startTable(1);
                fb.addByte(0, (byte) outType, 0);
                return fb.endTable();
              });
      int x = m.tensor(shape, type, type == FLOAT32 ? 0 : 0.5f, type == UINT8 ? 128 : 0, null);
      int a = m.tensor(new int[] {1}, INT32, 0, 0, ints(axis));
      int y = m.tensor(outShape, outType, 0, 0, null);
      byte[] in = type == FLOAT32 ? floats(xf) : bytes(xi);
      byte[] got = run(m.build(new int[] {x, a}, new int[] {y}, new int[] {x}, new int[] {y}), in);
      assertArrayEquals(
          want,
          wide ? fromLongs(got) : fromInts(got),
          "case "
              + k
              + (max ? " ARG_MAX" : " ARG_MIN")
              + " axis "
              + axis
              + " shape "
              + java.util.Arrays.toString(shape));
    }
  }

  private static byte[] run(byte[] model, byte[] input) {
    try (TfliteModel m = TfliteModel.fromBytes(model);
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      it.input(0).write(ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN));
      it.invoke();
      ByteBuffer buf = it.output(0).readBuffer();
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      assertTrue(out.length > 0);
      return out;
    }
  }

  private static byte[] bytes(int[] v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  private static byte[] ints(int... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int i : v) b.putInt(i);
    return b.array();
  }

  private static byte[] floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return b.array();
  }

  private static int[] fromInts(byte[] b) {
    int[] v = new int[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
    return v;
  }

  private static int[] fromLongs(byte[] b) {
    long[] l = new long[b.length / 8];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(l);
    int[] v = new int[l.length];
    for (int i = 0; i < l.length; i++) v[i] = (int) l[i];
    return v;
  }
}
