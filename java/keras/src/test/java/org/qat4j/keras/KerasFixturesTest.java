package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.core.Model;
import org.qat4j.core.Param;

/**
 * Every file in shared/models/keras: the importable ones give the README's trainable-parameter
 * count, input and output shapes, and weights bit-identical to the HDF5 datasets; the others are
 * refused with a message naming the file, the Keras class and the layer.
 */
class KerasFixturesTest {
  static Stream<Arguments> importable() {
    return Stream.of(
        Arguments.of(
            "01_fashion_cnn_k341.keras",
            225034,
            new int[] {28, 28, 1},
            10,
            "dense_1/kernel",
            "/layers/dense_1/vars/0"),
        Arguments.of(
            "02_fashion_mlp_nested_tfk214.keras",
            101770,
            new int[] {28, 28, 1},
            10,
            "dense/kernel",
            "/_layer_checkpoint_dependencies\\sequential\\_layer_checkpoint_dependencies\\dense/vars/0"),
        // Keras 3 names weight groups by class and order: layer conv2d_5 is the third Conv2D, group
        // conv2d_2
        Arguments.of(
            "04_cifar10_cnn_k36.keras",
            356810,
            new int[] {32, 32, 3},
            10,
            "conv2d_5/bias",
            "/layers/conv2d_2/vars/1"),
        Arguments.of(
            "05_cifar10_cnn_k36_legacy.h5",
            356810,
            new int[] {32, 32, 3},
            10,
            "conv2d_5/kernel",
            "/model_weights/conv2d_5/sequential_1/conv2d_5/kernel"),
        Arguments.of(
            "06_fer_mini_xception_k205.h5",
            56951,
            new int[] {64, 64, 1},
            7,
            "separable_conv2d_1/kernel",
            "/model_weights/separable_conv2d_1/separable_conv2d_1_1/pointwise_kernel:0"),
        Arguments.of(
            "07_tm_mobilenetv2_trash_k224tf.h5",
            524728,
            new int[] {224, 224, 3},
            5,
            "bn_Conv1/moving_variance",
            "/model_weights/sequential_5/bn_Conv1/moving_variance:0"),
        Arguments.of(
            "08_resnet18_shapes_k230tf.h5",
            271555,
            new int[] {128, 128, 3},
            3,
            "dense_4/kernel",
            "/model_weights/dense_4/dense_4/kernel:0"),
        // Conv2D(activation='elu') → Conv2D + ELU; BatchNormalization after the input and after
        // each Concatenate
        Arguments.of(
            "09_cervical_concat_cnn_k222.h5",
            144151,
            new int[] {256, 256, 3},
            3,
            "conv2d_1/kernel",
            "/model_weights/conv2d_1/conv2d_1/kernel:0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("importable")
  void imports(
      String file, int trainable, int[] input, int classes, String anchorParam, String anchorPath)
      throws IOException {
    Path p = Fixtures.require(file);
    KerasImport r = KerasImporter.read(p);
    checkModel(p, r, trainable, input, classes);
    assertArrayEquals(
        H5Values.read(p, anchorPath),
        r.model().params().get(anchorParam).value().toArray(),
        0f,
        anchorParam + " vs " + anchorPath);
  }

  @Test
  void weightsOnlyWithArchitectureJson() throws Exception {
    Path p = Fixtures.require("03_mnist_mlp_k3_weightsonly.h5");
    Path json = Path.of(getClass().getResource("03_mnist_mlp_architecture.json").toURI());
    KerasImport r = KerasImporter.read(p, json);
    checkModel(p, r, 109386, new int[] {28, 28, 1}, 10);
    assertArrayEquals(
        H5Values.read(p, "/layers/dense_1/vars/0"),
        r.model().params().get("dense_1/kernel").value().toArray(),
        0f);
  }

  /**
   * 01's weights under a hand-written Keras 3 Functional config (other layer names, Keras 3 inbound
   * nodes, one weightless ReLU layer called twice, its second call listed before the layer it
   * reads): weight groups are found by class and order, and the outputs equal the Sequential's.
   */
  @Test
  void keras3FunctionalConfigWithASharedLayer() throws Exception {
    Path p = Fixtures.require("01_fashion_cnn_k341.keras");
    Path dir = java.nio.file.Files.createTempDirectory("keras-functional");
    Path weights = dir.resolve("model.weights.h5");
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(p.toFile())) {
      java.nio.file.Files.write(
          weights, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
    }
    Path json = Path.of(getClass().getResource("01_as_functional_config.json").toURI());
    Model functional = KerasImporter.read(weights, json).model();
    Model sequential = KerasImporter.read(p).model();
    assertEquals(sequential.parameterCount(), functional.parameterCount());
    assertEquals("shared_relu_call1", functional.node("shared_relu_call1").name());
    float[] x = new float[2 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = (i * 37 % 255) / 255f;
    assertArrayEquals(
        sequential.predict(org.qat4j.core.Tensor.of(x.clone(), 2, 28, 28, 1)).toArray(),
        functional.predict(org.qat4j.core.Tensor.of(x, 2, 28, 28, 1)).toArray(),
        0f);
    java.nio.file.Files.delete(weights);
    java.nio.file.Files.delete(dir);
  }

  /**
   * The same weights under a Keras 2.1-style config: a bare-list Sequential, no InputLayer,
   * batch_input_shape on the first layer.
   */
  @Test
  void bareListSequentialWithoutInputLayer() throws Exception {
    Path p = Fixtures.require("03_mnist_mlp_k3_weightsonly.h5");
    Path json = Path.of(getClass().getResource("03_mnist_mlp_keras21_style.json").toURI());
    KerasImport r = KerasImporter.read(p, json);
    checkModel(p, r, 109386, new int[] {28, 28, 1}, 10);
    assertEquals(java.util.List.of("dense_2"), r.frozenLayers());
  }

  @Test
  void logitsOptionDropsTheFinalSoftmax() throws IOException {
    Path p = Fixtures.require("01_fashion_cnn_k341.keras");
    Model full = KerasImporter.read(p).model();
    Model logits = KerasImporter.read(p, true).model();
    assertEquals("Softmax", full.output().layer().type());
    assertEquals("Dense", logits.output().layer().type());
    assertEquals(full.parameterCount(), logits.parameterCount());
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "03_mnist_mlp_k3_weightsonly.h5",
            null,
            "weights-only HDF5 file (no model_config attribute)"),
        Arguments.of(
            "11_cyclegan_unet_instnorm_k224tf.h5",
            null,
            "(InstanceNormalization): Keras layer class 'InstanceNormalization' is not supported"),
        Arguments.of(
            "13_mnist_densenet_lambda_k224.h5",
            null,
            "layer 'lambda_1' (Lambda): Keras layer class 'Lambda' holds Python code"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWithAClearMessage(String file, String json, String expected) {
    Path p = Fixtures.require(file);
    KerasImportException e =
        assertThrows(
            KerasImportException.class,
            () -> {
              if (json == null) KerasImporter.read(p);
              else KerasImporter.read(p, Fixtures.require(json));
            });
    assertTrue(e.getMessage().startsWith(file), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /**
   * Parameter count (BN moving statistics excluded, as in Keras's trainable count), shapes, and
   * every weight bit-exact from the file.
   */
  static void checkModel(Path file, KerasImport r, int trainable, int[] input, int classes)
      throws IOException {
    Model m = r.model();
    long count = 0;
    for (Param q : m.trainableParams()) count += q.value().size();
    assertEquals(trainable, count, "trainable parameters");
    assertArrayEquals(input, m.inputShape());
    assertArrayEquals(new int[] {classes}, m.outputShape());
    Map<String, Param> params = m.params();
    assertEquals(
        params.keySet(), r.weightSources().keySet(), "every parameter comes from the file");
    try (HdfFile h5 = H5Values.open(file)) {
      for (Map.Entry<String, String> e : r.weightSources().entrySet()) {
        float[] want = (float[]) h5.getDatasetByPath(e.getValue()).getDataFlat();
        float[] got = params.get(e.getKey()).value().toArray();
        assertEquals(want.length, got.length, e.getKey());
        for (int i = 0; i < want.length; i++) {
          if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
            throw new AssertionError(
                e.getKey()
                    + "["
                    + i
                    + "] = "
                    + got[i]
                    + " but "
                    + e.getValue()
                    + " holds "
                    + want[i]);
          }
        }
      }
    }
  }
}
