package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.IndexInputs;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/** Shared helpers: run a written graph in TFLite and compare it with the integer simulator. */
final class Parity {
  private Parity() {}

  /** Per-graph comparison figures: elements compared, exact matches and max |Δ| in LSB. */
  record Stats(long elements, long exact, long maxLsb) {
    Stats plus(Stats o) {
      return new Stats(elements + o.elements, exact + o.exact, Math.max(maxLsb, o.maxLsb));
    }
  }

  static final Stats NONE = new Stats(0, 0, 0);

  static Interpreter open(TfliteModel m, Backend b) {
    return Interpreter.create(m, Interpreter.Options.builder().backend(b).threads(1).build());
  }

  /** Sets every input (float[], byte[] or int[]), invokes, returns output {@code o}. */
  static Object invoke(Interpreter it, Object[] inputs, int o) {
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] instanceof float[] f) it.input(i).write(f);
      else if (inputs[i] instanceof byte[] b) it.input(i).write(b);
      else it.input(i).write((int[]) inputs[i]);
    }
    it.invoke();
    return switch (it.output(o).dataType()) {
      case FLOAT32 -> it.output(o).readFloats();
      case INT32 -> it.output(o).readInts();
      case INT64 -> longs(it.output(o).readBuffer());
      default -> it.output(o).readBytes();
    };
  }

  private static long[] longs(ByteBuffer b) {
    long[] l = new long[b.remaining() / 8];
    b.asLongBuffer().get(l);
    return l;
  }

  /**
   * Random inputs: int8/uint8 bytes uniform over the full range; float inputs uniform in [lo, hi)
   * so that the graph's own QUANTIZE sees in-range and clamped values; INT32 indices uniform over
   * the rows of the table they are looked up in (any int for other INT32 inputs).
   */
  static Object[] randomInputs(LoweredGraph g, SplittableRandom r, float lo, float hi) {
    int[] ins = g.inputs();
    int[] limits = IndexInputs.limits(TfliteReader.read(TfliteWriter.write(g)).subgraph(0));
    Object[] v = new Object[ins.length];
    for (int i = 0; i < ins.length; i++) {
      TensorSpec t = g.tensor(ins[i]);
      if (t.type() == DType.FLOAT32) {
        float[] f = new float[t.elements()];
        for (int k = 0; k < f.length; k++) f[k] = lo + (hi - lo) * (float) r.nextDouble();
        v[i] = f;
      } else if (t.type() == DType.INT32) {
        int[] a = new int[t.elements()];
        for (int k = 0; k < a.length; k++)
          a[k] = limits[i] < 0 ? r.nextInt() : r.nextInt(limits[i]);
        v[i] = a;
      } else {
        byte[] b = new byte[t.elements()];
        r.nextBytes(b);
        v[i] = b;
      }
    }
    return v;
  }

  /**
   * |Δ| statistics of two outputs; float outputs compare in units of {@code lsb} (any difference
   * counts ≥ 1).
   */
  static Stats diff(DType type, Object a, Object b, double lsb) {
    long exact = 0, max = 0;
    int n;
    if (a instanceof float[] x) {
      float[] y = (float[]) b;
      n = x.length;
      assertEquals(n, y.length, "output lengths");
      for (int i = 0; i < n; i++) {
        long d =
            Float.compare(x[i], y[i]) == 0
                ? 0
                : Math.max(1, Math.round(Math.abs((double) x[i] - y[i]) / lsb));
        if (d == 0) exact++;
        max = Math.max(max, d);
      }
    } else if (!(a instanceof byte[])) {
      long[] x = wide(a), y = wide(b);
      n = x.length;
      assertEquals(n, y.length, "output lengths");
      for (int i = 0; i < n; i++) {
        long d = Math.abs(x[i] - y[i]);
        if (d == 0) exact++;
        max = Math.max(max, d);
      }
    } else {
      byte[] x = (byte[]) a, y = (byte[]) b;
      n = x.length;
      assertEquals(n, y.length, "output lengths");
      boolean u = type == DType.UINT8;
      for (int i = 0; i < n; i++) {
        long d = Math.abs((u ? x[i] & 0xFF : x[i]) - (u ? y[i] & 0xFF : y[i]));
        if (d == 0) exact++;
        max = Math.max(max, d);
      }
    }
    return new Stats(n, exact, max);
  }

  private static long[] wide(Object v) {
    if (v instanceof long[] l) return l;
    int[] i = (int[]) v;
    long[] l = new long[i.length];
    for (int k = 0; k < i.length; k++) l[k] = i[k];
    return l;
  }

  /**
   * The scale of one output LSB (the output's, or the int8 tensor feeding a final DEQUANTIZE); 1
   * when float.
   */
  static double outputLsb(LoweredGraph g) {
    int o = g.outputs()[0];
    if (g.tensor(o).quant() != null) return g.tensor(o).quant().scale();
    for (var op : g.ops()) {
      if (op.outputs()[0] == o && g.tensor(op.inputs()[0]).quant() != null)
        return g.tensor(op.inputs()[0]).quant().scale();
    }
    return 1;
  }

  /**
   * TFLite vs simulator on one backend over {@code samples} random inputs, every graph output
   * compared: {builtin-vs-DOUBLE, xnnpack-vs-DOUBLE, xnnpack-vs-XNNPACK_F32}.
   */
  static Stats[] compare(LoweredGraph g, int samples, SplittableRandom r, float lo, float hi) {
    byte[] bytes = TfliteWriter.write(g);
    Simulator exact = new Simulator(g, RoundingMode.DOUBLE),
        xf = new Simulator(g, RoundingMode.XNNPACK_F32);
    // TFLite keeps state tensors between invocations; the simulator starts each from zero, as a
    // fresh interpreter does
    if (!stateful(g)) return compare(g, bytes, exact, xf, samples, r, lo, hi);
    Stats[] s = {NONE, NONE, NONE};
    for (int k = 0; k < samples; k++) {
      Stats[] one = compare(g, bytes, exact, xf, 1, r, lo, hi);
      for (int i = 0; i < s.length; i++) s[i] = s[i].plus(one[i]);
    }
    return s;
  }

  /** Whether an operator of {@code g} keeps state between invocations. */
  static boolean stateful(LoweredGraph g) {
    for (var op : g.ops())
      for (int k = 0; k < op.inputs().length; k++) if (op.kind().stateInput(k)) return true;
    return false;
  }

  /** {@code samples} invocations of one pair of fresh interpreters. */
  private static Stats[] compare(
      LoweredGraph g,
      byte[] bytes,
      Simulator exact,
      Simulator xf,
      int samples,
      SplittableRandom r,
      float lo,
      float hi) {
    double lsb = outputLsb(g);
    Stats[] s = {NONE, NONE, NONE};
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter b = open(m, Backend.BUILTIN);
        Interpreter x = open(m, Backend.XNNPACK)) {
      for (int k = 0; k < samples; k++) {
        Object[] in = randomInputs(g, r, lo, hi);
        Object[] want = exact.run(in), wantX = xf.run(in);
        for (int o = 0; o < want.length; o++) {
          DType type = g.tensor(g.outputs()[o]).type();
          Object got = invoke(b, in, o);
          Object xn = invoke(x, in, o);
          s[0] = s[0].plus(diff(type, want[o], got, lsb));
          s[1] = s[1].plus(diff(type, want[o], xn, lsb));
          s[2] = s[2].plus(diff(type, wantX[o], xn, lsb));
        }
      }
    }
    return s;
  }

  /** TFLite BUILTIN vs the DOUBLE simulator only, for graphs XNNPACK cannot prepare. */
  static Stats compareBuiltin(LoweredGraph g, int samples, SplittableRandom r) {
    Simulator exact = new Simulator(g, RoundingMode.DOUBLE);
    Stats s = NONE;
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(g));
        Interpreter b = open(m, Backend.BUILTIN)) {
      for (int k = 0; k < samples; k++) {
        Object[] in = randomInputs(g, r, 0, 0);
        Object[] want = exact.run(in);
        for (int o = 0; o < want.length; o++)
          s =
              s.plus(
                  diff(g.tensor(g.outputs()[o]).type(), want[o], invoke(b, in, o), outputLsb(g)));
      }
    }
    return s;
  }

  static void assertExact(Stats s, String what) {
    assertTrue(s.elements() > 0, what + ": nothing compared");
    assertEquals(
        s.elements(),
        s.exact(),
        what
            + ": "
            + (s.elements() - s.exact())
            + " of "
            + s.elements()
            + " elements differ, max "
            + s.maxLsb()
            + " LSB");
  }
}
