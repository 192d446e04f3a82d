package org.qat4j.runtime;

import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;

/**
 * Validation harness: classification accuracy on a dataset, agreement of two models, and
 * cross-backend comparison of one model. Images are real-valued, flattened in the model's input
 * layout (NHWC); int8/uint8 inputs are quantized with the model's own input parameters and outputs
 * dequantized with its output parameters.
 */
public final class Validation {
  private Validation() {}

  /** Top-1 accuracy over {@code samples}. */
  public record Accuracy(int samples, int correct, double top1) {}

  /**
   * Agreement of two models: top-1 agreement, max and mean absolute output difference (real units),
   * and the max difference in units of the quantized output's scale (NaN when both outputs are
   * float).
   */
  public record Agreement(
      int samples,
      double top1Agreement,
      double maxAbsDiff,
      double meanAbsDiff,
      double maxDiffInOutputScale) {}

  /**
   * One model on two backends: share of raw output elements that match exactly, max difference in
   * LSB, top-1 agreement.
   */
  public record BackendComparison(
      Backend a,
      Backend b,
      long elements,
      double exactMatchPercent,
      long maxLsb,
      double top1Agreement,
      String coverageA,
      String coverageB) {}

  public static Accuracy accuracy(Interpreter it, float[][] images, int[] labels) {
    if (images.length != labels.length) {
      throw new IllegalArgumentException(
          images.length + " images but " + labels.length + " labels");
    }
    int correct = 0;
    for (int i = 0; i < images.length; i++) {
      if (argmax(predict(it, images[i])) == labels[i]) {
        correct++;
      }
    }
    return new Accuracy(
        images.length, correct, images.length == 0 ? 0 : correct / (double) images.length);
  }

  /**
   * Accuracy on {@code n} samples read one at a time (e.g. a core dataset's {@code sample}/{@code
   * label}, so the runtime needs no training stack).
   */
  public static Accuracy accuracy(
      Interpreter it, int n, IntFunction<float[]> sample, IntUnaryOperator label) {
    long need = it.input(0).numElements();
    int correct = 0;
    for (int i = 0; i < n; i++) {
      float[] x = sample.apply(i);
      if (x.length != need) {
        throw new IllegalArgumentException(
            "sample "
                + i
                + " has "
                + x.length
                + " values, model input "
                + it.input(0)
                + " needs "
                + need);
      }
      if (argmax(predict(it, x)) == label.applyAsInt(i)) {
        correct++;
      }
    }
    return new Accuracy(n, correct, n == 0 ? 0 : correct / (double) n);
  }

  public static Agreement agreement(Interpreter a, Interpreter b, float[][] images) {
    TensorView oa = a.output(0);
    TensorView ob = b.output(0);
    if (oa.numElements() != ob.numElements()) {
      throw new IllegalArgumentException("output sizes differ: " + oa + " vs " + ob);
    }
    QuantParams qa = oa.quantization();
    QuantParams qb = ob.quantization();
    double scale = qa != null ? qa.scale() : qb != null ? qb.scale() : Double.NaN;
    int same = 0;
    double max = 0;
    double sum = 0;
    long n = 0;
    for (float[] img : images) {
      float[] ya = predict(a, img);
      float[] yb = predict(b, img);
      if (argmax(ya) == argmax(yb)) {
        same++;
      }
      for (int k = 0; k < ya.length; k++) {
        double d = Math.abs(ya[k] - yb[k]);
        max = Math.max(max, d);
        sum += d;
        n++;
      }
    }
    return new Agreement(
        images.length,
        images.length == 0 ? 0 : same / (double) images.length,
        max,
        n == 0 ? 0 : sum / n,
        max / scale);
  }

  public static BackendComparison compareBackends(
      TfliteModel model, Backend a, Backend b, float[][] images, int threads) {
    DelegateCoverage.Latest ca = new DelegateCoverage.Latest();
    DelegateCoverage.Latest cb = new DelegateCoverage.Latest();
    try (Interpreter ia = Interpreter.create(model, options(a, threads, ca));
        Interpreter ib = Interpreter.create(model, options(b, threads, cb))) {
      DType type = ia.output(0).dataType();
      long elements = 0;
      long exact = 0;
      long maxLsb = 0;
      int same = 0;
      for (float[] img : images) {
        ia.input(0).writeReal(img);
        ib.input(0).writeReal(img);
        ia.invoke();
        ib.invoke();
        long[] ra = raw(ia.output(0), type);
        long[] rb = raw(ib.output(0), type);
        for (int k = 0; k < ra.length; k++) {
          elements++;
          long d = Math.abs(ra[k] - rb[k]);
          exact += d == 0 ? 1 : 0;
          maxLsb = Math.max(maxLsb, d);
        }
        same += argmax(ia.output(0).readReal()) == argmax(ib.output(0).readReal()) ? 1 : 0;
      }
      return new BackendComparison(
          a,
          b,
          elements,
          elements == 0 ? 0 : 100.0 * exact / elements,
          maxLsb,
          images.length == 0 ? 0 : same / (double) images.length,
          ca.get().summary(),
          cb.get().summary());
    }
  }

  private static Interpreter.Options options(Backend b, int threads, InterpreterListener coverage) {
    return Interpreter.Options.builder().backend(b).threads(threads).listener(coverage).build();
  }

  /**
   * Integer view of output 0: quantized values for int types, float bits distance (ULP) for
   * float32.
   */
  private static long[] raw(TensorView out, DType type) {
    if (type == DType.FLOAT32) {
      float[] f = out.readFloats();
      long[] r = new long[f.length];
      for (int i = 0; i < f.length; i++) {
        int bits = Float.floatToIntBits(f[i]);
        r[i] = bits < 0 ? Integer.MIN_VALUE - (long) bits : bits;
      }
      return r;
    }
    byte[] b = out.readBytes();
    long[] r = new long[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = AffineCodec.value(b[i], type);
    }
    return r;
  }

  private static float[] predict(Interpreter it, float[] image) {
    it.input(0).writeReal(image);
    it.invoke();
    return it.output(0).readReal();
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
