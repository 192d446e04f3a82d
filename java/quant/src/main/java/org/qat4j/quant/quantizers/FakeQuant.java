package org.qat4j.quant.quantizers;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * TensorFlow's fake-quant kernel in float32: nudged range, zero point rounded half away from zero,
 * {@code floor(x/scale − qzero + 0.5)·scale}; per-tensor or per-channel along the last axis. The
 * straight-through mask marks elements inside the nudged range (gradient passes) with 1.
 */
public final class FakeQuant {
  /** Elements per parallel chunk below which the loop stays on the calling thread. */
  private static final int PARALLEL_GRAIN = 1 << 15;

  /**
   * Tensors below this size take the plain heap loops even with the Vector API: a small kernel (a
   * conv's weights) calls the vector kernels a few times per step, so C2 compiles them only after
   * some 20–30 training steps, each running their C1 code (every vector a heap object: 2.5 ms
   * instead of 0.05 for the reference CNN's conv2 weights); the plain loops cost 0.08 ms from the
   * first steps on (same results bit for bit).
   */
  static final int VECTOR_MIN = 1 << 16;

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
    boolean vector = VectorApi.on() && size >= VECTOR_MIN;
    if (size < 2 * PARALLEL_GRAIN) {
      run(in, out, 0, size, grids, mask, perChannelForm, vector);
      return;
    }
    int rows = size / c;
    Parallel.forRange(
        rows, (lo, hi) -> run(in, out, lo * c, hi * c, grids, mask, perChannelForm, vector));
  }

  /**
   * {@link #apply(FloatBuffer, FloatBuffer, int, Nudged[], byte[], boolean)} on tensors. With the
   * Vector API a per-tensor grid runs on their native storage with its constants broadcast (same
   * bytes and bits; no heap copy and no tiles).
   */
  public static void apply(
      Tensor in, Tensor out, int size, Nudged[] grids, byte[] mask, boolean perChannelForm) {
    if (grids.length != 1 || grids[0].zero() || !VectorApi.on() || size > in.size()) {
      apply(in.buffer(), out.buffer(), size, grids, mask, perChannelForm);
      return;
    }
    if (mask != null && mask.length < size)
      throw new IllegalArgumentException("mask shorter than tensor");
    if (out.size() < size) throw new IllegalArgumentException("output shorter than " + size);
    Nudged n = grids[0];
    float[] k = {
      n.nudgedMin(),
      n.nudgedMax(),
      perChannelForm ? n.invScale() : n.scale(),
      n.qzero(),
      n.scale(),
      n.nudgedMin(),
      n.nudgedMax()
    };
    ByteBuffer vi = in.bytes();
    ByteBuffer vo = out.bytes();
    if (size < 2 * PARALLEL_GRAIN) {
      FakeQuantVector.tensor(vi, vo, 0, size, mask, k, !perChannelForm);
      return;
    }
    Parallel.forRange(
        size, (lo, hi) -> FakeQuantVector.tensor(vi, vo, lo, hi, mask, k, !perChannelForm));
  }

  private static final int BLOCK = 4096;

  /** 1.5·2²³: (q + MAGIC) − MAGIC rounds q to the nearest integer (ties to even) for |q| < 2²². */
  static final float MAGIC = 12582912f;

  /** d·BIG·BIG ≥ 1 for every positive float d. */
  private static final float BIG = 1e38f;

  /**
   * Elements [lo, hi) in heap blocks of whole rows (lo is a multiple of the channel count), with
   * every per-channel constant tiled to the block length so the loops are flat and C2 vectorizes
   * them; with the Vector API kernels when {@code vector}.
   */
  private static void run(
      FloatBuffer in,
      FloatBuffer out,
      int lo,
      int hi,
      Nudged[] grids,
      byte[] mask,
      boolean perChannelForm,
      boolean vector) {
    // Blocks of whole rows, no wider than the range: small tensors (logits) tile only what they
    // use.
    int c = grids.length, width = c * Math.max(1, Math.min(BLOCK / c, (hi - lo) / c));
    float[] v = new float[width];
    Tiles t = new Tiles(grids, width, perChannelForm, vector);
    for (int off = lo; off < hi; off += width) {
      int len = Math.min(width, hi - off);
      in.get(off, v, 0, len);
      if (mask != null) t.mask(v, len, mask, off);
      t.quantize(v, len);
      out.put(off, v, 0, len);
    }
  }

  /**
   * One block's per-lane grid constants. The floor of q = (xc − min)·inv − qzero + 0.5 (or /scale)
   * is computed in float without a select: |q| ≤ qmax + 1 ≪ 2²², where rounding with MAGIC and
   * stepping down by one where the rounded value exceeds q is exact, so the results equal {@link
   * #quantizeVars} / {@link #quantizeInv} (q is never −0). A zero grid has inv = scale = 0 and
   * outputs 0.
   */
  private static final class Tiles {
    private final float[] min;
    private final float[] max;
    private final float[] mul;
    private final float[] qz;
    private final float[] scale;
    private final float[] passLo;
    private final float[] passHi;
    private final boolean divide;
    private final boolean anyZero;
    private final boolean vector;

    Tiles(Nudged[] grids, int width, boolean perChannelForm, boolean vector) {
      this.vector = vector;
      int c = grids.length;
      divide = !perChannelForm && c == 1;
      min = new float[width];
      max = new float[width];
      mul = new float[width];
      qz = new float[width];
      scale = new float[width];
      passLo = new float[width];
      passHi = new float[width];
      boolean zero = false;
      for (int i = 0; i < c; i++) {
        Nudged n = grids[i];
        min[i] = n.nudgedMin;
        max[i] = n.nudgedMax;
        mul[i] = divide ? n.scale : n.invScale;
        qz[i] = n.qzero;
        scale[i] = n.scale;
        passLo[i] = n.zero() ? Float.NEGATIVE_INFINITY : n.nudgedMin;
        passHi[i] = n.zero() ? Float.POSITIVE_INFINITY : n.nudgedMax;
        zero |= n.zero();
      }
      anyZero = zero;
      for (float[] t : new float[][] {min, max, mul, qz, scale, passLo, passHi}) repeat(t, c);
    }

    /** Repeats t's first c entries over all of t (whole copies, doubling). */
    private static void repeat(float[] t, int c) {
      for (int have = c; have < t.length; have *= 2)
        System.arraycopy(t, 0, t, have, Math.min(have, t.length - have));
    }

    void quantize(float[] v, int len) {
      if (divide && anyZero) {
        java.util.Arrays.fill(v, 0, len, 0f);
        return;
      }
      if (vector) {
        FakeQuantVector.quantize(v, len, new float[][] {min, max, mul, qz, scale}, divide);
      } else if (divide) {
        for (int i = 0; i < len; i++) {
          float q = (Math.min(Math.max(v[i], min[i]), max[i]) - min[i]) / mul[i] - qz[i] + 0.5f;
          float r = (q + MAGIC) - MAGIC;
          v[i] = (r - Math.min(1f, Math.max(0f, (r - q) * BIG * BIG))) * scale[i];
        }
      } else {
        for (int i = 0; i < len; i++) {
          float q = (Math.min(Math.max(v[i], min[i]), max[i]) - min[i]) * mul[i] - qz[i] + 0.5f;
          float r = (q + MAGIC) - MAGIC;
          v[i] = (r - Math.min(1f, Math.max(0f, (r - q) * BIG * BIG))) * scale[i];
        }
      }
      // A zero grid outputs 0 even for NaN (the loop gives NaN there).
      if (anyZero) for (int i = 0; i < len; i++) if (scale[i] == 0f) v[i] = 0f;
    }

    /** mask = 1 where the straight-through gradient passes for the block's inputs. */
    void mask(float[] v, int len, byte[] mask, int base) {
      if (vector) {
        FakeQuantVector.mask(v, len, mask, base, passLo, passHi);
        return;
      }
      for (int i = 0; i < len; i++)
        mask[base + i] = v[i] >= passLo[i] && v[i] <= passHi[i] ? (byte) 1 : 0;
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
