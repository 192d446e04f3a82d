package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;

/**
 * Activations selu, hard_sigmoid (Keras 2 and Keras 3 definitions, picked by the file's version)
 * and the ELU layer with α ≠ 1, in files written here: outputs follow the Keras formulas computed
 * by hand, and the chains quantize, export and run bit-exactly on TFLite.
 */
class KerasActivationsTest {
  @TempDir Path tmp;

  /** Input [6] → Dense(5, act) → Activation(act2) → ELU(alpha) → Dense(3). */
  private Path file(String version, String act, String act2, double alpha) throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    return new LegacyFile(version)
        .layer(
            "Dense",
            "d1",
            "\"units\": 5, \"activation\": \"" + act + "\", \"batch_input_shape\": [null, 6]")
        .weight("d1", "kernel:0", LegacyFile.rand(r, 6, 5))
        .weight("d1", "bias:0", LegacyFile.rand(r, 5))
        .layer("Activation", "a2", "\"activation\": \"" + act2 + "\"")
        .layer("ELU", "e3", "\"alpha\": " + alpha)
        .layer("Dense", "d4", "\"units\": 3")
        .weight("d4", "kernel:0", LegacyFile.rand(r, 5, 3))
        .weight("d4", "bias:0", LegacyFile.rand(r, 3))
        .write(tmp.resolve(version + act + act2 + alpha + ".h5"));
  }

  private static double selu(double x) {
    return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x));
  }

  private static double hardSigmoid(double x, int major) {
    return major == 2
        ? Math.min(1, Math.max(0, 0.2 * x + 0.5))
        : Math.min(6, Math.max(0, x + 3)) / 6;
  }

  private static float[] inputs(int n, long seed) {
    float[] x = new float[n * 6];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 8 - 4);
    return x;
  }

  /** Each layer's output against the Keras formula of its input, for Keras 2 and Keras 3 files. */
  @Test
  void chainsComputeTheKerasFormulas() throws Exception {
    for (String version : new String[] {"2.2.4", "3.4.1"}) {
      int major = version.charAt(0) - '0';
      Model m = KerasImporter.read(file(version, "selu", "hard_sigmoid", 0.5)).model();
      m.predict(Tensor.of(inputs(4, 1), 4, 6));
      float[] pre = m.activation("d1").toArray(), d1 = m.activation("d1_selu").toArray();
      float[] a2 = m.activation("a2").toArray(), e3 = m.activation("e3").toArray();
      int hits = 0;
      for (int i = 0; i < pre.length; i++) {
        assertEquals(selu(pre[i]), d1[i], 1e-6 * Math.max(1, Math.abs(d1[i])), "selu at " + i);
        assertEquals(hardSigmoid(d1[i], major), a2[i], 1e-6, version + " hard_sigmoid at " + i);
        double elu = a2[i] > 0 ? a2[i] : 0.5 * Math.expm1(a2[i]);
        assertEquals(elu, e3[i], 1e-6, "elu(0.5) at " + i);
        if (d1[i] > -2.5 && d1[i] < 2.5 && Math.abs(d1[i]) > 0.1) hits++;
      }
      assertTrue(hits > 3, "inputs reach hard_sigmoid's slope: " + hits);
    }
  }

  /** Negative ELU input: the α ≠ 1 path (ELU then LeakyReLU(α)) is taken, not just x > 0. */
  @Test
  void eluWithAlphaScalesTheNegativePart() throws Exception {
    Model m = KerasImporter.read(file("3.4.1", "linear", "linear", 2.5)).model();
    m.predict(Tensor.of(inputs(8, 2), 8, 6));
    float[] in = m.activation("d1").toArray(), out = m.activation("e3").toArray();
    int negative = 0;
    for (int i = 0; i < in.length; i++) {
      assertEquals(in[i] > 0 ? in[i] : 2.5 * Math.expm1(in[i]), out[i], 1e-6, "at " + i);
      if (in[i] < 0) negative++;
    }
    assertTrue(negative > 3, "negative inputs: " + negative);
  }

  @Test
  void unsupportedActivationsAndUnknownVersionsAreRefusedByName() throws Exception {
    String[][] cases = {
      {"3.4.1", "mish", "layer 'd1' (Dense): unsupported Keras activation 'mish'"},
      {"3.4.1", "softplus", "layer 'd1' (Dense): unsupported Keras activation 'softplus'"},
      {
        null, "hard_sigmoid", "layer 'd1' (Dense): activation 'hard_sigmoid' needs the file's Keras"
      },
    };
    for (String[] c : cases) {
      Path p = file(c[0], c[1], "linear", 1.0);
      KerasImportException e =
          assertThrows(KerasImportException.class, () -> KerasImporter.read(p));
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      assertTrue(e.getMessage().startsWith(p.getFileName().toString()), e.getMessage());
    }
  }

  /** selu, hard_sigmoid and ELU(α) through QAT → int8 → TFLite BUILTIN, bit-exact. */
  @Test
  @Tag("native")
  void quantizedChainsVerifyBitExact() throws Exception {
    for (String version : new String[] {"2.2.4", "3.4.1"}) {
      Model m = KerasImporter.read(file(version, "selu", "hard_sigmoid", 1.7)).model();
      float[] x = inputs(96, 3);
      Dataset d = new Dataset(x, new int[96], new int[] {6}, 3);
      Int8RoundTrip.assertBitExact("Keras " + version + " selu/hard_sigmoid/ELU(1.7)", m, d);
    }
  }
}
