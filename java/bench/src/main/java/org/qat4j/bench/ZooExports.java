package org.qat4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteWriter;

/**
 * Writes a zoo architecture as float32 and full-int8 .tflite files: initialised weights, int8 by
 * PTQ (min/max) on generated smooth images, so size and latency figures need no training run.
 */
final class ZooExports {
  /** The two files of one model and the seconds the int8 calibration took. */
  record Pair(String name, Path floatFile, Path int8File, double calibSecs) {}

  private ZooExports() {}

  static Pair export(String name, Path dir, int calibImages, int batch) throws IOException {
    Model m = Zoo.create(name, 1);
    Files.createDirectories(dir);
    Path f = dir.resolve(name + "_float.tflite"), q = dir.resolve(name + "_int8.tflite");
    Files.write(f, TfliteWriter.write(FloatLowering.lower(m)));
    long t = System.nanoTime();
    QatModel qat = Ptq.quantize(m, smoothImages(m.inputShape(), calibImages, batch, 42));
    double secs = (System.nanoTime() - t) / 1e9;
    Files.write(q, TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8)));
    return new Pair(name, f, q, secs);
  }

  /** The files a previous {@link #export} wrote (calibration time unknown: NaN). */
  static Pair existing(String name, Path dir) {
    Path f = dir.resolve(name + "_float.tflite"), q = dir.resolve(name + "_int8.tflite");
    if (!Files.isRegularFile(f) || !Files.isRegularFile(q))
      throw new IllegalArgumentException("--export=false: " + f + " or " + q + " is missing");
    return new Pair(name, f, q, Double.NaN);
  }

  /**
   * {@code count} images of shape [h, w, c] in batches: per channel a random mix of three
   * low-frequency plane waves plus a soft blob and slight pixel noise, scaled to [−1, 1] for RGB
   * nets (Keras MobileNet/ResNet-style preprocessing range) and [0, 1] for one-channel nets.
   */
  static List<Tensor> smoothImages(int[] shape, int count, int batch, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int h = shape[0], w = shape[1], c = shape[2], per = h * w * c;
    boolean signed = c == 3;
    List<Tensor> out = new ArrayList<>();
    for (int start = 0; start < count; start += batch) {
      int n = Math.min(batch, count - start);
      float[] v = new float[n * per];
      for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++) paint(r, v, i * per, h, w, c, ch, signed);
      out.add(Tensor.of(v, n, h, w, c));
    }
    return out;
  }

  private static void paint(
      SplittableRandom r, float[] v, int off, int h, int w, int c, int ch, boolean signed) {
    double[] fx = new double[3], fy = new double[3], ph = new double[3], amp = new double[3];
    for (int k = 0; k < 3; k++) {
      fx[k] = r.nextDouble(-4, 4);
      fy[k] = r.nextDouble(-4, 4);
      ph[k] = r.nextDouble(0, 2 * Math.PI);
      amp[k] = r.nextDouble(0.1, 0.35);
    }
    double bx = r.nextDouble(0.2, 0.8) * w,
        by = r.nextDouble(0.2, 0.8) * h,
        br = r.nextDouble(0.1, 0.4) * Math.max(h, w);
    double ba = r.nextDouble(-0.5, 0.5), base = r.nextDouble(0.3, 0.7);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double s = base;
        for (int k = 0; k < 3; k++)
          s += amp[k] * Math.sin(2 * Math.PI * (fx[k] * x / w + fy[k] * y / h) + ph[k]);
        double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (br * br);
        s += ba * Math.exp(-d2) + 0.02 * r.nextGaussian();
        s = Math.min(1, Math.max(0, s));
        v[off + (y * w + x) * c + ch] = (float) (signed ? 2 * s - 1 : s);
      }
  }
}
