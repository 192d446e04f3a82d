package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * The twins: a Keras file and the float .tflite Google's converter made from the same weights. The
 * imported model must give TFLite's outputs (max |Δ| / max |TFLite| ≤ 1e-4) on the twins' test
 * images.
 */
@Tag("native")
class KerasTwinTest {
  private static final double TOLERANCE = 1e-4;

  @Test
  void gap8MnistCnnMatchesTflite() throws Exception {
    Path dir = Fixtures.require("twins/06_gap8_mnist_cnn/keras_model.h5").getParent();
    Model m = KerasImporter.load(dir.resolve("keras_model.h5"));
    // samples/N.pgm is MNIST test image N; its digit per SOURCE.md
    int[] digits = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    try (TfliteModel t = TfliteModel.fromFile(dir.resolve("model_unquant.tflite"));
        Interpreter it = Interpreter.create(t)) {
      for (int i = 0; i < digits.length; i++) {
        float[] x = TwinImages.pgm(dir.resolve("test_images/" + i + ".pgm"));
        float[] keras = compare(m, it, x, new int[] {1, 28, 28, 1}, i + ".pgm");
        assertEquals(digits[i], argmax(keras), i + ".pgm");
      }
    }
  }

  @Test
  void teachableMachineMobileNetV2MatchesTflite() throws Exception {
    Path dir = Fixtures.require("twins/02_deafassist_sign24/keras_model.h5").getParent();
    Model m = KerasImporter.load(dir.resolve("keras_model.h5"));
    try (TfliteModel t = TfliteModel.fromFile(dir.resolve("model_unquant.tflite"));
        Interpreter it = Interpreter.create(t)) {
      for (String img : new String[] {"B.jpg", "HELLO.jpg", "PEACE.jpg"}) {
        float[] x = TwinImages.jpegTeachableMachine(dir.resolve("test_images/" + img), 224);
        compare(m, it, x, new int[] {1, 224, 224, 3}, img);
      }
    }
  }

  /**
   * Runs both, asserts the relative difference and equal top-1; returns the imported model's
   * output.
   */
  private static float[] compare(Model m, Interpreter it, float[] x, int[] shape, String what) {
    assertArrayEquals(
        java.util.Arrays.copyOfRange(shape, 1, shape.length), m.inputShape(), "input shape");
    float[] keras = m.predict(Tensor.of(x, shape)).toArray();
    it.input(0).write(x);
    it.invoke();
    float[] tflite = it.output(0).readFloats();
    assertEquals(tflite.length, keras.length, what);
    double maxDiff = 0, maxRef = 0, maxElem = 0;
    for (int i = 0; i < keras.length; i++) {
      double d = Math.abs(keras[i] - tflite[i]);
      maxDiff = Math.max(maxDiff, d);
      maxRef = Math.max(maxRef, Math.abs(tflite[i]));
      // per element too, so that small probabilities are checked, not only the winner (floor 1e-3)
      maxElem = Math.max(maxElem, d / Math.max(Math.abs(tflite[i]), 1e-3));
    }
    double rel = maxDiff / maxRef;
    System.out.printf(
        "twin %s: max|Δ| %.3g, max|TFLite| %.4f, relative %.3g, per element %.3g, top-1 %d%n",
        what, maxDiff, maxRef, rel, maxElem, argmax(tflite));
    assertTrue(rel <= TOLERANCE, what + ": relative difference " + rel + " > " + TOLERANCE);
    assertTrue(
        maxElem <= TOLERANCE,
        what + ": per-element relative difference " + maxElem + " > " + TOLERANCE);
    assertEquals(argmax(tflite), argmax(keras), what + " top-1");
    return keras;
  }

  private static int argmax(float[] a) {
    int b = 0;
    for (int i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
    return b;
  }
}
