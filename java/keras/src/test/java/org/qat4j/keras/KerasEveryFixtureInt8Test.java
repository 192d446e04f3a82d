package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.MultiDataset;

/**
 * The Keras fixtures no other test takes through QAT: each is imported (logits), quantized,
 * calibrated, exported to int8 and run on TFLite BUILTIN, whose outputs must equal the simulator's
 * bit for bit. Image inputs are Fashion-MNIST test images (nearest-neighbour resized, grey copied
 * to three channels, scaled to the range the model's author fed it), or seeded uniform noise in
 * that range when the dataset is not installed; they are not the models' own domains, so only the
 * simulator-vs-TFLite agreement is asserted.
 */
@Tag("native")
class KerasEveryFixtureInt8Test {
  /** File, input side, channels, input range, calibration and verification sample counts. */
  static Stream<Arguments> imageModels() {
    return Stream.of(
        // the notebook builds Flatten → Dense(128) → Dense(64) → Dense(10) on x/255
        Arguments.of("03_mnist_mlp_k3_weightsonly.h5", 28, 1, 0f, 1f, 32, 8),
        // CIFAR-10 CNN, x/255 (assumed: the author's training script is not in the fixture)
        Arguments.of("04_cifar10_cnn_k36.keras", 32, 3, 0f, 1f, 32, 8),
        Arguments.of("05_cifar10_cnn_k36_legacy.h5", 32, 3, 0f, 1f, 32, 8),
        // Teachable Machine MobileNetV2 feeds x/127.5 − 1; 224 px: few samples (slow simulator)
        Arguments.of("07_tm_mobilenetv2_trash_k224tf.h5", 224, 3, -1f, 1f, 16, 8),
        // ResNet-18 on synthetic 128 px shapes, x/255
        Arguments.of("08_resnet18_shapes_k230tf.h5", 128, 3, 0f, 1f, 16, 8),
        // the twin's SOURCE.md: MNIST digits as x/255
        Arguments.of("twins/06_gap8_mnist_cnn/keras_model.h5", 28, 1, 0f, 1f, 32, 8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("imageModels")
  void quantizesExportsAndVerifiesBitExact(
      String file, int side, int channels, float lo, float hi, int cal, int check)
      throws Exception {
    Model m = load(file);
    MultiDataset all = images(cal + check, side, channels, lo, hi);
    Int8RoundTrip.assertBitExact(file, m, all.subset(0, cal), all.subset(cal, cal + check));
  }

  /**
   * The StackedGAN generator's two inputs: a one-hot label [10] and noise [50] drawn like its
   * author's N(0, 0.5²); seeded random, as no data set fits.
   */
  @Test
  void twoInputGeneratorVerifiesBitExact() throws IOException {
    String file = "12_stackedgan_gen1_2inputs_k224tf.h5";
    Model m = KerasImporter.read(Fixtures.require(file), true).model();
    assertEquals(2, m.inputs().size());
    int n = 24;
    Random r = new Random(12);
    float[] labels = new float[n * 10];
    float[] noise = new float[n * 50];
    for (int s = 0; s < n; s++) labels[s * 10 + r.nextInt(10)] = 1f;
    for (int i = 0; i < noise.length; i++) noise[i] = (float) (0.5 * r.nextGaussian());
    MultiDataset all =
        new MultiDataset(new float[][] {labels, noise}, new int[][] {{10}, {50}}, null);
    Int8RoundTrip.assertBitExact(file, m, all.subset(0, 16), all.subset(16, n));
  }

  private static Model load(String file) throws Exception {
    Path p = Fixtures.require(file);
    if (!file.startsWith("03_")) return KerasImporter.read(p, true).model();
    // weights only: the architecture is the notebook's, as KerasFixturesTest reads it
    Path json =
        Path.of(
            KerasEveryFixtureInt8Test.class.getResource("03_mnist_mlp_architecture.json").toURI());
    return KerasImporter.read(p, json, true).model();
  }

  /**
   * {@code n} samples of side × side × channels in [lo, hi]: Fashion-MNIST test images when
   * installed (nearest-neighbour resize, grey in every channel), else seeded uniform noise.
   */
  private static MultiDataset images(int n, int side, int channels, float lo, float hi)
      throws IOException {
    int per = side * side * channels;
    float[] x = new float[n * per];
    if (!FashionMnist.available()) {
      Random r = new Random(side * 31L + channels);
      for (int i = 0; i < x.length; i++) x[i] = lo + (hi - lo) * r.nextFloat();
    } else {
      Dataset test = FashionMnist.load().test();
      for (int s = 0; s < n; s++) {
        float[] img = test.sample(s);
        for (int i = 0; i < side; i++)
          for (int j = 0; j < side; j++) {
            float v = lo + (hi - lo) * img[(i * 28 / side) * 28 + j * 28 / side];
            for (int c = 0; c < channels; c++) x[s * per + (i * side + j) * channels + c] = v;
          }
      }
    }
    return new MultiDataset(new float[][] {x}, new int[][] {{side, side, channels}}, null);
  }
}
