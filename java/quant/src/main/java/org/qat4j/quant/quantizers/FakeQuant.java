package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.internal.Parallel;

/**
 * TensorFlow's fake-quant kernel in float32: nudged range, zero point rounded half away from zero,
 * {@code floor(x/scale − qzero + 0.5)·scale}; per-tensor or per-channel along the last axis. The
 * straight-through mask marks elements inside the nudged range (gradient passes) with 1.
 */
public final class FakeQuant {
  /** Elements per parallel chunk below which the loop stays on the calling thread. */
  private static final int PARALLEL_GRAIN = 1 << 15;

  private FakeQuant() {}

  /**
   * The nudged grid of one range: 0 is exactly representable, {@code zeroPoint} in [qmin, qmax].
   */
  public record Nudged(
      float nudgedMin,
      float nudgedMax,
      float scale,
      float invScale,
      float qzero,
      int zeroPoint,
      int qmin,
      int qmax) {
    /** True for the min == max == 0 case: the kernel outputs 0 and passes the gradient. */
    public boolean zero() {
      return scale == 0f;
    }
  }

  public static int qmin(boolean narrow) {
    return narrow ? 1 : 0;
  }

  public static int qmax(int bits) {
    return (1 << bits) - 1;
  }

  /** Nudges {@code [min, max]} onto the grid of {@code bits} (2–8) bits, as TF's {@code Nudge}. */
  public static Nudged nudge(float min, float max, int bits, boolean narrow) {
    checkBits(bits);
    if (!(min <= max) || Float.isNaN(min) || Float.isInfinite(min) || Float.isInfinite(max)) {
      throw new IllegalArgumentException(
          "fake-quant range must be finite with min <= max, got [" + min + ", " + max + "]");
    }
    int qmin = qmin(narrow), qmax = qmax(bits);
    if (min == 0f && max == 0f) return new Nudged(0f, 0f, 0f, 0f, 0f, qmin, qmin, qmax);
    if (min == max)
      throw new IllegalArgumentException(
          "degenerate fake-quant range [" + min + ", " + max + "]: min == max != 0");
    float qminF = qmin, qmaxF = qmax;
    float scale = (max - min) / (qmaxF - qminF);
    float inv = (qmaxF - qminF) / (max - min);
    float zpf = qminF - min / scale;
    int zp = zpf < qminF ? qmin : zpf > qmaxF ? qmax : (int) cRound(zpf);
    float nmin = (qminF - zp) * scale;
    float nmax = (qmaxF - zp) * scale;
    float qzero = (float) Math.floor(-nmin * inv + 0.5f);
    return new Nudged(nmin, nmax, scale, inv, qzero, zp, qmin, qmax);
  }

  /** C/C++ {@code std::round} on a float: half away from zero ({@link QuantMath#cRound(float)}). */
  public static float cRound(float x) {
    return QuantMath.cRound(x);
  }

  /** One element, per-tensor ("Vars") form: division by scale. */
  public static float quantizeVars(float x, Nudged n) {
    if (n.zero()) return 0f;
    float xc = Math.min(Math.max(x, n.nudgedMin), n.nudgedMax);
    return (float) Math.floor((xc - n.nudgedMin) / n.scale - n.qzero + 0.5f) * n.scale;
  }

  /** One element, per-channel ("Args"/"PerChannel") form: multiplication by the inverse scale. */
  public static float quantizeInv(float x, Nudged n) {
    if (n.zero()) return 0f;
    float xc = Math.min(Math.max(x, n.nudgedMin), n.nudgedMax);
    return (float) Math.floor((xc - n.nudgedMin) * n.invScale - n.qzero + 0.5f) * n.scale;
  }

  /** True when the straight-through gradient passes for {@code x}. */
  public static boolean passes(float x, Nudged n) {
    return n.zero() || (x >= n.nudgedMin && x <= n.nudgedMax);
  }

  /**
   * Fake-quantizes {@code size} elements of {@code in} into {@code out} (may alias) with one grid
   * per channel of the last axis ({@code grids.length} channels; 1 = per-tensor). Writes 1/0 into
   * {@code mask} (may be null) for the straight-through estimator. {@code perChannelForm} selects
   * the PerChannel kernel's multiplication by the inverse scale (else the per-tensor division).
   */
  public static void apply(
      FloatBuffer in,
      FloatBuffer out,
      int size,
      Nudged[] grids,
      byte[] mask,
      boolean perChannelForm) {
    int c = grids.length;
    if (size % c != 0)
      throw new IllegalArgumentException(
          "tensor of " + size + " elements is not a multiple of " + c + " channels");
    if (mask != null && mask.length < size)
      throw new IllegalArgumentException("mask shorter than tensor");
    if (size < 2 * PARALLEL_GRAIN) {
      run(in, out, 0, size, grids, mask, perChannelForm);
      return;
    }
    int rows = size / c;
    Parallel.forRange(rows, (lo, hi) -> run(in, out, lo * c, hi * c, grids, mask, perChannelForm));
  }

  private static final int BLOCK = 4096;

  /** Elements [lo, hi) in heap blocks (lo is a multiple of the channel count). */
  private static void run(
      FloatBuffer in,
      FloatBuffer out,
      int lo,
      int hi,
      Nudged[] grids,
      byte[] mask,
      boolean perChannelForm) {
    int c = grids.length;
    float[] v = new float[BLOCK];
    for (int off = lo; off < hi; off += BLOCK) {
      int len = Math.min(BLOCK, hi - off);
      in.get(off, v, 0, len);
      if (!perChannelForm && c == 1) blockTensor(v, len, grids[0], mask, off);
      else blockChannels(v, len, grids, mask, off, (off - lo) % c);
      out.put(off, v, 0, len);
    }
  }

  private static void blockChannels(
      float[] v, int len, Nudged[] grids, byte[] mask, int base, int ch0) {
    int c = grids.length;
    for (int i = 0, ch = ch0; i < len; i++) {
      Nudged n = grids[ch];
      float x = v[i];
      v[i] = quantizeInv(x, n);
      if (mask != null) mask[base + i] = passes(x, n) ? (byte) 1 : 0;
      if (++ch == c) ch = 0;
    }
  }

  private static void blockTensor(float[] v, int len, Nudged n, byte[] mask, int base) {
    if (n.zero()) {
      java.util.Arrays.fill(v, 0, len, 0f);
      if (mask != null) java.util.Arrays.fill(mask, base, base + len, (byte) 1);
      return;
    }
    float nmin = n.nudgedMin, nmax = n.nudgedMax, s = n.scale, qz = n.qzero;
    for (int i = 0; i < len; i++) {
      float x = v[i];
      float xc = x < nmin ? nmin : (x > nmax ? nmax : x);
      v[i] = (float) Math.floor((xc - nmin) / s - qz + 0.5f) * s;
      if (mask != null) mask[base + i] = (x >= nmin && x <= nmax) ? (byte) 1 : 0;
    }
  }

  /** grad[i] *= mask[i] for the straight-through estimator (in place). */
  public static void maskGradient(FloatBuffer grad, int size, byte[] mask) {
    if (size < 2 * PARALLEL_GRAIN) {
      maskRange(grad, 0, size, mask);
      return;
    }
    Parallel.forRange(size, (lo, hi) -> maskRange(grad, lo, hi, mask));
  }

  private static void maskRange(FloatBuffer grad, int lo, int hi, byte[] mask) {
    for (int i = lo; i < hi; i++) if (mask[i] == 0) grad.put(i, 0f);
  }

  static void checkBits(int bits) {
    if (bits < 2 || bits > 8)
      throw new IllegalArgumentException("num_bits must be in 2..8, got " + bits);
  }
}
