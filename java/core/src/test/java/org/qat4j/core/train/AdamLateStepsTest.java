package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * Adam after its bias corrections have rounded to 1 (the kernels then skip m / c1): every value and
 * moment, bit for bit, against the update written out with both divisions, on the Vector API path
 * and the plain one, at 1 and 2 threads, with L2 decay and with AdamW.
 */
class AdamLateStepsTest {
  /** 70,040 values: two workers at 2 threads (a worker per 32k), partial vectors in both. */
  private static final int[] SIZES = {70_003, 37};

  /** Gradient scales, tiny to large. */
  private static final double[] SCALES = {1e-6, 1e-3, 1, 100};

  private static final int STEPS = 40;
  private final boolean initial = VectorApi.on();
  private final int threads = Parallel.threads();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
    Parallel.setThreads(threads);
  }

  @Test
  void lateStepsMatchTheFormulaWithItsDivisions() {
    // β₁ 0.5 and β₂ 0.6: 1 − βᵗ rounds to 1 from t = 25 and t = 34, inside the 40 steps.
    LrSchedule lr = LrSchedule.constant(1e-2);
    Adam plain = new Adam(lr, 0.5, 0.6, 1e-7, 0);
    assertNotEquals(1f, plain.coefficients(1e-2, 24)[4]);
    assertEquals(1f, plain.coefficients(1e-2, 25)[4]);
    assertEquals(1f, plain.coefficients(1e-2, STEPS)[5]);
    for (boolean vector : new boolean[] {true, false})
      for (int t = 1; t <= 2; t++) {
        check(new Adam(lr, 0.5, 0.6, 1e-7, 0), vector, t);
        check(new Adam(lr, 0.5, 0.6, 1e-7, 1e-2), vector, t);
        check(new AdamW(lr, 0.5, 0.6, 1e-7, 1e-2), vector, t);
      }
  }

  private static void check(Adam a, boolean vector, int threads) {
    VectorApi.use(vector);
    Parallel.setThreads(threads);
    Map<String, Param> params = new LinkedHashMap<>();
    float[][] w = new float[SIZES.length][], m = new float[SIZES.length][];
    float[][] v = new float[SIZES.length][];
    for (int i = 0; i < SIZES.length; i++) {
      w[i] = start(i);
      m[i] = new float[SIZES[i]];
      v[i] = new float[SIZES[i]];
      params.put("l" + i + "/w", new Param("w", Tensor.of(w[i].clone(), SIZES[i]), true));
    }
    SplittableRandom r = new SplittableRandom(9);
    for (int t = 1; t <= STEPS; t++) {
      float[] k = a.coefficients(1e-2, t);
      for (int i = 0; i < SIZES.length; i++) {
        Param p = params.get("l" + i + "/w");
        for (int e = 0; e < SIZES[i]; e++) {
          float g = (float) (r.nextGaussian() * SCALES[r.nextInt(SCALES.length)]);
          p.grad().set(e, g);
          w[i][e] = formula(k, w[i][e], g, m[i], v[i], e);
        }
      }
      assertNull(a.stepIfFinite(params));
    }
    String what = a.type() + ", vector " + vector + ", threads " + threads;
    for (int i = 0; i < SIZES.length; i++) {
      assertArrayEquals(bits(w[i]), bits(params.get("l" + i + "/w").value().toArray()), what);
      assertArrayEquals(bits(m[i]), bits(a.slots().get("l" + i + "/w#m")), what);
      assertArrayEquals(bits(v[i]), bits(a.slots().get("l" + i + "/w#v")), what);
    }
  }

  /** One element's Adam step as documented, both bias corrections divided; returns the value. */
  private static float formula(float[] k, float w, float g, float[] m, float[] v, int e) {
    float gi = k[8] != 0f ? g + k[8] * w : g;
    m[e] = k[0] * m[e] + k[1] * gi;
    v[e] = k[2] * v[e] + k[3] * gi * gi;
    float mh = m[e] / k[4], vh = v[e] / k[5];
    return w * k[9] - k[6] * mh / ((float) Math.sqrt(vh) + k[7]);
  }

  private static float[] start(int i) {
    SplittableRandom r = new SplittableRandom(i);
    float[] s = new float[SIZES[i]];
    for (int e = 0; e < s.length; e++) s[e] = (float) r.nextGaussian();
    return s;
  }

  private static int[] bits(float[] f) {
    int[] b = new int[f.length];
    for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
    return b;
  }
}
