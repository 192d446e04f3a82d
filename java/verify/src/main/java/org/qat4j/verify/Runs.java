package org.qat4j.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.MultiDataset;
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
import org.qat4j.tflite.IndexInputs;

/**
 * Executors and comparisons behind {@link Verification}; outputs of n samples are kept back to
 * back.
 */
final class Runs {
  private Runs() {}

  record Compare(long elements, double exactFraction, long maxLsb, double withinOneFraction) {
    /** Figures over all elements of several comparisons. */
    static Compare merge(List<Compare> l) {
      long n = 0, max = 0;
      double exact = 0, within = 0;
      for (Compare c : l) {
        n += c.elements;
        exact += c.exactFraction * c.elements;
        within += c.withinOneFraction * c.elements;
        max = Math.max(max, c.maxLsb);
      }
      return new Compare(n, n == 0 ? 1 : exact / n, max, n == 0 ? 1 : within / n);
    }
  }

  /** Each output compared (a vs b), in graph output order. */
  static List<Compare> compareAll(LoweredGraph g, Object[] a, Object[] b) {
    List<Compare> l = new ArrayList<>();
    for (int o = 0; o < g.outputs().length; o++)
      l.add(compare(g.tensor(g.outputs()[o]).type(), a[o], b[o], outputLsb(g, o)));
    return l;
  }

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

  static void checkShapes(LoweredGraph g, Model model, MultiDataset data) {
    if (g.inputs().length != model.inputs().size() || g.outputs().length != model.outputs().size())
      throw new IllegalArgumentException(
          "the .tflite has "
              + g.inputs().length
              + " input(s) and "
              + g.outputs().length
              + " output(s), the model "
              + model.inputs().size()
              + " and "
              + model.outputs().size());
    if (data.inputCount() != g.inputs().length)
      throw new IllegalArgumentException(
          "the data has " + data.inputCount() + " input(s), the model " + g.inputs().length);
    for (int i = 0; i < g.inputs().length; i++) {
      int[] want = model.inputs().get(i).shape();
      int[] in = g.tensor(g.inputs()[i]).shape();
      if (!Arrays.equals(Arrays.copyOfRange(in, 1, in.length), want))
        throw new IllegalArgumentException(
            ".tflite input "
                + Arrays.toString(in)
                + " does not match the model input "
                + Arrays.toString(want));
      if (!Arrays.equals(data.sampleShape(i), want))
        throw new IllegalArgumentException(
            "dataset samples "
                + Arrays.toString(data.sampleShape(i))
                + " do not match the model input "
                + Arrays.toString(want));
    }
    for (int o : g.outputs()) {
      DType t = g.tensor(o).type();
      if (t != DType.FLOAT32 && t != DType.INT8 && t != DType.UINT8)
        throw new IllegalArgumentException(
            ".tflite output type " + t + " is not float32, int8 or uint8");
    }
  }

  /**
   * Every input's external values for all samples: floats, bytes quantized with the input's params,
   * or for an INT32 input whole-number indices checked against the table they are looked up in
   * ({@code limits} from {@link IndexInputs#limits}).
   */
  static Object[] inputs(LoweredGraph g, int[] limits, MultiDataset data) {
    Object[] r = new Object[g.inputs().length];
    for (int i = 0; i < r.length; i++) {
      TensorSpec in = g.tensor(g.inputs()[i]);
      float[] all = data.inputs()[i];
      r[i] =
          switch (in.type()) {
            case FLOAT32 -> all.clone();
            case INT32 -> indices(in, limits[i], all);
            default -> quantize(in, all);
          };
    }
    return r;
  }

  /** Token indices of all samples; the error names the sample and the position in it. */
  private static int[] indices(TensorSpec in, int limit, float[] all) {
    int per = in.elements();
    try {
      return IndexInputs.fromReal("input '" + in.name() + "'", limit, all);
    } catch (IllegalArgumentException e) {
      for (int s = 0; s < all.length / per; s++) {
        float[] one = Arrays.copyOfRange(all, s * per, (s + 1) * per);
        IndexInputs.fromReal("input '" + in.name() + "' of sample " + s, limit, one);
      }
      throw e;
    }
  }

  /** A slice of {@code per} elements of sample {@code s} of an input (float[], byte[] or int[]). */
  static Object sample(Object all, int s, int per) {
    if (all instanceof float[] f) return Arrays.copyOfRange(f, s * per, (s + 1) * per);
    if (all instanceof int[] i) return Arrays.copyOfRange(i, s * per, (s + 1) * per);
    return Arrays.copyOfRange((byte[]) all, s * per, (s + 1) * per);
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

  /**
   * Scale of one LSB of graph output {@code index}: its own scale or the scale feeding a final
   * DEQUANTIZE.
   */
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
   * process when {@code isolated}); input i holds n samples back to back, and so does each output.
   */
  static Object[] tflite(byte[] bytes, Backend backend, Object[] inputs, int n, boolean isolated) {
    Interpreter.Options o =
        Interpreter.Options.builder().backend(backend).threads(1).isolated(isolated).build();
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(m, o)) {
      Object[] all = new Object[it.outputCount()];
      for (int k = 0; k < all.length; k++) {
        int len = (int) it.output(k).numElements();
        all[k] = it.output(k).dataType() == DType.FLOAT32 ? new float[n * len] : new byte[n * len];
      }
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < inputs.length; i++) {
          int per = (int) it.input(i).numElements();
          Object one = sample(inputs[i], s, per);
          if (one instanceof float[] f) it.input(i).write(f);
          else if (one instanceof int[] ids) it.input(i).write(ids);
          else it.input(i).write((byte[]) one);
        }
        it.invoke();
        for (int k = 0; k < all.length; k++) {
          int len = (int) it.output(k).numElements();
          if (all[k] instanceof float[] f)
            System.arraycopy(it.output(k).readFloats(), 0, f, s * len, len);
          else System.arraycopy(it.output(k).readBytes(), 0, all[k], s * len, len);
        }
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

  /** Inference-mode outputs of {@code m} for every sample, one array per output. */
  static float[][] predict(Model m, MultiDataset data) {
    int outs = m.outputs().size();
    float[][] r = new float[outs][];
    for (int o = 0; o < outs; o++)
      r[o] = new float[data.size() * Shapes.size(m.outputs().get(o).shape())];
    int[] at = new int[outs];
    for (Tensor[] b : data.batches(200)) {
      Tensor[] y = m.forward(b, ExecContext.inference());
      for (int o = 0; o < outs; o++) {
        for (int k = 0; k < y[o].size(); k++) r[o][at[o] + k] = y[o].get(k);
        at[o] += y[o].size();
      }
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

  /** Top-1 accuracy against {@code labels} (NaN without labels). */
  static double accuracy(int[] pred, int[] labels) {
    if (labels == null) return Double.NaN;
    long ok = 0;
    for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) ok++;
    return ok / (double) pred.length;
  }

  static double agreement(int[] a, int[] b) {
    long same = 0;
    for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
    return same / (double) a.length;
  }
}
