package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * Normalization over axes (1, 2, 3) (one mean and variance per element of a [3, 4, 2] sample)
 * lowers its MUL and ADD constants in the sample's shape; with per-channel Rescaling lists, the
 * float export on TFLite equals Java's forward and QAT → int8 → TFLite BUILTIN is bit-exact.
 */
class KerasNormalizationExportTest {
  @TempDir Path tmp;

  private Path file(SplittableRandom r) {
    float[] mean = (float[]) LegacyFile.rand(r, 24), var = new float[24];
    for (int i = 0; i < 24; i++) var[i] = 0.1f + 3 * (float) r.nextDouble();
    return new LegacyFile("3.4.1")
        .layer(
            "Normalization", "norm", "\"axis\": [1, 2, 3], \"batch_input_shape\": [null, 3, 4, 2]")
        .weight("norm", "mean:0", mean)
        .weight("norm", "variance:0", var)
        .weight("norm", "count:0", new float[] {100f})
        .layer("Rescaling", "rs", "\"scale\": [0.5, -2.0], \"offset\": [0.25, 1.0]")
        .layer("Flatten", "flat", "")
        .layer("Dense", "d", "\"units\": 3")
        .weight("d", "kernel:0", LegacyFile.rand(r, 24, 3))
        .weight("d", "bias:0", LegacyFile.rand(r, 3))
        .write(tmp.resolve("norm.h5"));
  }

  private static float[] inputs(SplittableRandom r) {
    float[] x = new float[96 * 24];
    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 6 - 3);
    return x;
  }

  @Test
  @Tag("native")
  void floatExportOnTfliteEqualsJava() throws Exception {
    SplittableRandom r = new SplittableRandom(21);
    Model m = KerasImporter.read(file(r)).model();
    float[] x = Arrays.copyOf(inputs(r), 24);
    float[] java = m.predict(Tensor.of(x.clone(), 1, 3, 4, 2)).toArray();
    try (TfliteModel t = TfliteModel.fromBytes(TfliteWriter.write(FloatLowering.lower(m)));
        Interpreter it = Interpreter.create(t)) {
      it.input(0).write(x);
      it.invoke();
      float[] tflite = it.output(0).readFloats();
      for (int i = 0; i < 3; i++)
        assertEquals(tflite[i], java[i], 1e-5 * Math.max(1, Math.abs(tflite[i])), "output " + i);
    }
  }

  @Test
  @Tag("native")
  void perElementStatisticsAndChannelListsVerifyBitExact() throws Exception {
    SplittableRandom r = new SplittableRandom(21);
    Model m = KerasImporter.read(file(r)).model();
    float[] x = inputs(r);
    Dataset d = new Dataset(x, new int[96], new int[] {3, 4, 2}, 3);
    Int8RoundTrip.assertBitExact("Normalization (1, 2, 3) + Rescaling lists", m, d);
  }
}
