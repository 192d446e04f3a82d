package org.qat4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.Npy;
import org.qat4j.ir.DType;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.QuantizationInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * Inputs for models from anywhere: each sample holds one raw value per model input ({@link
 * TensorIo} forms), from user data, {@code .npy} arrays (first dimension = samples) or a
 * deterministic generated set covering each input's range.
 */
final class InputSamples {
  /** Generated samples when no data is given. */
  static final int GENERATED = 8;

  /** Seed of generated sample k: {@code SEED + k}. */
  static final long SEED = 2026;

  private InputSamples() {}

  /** The samples and where they came from (for the report). */
  record Set(List<Object[]> samples, List<TensorIo.Port> ports, String source) {
    int count() {
      return samples.size();
    }
  }

  /**
   * n samples: sample 0 has every element at the lowest value of its input's range, sample 1 at the
   * highest, the others uniform random (seed {@link #SEED} + sample index). The range of an
   * INT8/UINT8 input is its type's; of a FLOAT32 input that a QUANTIZE consumes, the real range of
   * the QUANTIZE output; of other float inputs [−1, 1]; integer index inputs stay 0.
   */
  static Set generated(List<TensorIo.Port> ports, TfliteModelInfo info, int n) {
    List<Object[]> l = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      SplittableRandom r = new SplittableRandom(SEED + k);
      Object[] s = new Object[ports.size()];
      for (int i = 0; i < s.length; i++) s[i] = generate(ports.get(i), i, info, k, r);
      l.add(s);
    }
    return new Set(l, ports, "generated (" + n + " samples: lowest, highest, then uniform random)");
  }

  private static Object generate(
      TensorIo.Port p, int input, TfliteModelInfo info, int k, SplittableRandom r) {
    int n = p.elements();
    switch (p.type()) {
      case INT8, UINT8 -> {
        int lo = p.type() == DType.UINT8 ? 0 : -128;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++)
          b[i] = (byte) (k == 0 ? lo : k == 1 ? lo + 255 : lo + r.nextInt(256));
        return b;
      }
      case FLOAT32 -> {
        double[] range = floatRange(info, input);
        float[] f = new float[n];
        for (int i = 0; i < n; i++)
          f[i] =
              (float)
                  (k == 0
                      ? range[0]
                      : k == 1 ? range[1] : range[0] + r.nextDouble() * (range[1] - range[0]));
        return f;
      }
      case INT32 -> {
        return new int[n];
      }
      case INT64 -> {
        return new long[n];
      }
      case INT16 -> {
        return new short[n];
      }
      case BOOL -> {
        return new byte[n];
      }
      case FLOAT16 ->
          throw CliException.usage("input " + p.describe() + ": FLOAT16 inputs are not supported");
    }
    throw new AssertionError(p.type());
  }

  /** The real range a QUANTIZE consuming graph input {@code input} covers, else [−1, 1]. */
  static double[] floatRange(TfliteModelInfo info, int input) {
    if (info == null) return new double[] {-1, 1};
    SubgraphInfo sg = info.subgraph(0);
    int t = sg.inputs()[input];
    for (OperatorInfo op : sg.operators()) {
      if (!op.opName().equals("QUANTIZE") || op.inputs().length == 0 || op.inputs()[0] != t)
        continue;
      var out = sg.tensor(op.outputs()[0]);
      QuantizationInfo q = out.quantization();
      if (q == null || !q.hasScales() || q.scales().length != 1) continue;
      boolean u = out.dtype() == DType.UINT8;
      double s = q.scales()[0], zp = q.zeroPoints()[0];
      return new double[] {((u ? 0 : -128) - zp) * s, ((u ? 255 : 127) - zp) * s};
    }
    return new double[] {-1, 1};
  }

  /** Real-valued samples of a loaded dataset for the model's single input. */
  static Set fromData(Dataset d, TensorIo.Port p, String source) {
    List<Object[]> l = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) l.add(new Object[] {TensorIo.fromReal(d.sample(i), p)});
    return new Set(l, List.of(p), source);
  }

  /** One .npy per model input (in input order); their first dimension is the sample axis. */
  static Set fromNpy(List<Path> files, List<TensorIo.Port> ports, String option) {
    if (files.size() != ports.size())
      throw CliException.usage(
          option
              + ": the model has "
              + ports.size()
              + " input(s), got "
              + files.size()
              + " .npy file(s)");
    List<Object[]> samples = null;
    for (int i = 0; i < files.size(); i++) {
      Npy.Array a = parse(files.get(i), option);
      List<Object> values = split(a, ports.get(i), files.get(i), option);
      if (samples == null) {
        samples = new ArrayList<>();
        for (int s = 0; s < values.size(); s++) samples.add(new Object[ports.size()]);
      }
      if (values.size() != samples.size())
        throw CliException.usage(
            option
                + ": "
                + files.get(i)
                + " has "
                + values.size()
                + " samples, "
                + files.get(0)
                + " "
                + samples.size());
      for (int s = 0; s < values.size(); s++) samples.get(s)[i] = values.get(s);
    }
    return new Set(samples, ports, "npy " + files);
  }

  private static Npy.Array parse(Path f, String option) {
    try {
      return Npy.parse(f.toString(), Files.readAllBytes(DataOption.exists(f, option)));
    } catch (IOException e) {
      throw CliException.usage(option + ": " + Main.oneLine(e));
    }
  }

  /** The array cut into samples along its first dimension, each in the port's raw form. */
  private static List<Object> split(Npy.Array a, TensorIo.Port p, Path f, String option) {
    int[] sh = a.shape();
    int per = 1;
    for (int d = 1; d < sh.length; d++) per *= sh[d];
    if (sh.length == 0 || per != p.elements())
      throw CliException.usage(
          String.format(
              "%s: %s has shape %s: samples of %d values along the first axis; input %s takes %d values per sample",
              option,
              f,
              Arrays.toString(sh),
              sh.length == 0 ? 1 : per,
              p.describe(),
              p.elements()));
    boolean stored = storedType(a.dtype(), p.type());
    if (!stored && a.dtype().integral())
      throw CliException.usage(
          option
              + ": "
              + f
              + " holds integers ("
              + a.dtype()
              + ") but input "
              + p.describe()
              + " stores "
              + p.type()
              + ": give float real values or arrays of the input's own type");
    float[] all = stored ? null : a.floats();
    List<Object> l = new ArrayList<>();
    for (int s = 0; s < sh[0]; s++) {
      l.add(
          stored
              ? storedValue(a, s * per, per, p.type())
              : TensorIo.fromReal(Arrays.copyOfRange(all, s * per, (s + 1) * per), p));
    }
    return l;
  }

  /** Integer arrays of the input's own stored type are fed as stored numbers. */
  private static boolean storedType(Npy.DType a, DType t) {
    return (a == Npy.DType.U1 && t == DType.UINT8)
        || (a == Npy.DType.I1 && t == DType.INT8)
        || (a == Npy.DType.I4 && t == DType.INT32)
        || (a == Npy.DType.I8 && t == DType.INT64);
  }

  /** Elements [from, from + n) of an array of the input's own stored type. */
  private static Object storedValue(Npy.Array a, int from, int n, DType t) {
    ByteBuffer d = a.data();
    switch (t) {
      case UINT8, INT8 -> {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = d.get(from + i);
        return b;
      }
      case INT64 -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = d.getLong((from + i) * 8);
        return l;
      }
      default -> {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = d.getInt((from + i) * 4);
        return x;
      }
    }
  }
}
