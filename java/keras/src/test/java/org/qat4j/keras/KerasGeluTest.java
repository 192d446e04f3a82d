package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.Gelu;

/**
 * gelu as {@code Dense(activation='gelu')}, {@code Activation('gelu')} and Keras 3's serialised
 * function object ({@code keras.activations.gelu}) in files written here: the erf form (Keras's
 * default approximate=False) computed by hand, and QAT → int8 → TFLite BUILTIN bit-exact.
 */
class KerasGeluTest {
  @TempDir Path tmp;

  /** Input [6] → Dense(5, gelu) → Dense(4) → Activation(gelu object) → Dense(3). */
  private Path file(String version) throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    String fn =
        "{\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"gelu\","
            + " \"registered_name\": \"function\"}";
    return new LegacyFile(version)
        .layer(
            "Dense",
            "d1",
            "\"units\": 5, \"activation\": \"gelu\", \"batch_input_shape\": [null, 6]")
        .weight("d1", "kernel:0", LegacyFile.rand(r, 6, 5))
        .weight("d1", "bias:0", LegacyFile.rand(r, 5))
        .layer("Dense", "d2", "\"units\": 4")
        .weight("d2", "kernel:0", LegacyFile.rand(r, 5, 4))
        .weight("d2", "bias:0", LegacyFile.rand(r, 4))
        .layer("Activation", "a3", "\"activation\": " + (version.startsWith("3") ? fn : "\"gelu\""))
        .layer("Dense", "d4", "\"units\": 3")
        .weight("d4", "kernel:0", LegacyFile.rand(r, 4, 3))
        .weight("d4", "bias:0", LegacyFile.rand(r, 3))
        .write(tmp.resolve(version + "gelu.h5"));
  }

  /** x·Φ(x) in double, Φ integrated numerically (independent of the erfc under test). */
  private static double gelu(double x) {
    return x * normalCdf(x);
  }

  /** Φ by Simpson's rule on the density from −12 (error far below 1e-9). */
  private static double normalCdf(double x) {
    int n = 20_000;
    double a = -12, h = (x - a) / n, s = 0;
    for (int i = 0; i <= n; i++) {
      double t = a + i * h, f = Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
      s += (i == 0 || i == n) ? f : (i % 2 == 1 ? 4 * f : 2 * f);
    }
    return s * h / 3;
  }

  private static float[] inputs(int n, long seed) {
    float[] x = new float[n * 6];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 8 - 4);
    return x;
  }

  @Test
  void geluImportsAsTheErfFormAndComputesIt() throws Exception {
    for (String version : new String[] {"2.2.4", "3.4.1"}) {
      Model m = KerasImporter.read(file(version)).model();
      Gelu split = (Gelu) m.layer("d1_gelu"), layer = (Gelu) m.layer("a3");
      assertFalse(split.approximate() || layer.approximate(), version);
      m.predict(Tensor.of(inputs(4, 1), 4, 6));
      float[] pre = m.activation("d1").toArray(), out = m.activation("d1_gelu").toArray();
      int negative = 0;
      for (int i = 0; i < pre.length; i++) {
        assertEquals(gelu(pre[i]), out[i], 1e-6 * Math.max(1, Math.abs(out[i])), "at " + i);
        if (pre[i] < -0.5) negative++;
      }
      assertTrue(negative > 2, "inputs reach GELU's negative dip: " + negative);
    }
  }

  @Test
  @Tag("native")
  void quantizedGeluVerifiesBitExact() throws Exception {
    for (String version : new String[] {"2.2.4", "3.4.1"}) {
      Model m = KerasImporter.read(file(version)).model();
      Dataset d = new Dataset(inputs(96, 3), new int[96], new int[] {6}, 3);
      Int8RoundTrip.assertBitExact("Keras " + version + " gelu", m, d);
    }
  }
}
