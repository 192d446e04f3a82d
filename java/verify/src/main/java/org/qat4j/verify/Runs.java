package org.qat4j.verify;

import java.util.Arrays;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * Executors and comparisons behind {@link Verification}; outputs of n samples are kept back to
 * back.
 */
final class Runs {
  private Runs() {}

  record Compare(long elements, double exactFraction, long maxLsb, double withinOneFraction) {}

  /**
   * The QAT structure of a float model (its node names are the lowered tensor names), or null when
   * it cannot be quantized.
   */
  static QatModel quantizedView(Model floatModel) {
    try {
      return org.qat4j.quant.Quantize.model(floatModel);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static void checkShapes(LoweredGraph g, Model model, Dataset data) {
    if (g.inputs().length != 1 || g.outputs().length != 1) {
      throw new IllegalArgumentException(
          "verification needs one input and one output; the .tflite has "
              + g.inputs().length
              + " and "
              + g.outputs().length);
    }
    int[] want = model.inputShape();
    int[] in = g.tensor(g.inputs()[0]).shape();
    if (!Arrays.equals(Arrays.copyOfRange(in, 1, in.length), want)) {
      throw new IllegalArgumentException(
          ".tflite input "
              + Arrays.toString(in)
              + " does not match the model input "
              + Arrays.toString(want));
    }
    if (!Arrays.equals(data.sampleShape(), want)) {
      throw new IllegalArgumentException(
          "dataset samples "
              + Arrays.toString(data.sampleShape())
              + " do not match the model input "
              + Arrays.toString(want));
    }
    TensorSpec out = g.tensor(g.outputs()[0]);
    if (out.type() != DType.FLOAT32 && out.type() != DType.INT8 && out.type() != DType.UINT8) {
      throw new IllegalArgumentException(
          ".tflite output type " + out.type() + " is not float32, int8 or uint8");
    }
  }

  /** All samples' external input values: floats, or bytes quantized with the input's params. */
  static Object inputs(TensorSpec in, Dataset data) {
    int per = in.elements();
    int n = data.size();
    if (in.type() == DType.FLOAT32) {
      float[] v = new float[n * per];
      for (int i = 0; i < n; i++) System.arraycopy(data.sample(i), 0, v, i * per, per);
      return v;
    }
    float[] all = new float[n * per];
    for (int i = 0; i < n; i++) System.arraycopy(data.sample(i), 0, all, i * per, per);
    return quantize(in, all);
  }

  /** Real values quantized with an int8/uint8 input's params (C rounding, saturated). */
  static byte[] quantize(TensorSpec in, float[] real) {
    if (in.quant() == null)
      throw new IllegalArgumentException(
          "input '" + in.name() + "' is " + in.type() + " without quantization");
    boolean u = in.type() == DType.UINT8;
    float scale = in.quant().scale();
    long zp = in.quant().zeroPoint();
    byte[] v = new byte[real.length];
    for (int k = 0; k < real.length; k++) {
      long q = (long) QuantMath.cRound((double) real[k] / scale) + zp;
      v[k] = (byte) Math.max(u ? 0 : -128, Math.min(u ? 255 : 127, q));
    }
    return v;
  }

  /** Scale of one output LSB: the output's own scale or the scale feeding a final DEQUANTIZE. */
  static double outputLsb(LoweredGraph g) {
    return outputLsb(g, 0);
  }

  /** {@link #outputLsb(LoweredGraph)} of graph output {@code index}. */
  static double outputLsb(LoweredGraph g, int index) {
    int o = g.outputs()[index];
    TensorSpec out = g.tensor(o);
    if (out.quant() != null) return out.quant().scale();
    for (OpSpec op : g.ops()) {
      if (op.kind() == OpKind.DEQUANTIZE
          && op.outputs()[0] == o
          && g.tensor(op.inputs()[0]).quant() != null) {
        return g.tensor(op.inputs()[0]).quant().scale();
      }
    }
    throw new IllegalArgumentException(
        "output '" + out.name() + "' is float and not produced by DEQUANTIZE: not an int8 export");
  }

  /**
   * Runs the model in TFLite on {@code backend} with one thread, sample by sample (in a child
   * process when {@code isolated}).
   */
  static Object tflite(byte[] bytes, Backend backend, Object inputs, int n, boolean isolated) {
    Interpreter.Options o =
        Interpreter.Options.builder().backend(backend).threads(1).isolated(isolated).build();
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(m, o)) {
      int per = (int) it.input(0).numElements();
      int len = (int) it.output(0).numElements();
      boolean floatOut = it.output(0).dataType() == DType.FLOAT32;
      Object all = floatOut ? new float[n * len] : new byte[n * len];
      for (int i = 0; i < n; i++) {
        if (inputs instanceof float[] f)
          it.input(0).write(Arrays.copyOfRange(f, i * per, (i + 1) * per));
        else it.input(0).write(Arrays.copyOfRange((byte[]) inputs, i * per, (i + 1) * per));
        it.invoke();
        if (floatOut) System.arraycopy(it.output(0).readFloats(), 0, all, i * len, len);
        else System.arraycopy(it.output(0).readBytes(), 0, all, i * len, len);
      }
      return all;
    }
  }

  /**
   * Element-wise comparison; float outputs are dequantized values, compared in units of {@code
   * lsb}.
   */
  static Compare compare(DType type, Object a, Object b, double lsb) {
    long exact = 0, le1 = 0, max = 0;
    int len;
    if (a instanceof float[] x) {
      float[] y = (float[]) b;
      len = x.length;
      for (int i = 0; i < len; i++) {
        long d = x[i] == y[i] ? 0 : Math.max(1, Math.round(Math.abs((double) x[i] - y[i]) / lsb));
        if (d == 0) exact++;
        if (d <= 1) le1++;
        max = Math.max(max, d);
      }
    } else {
      byte[] x = (byte[]) a, y = (byte[]) b;
      boolean u = type == DType.UINT8;
      len = x.length;
      for (int i = 0; i < len; i++) {
        long d = Math.abs((u ? x[i] & 0xFF : x[i]) - (u ? y[i] & 0xFF : y[i]));
        if (d == 0) exact++;
        if (d <= 1) le1++;
        max = Math.max(max, d);
      }
    }
    return new Compare(
        len, len == 0 ? 1 : exact / (double) len, max, len == 0 ? 1 : le1 / (double) len);
  }

  /** Output values as reals (dequantized with the output's params when quantized). */
  static float[] real(TensorSpec out, Object values) {
    if (values instanceof float[] f) return f;
    return Simulator.toFloat(out, values);
  }

  static float[] predict(Model m, Dataset data) {
    int classes = m.outputShape()[m.outputShape().length - 1];
    float[] r = new float[data.size() * classes];
    int i = 0;
    for (Batch b : data.batches(200, false, 0)) {
      Tensor y = m.predict(b.images());
      for (int k = 0; k < y.size(); k++) r[i * classes + k] = y.get(k);
      i += b.size();
    }
    return r;
  }

  static int[] argmax(float[] v, int classes) {
    int n = v.length / classes;
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < classes; k++) if (v[i * classes + k] > v[i * classes + best]) best = k;
      r[i] = best;
    }
    return r;
  }

  /** {max, mean} of |a − b| / lsb. */
  static double[] diffInScale(float[] a, float[] b, double lsb) {
    if (a.length != b.length)
      throw new IllegalStateException(
          "model output has " + a.length + " values, .tflite " + b.length);
    double max = 0, sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]) / lsb;
      max = Math.max(max, d);
      sum += d;
    }
    return new double[] {max, a.length == 0 ? 0 : sum / a.length};
  }

  static double accuracy(int[] pred, Dataset d) {
    long ok = 0;
    for (int i = 0; i < pred.length; i++) if (pred[i] == d.label(i)) ok++;
    return ok / (double) pred.length;
  }

  static double agreement(int[] a, int[] b) {
    long same = 0;
    for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
    return same / (double) a.length;
  }
}
