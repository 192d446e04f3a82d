package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.LeakyReLU;

/**
 * The merge and activation mappings of issue 14 on 01's weights under a hand-written Keras 3
 * Functional config (test resource 01_with_merges_config.json): LeakyReLU (Keras 3 negative_slope
 * and Keras 2 alpha), Activation elu/tanh/swish, Subtract, a three-input Maximum, Minimum, Average,
 * ReLU(negative_slope) and the ELU layer between the first conv and the rest of the network.
 */
class KerasNewLayersTest {
  private static Model load() throws Exception {
    return load(UnaryOperator.identity());
  }

  /** 01's weights under the test config, edited by {@code edit}. */
  private static Model load(UnaryOperator<String> edit) throws Exception {
    Path p = Fixtures.require("01_fashion_cnn_k341.keras");
    Path dir = Files.createTempDirectory("keras-merges");
    Path weights = dir.resolve("model.weights.h5"), json = dir.resolve("config.json");
    try (ZipFile z = new ZipFile(p.toFile())) {
      Files.write(weights, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
    }
    Path config =
        Path.of(KerasNewLayersTest.class.getResource("01_with_merges_config.json").toURI());
    Files.writeString(json, edit.apply(Files.readString(config)));
    try {
      return KerasImporter.read(weights, json).model();
    } finally {
      Files.delete(weights);
      Files.delete(json);
      Files.delete(dir);
    }
  }

  @Test
  void settingsWithoutAnExactLayerAreRefusedByName() {
    Fixtures.require("01_fashion_cnn_k341.keras"); // skip here: inside assertThrows it would fail
    String[][] cases = {
      {
        "\"activation\": \"tanh\"",
        "\"activation\": \"softsign\"",
        "unsupported Keras activation 'softsign'"
      },
      {
        "\"max_value\": null",
        "\"max_value\": 6.0",
        "'sloped' (ReLU): negative_slope 0.2 with a max_value"
      },
    };
    for (String[] c : cases) {
      KerasImportException e =
          assertThrows(KerasImportException.class, () -> load(j -> j.replace(c[0], c[1])));
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
    }
  }

  @Test
  void mergesAndActivationsMapToTheirLayers() throws Exception {
    Model m = load();
    List<String> types = m.nodes().stream().map(n -> n.name() + ":" + n.layer().type()).toList();
    for (String want :
        List.of(
            "leaky:LeakyReLU",
            "elu_act:ELU",
            "sub:Subtract",
            "max3_partial1:Maximum",
            "max3:Maximum",
            "min:Minimum",
            "avg:Average",
            "tanh_act:Tanh",
            "swish_act_sigmoid:Sigmoid",
            "swish_act:Multiply",
            "sloped:LeakyReLU",
            "elu_layer:ELU",
            "leaky2:LeakyReLU")) assertTrue(types.contains(want), want + " in " + types);
    assertEquals(0.1f, alpha(m, "leaky"));
    assertEquals(0.2f, alpha(m, "sloped"));
    assertEquals(0.25f, alpha(m, "leaky2"));
    Node avg = m.node("avg");
    assertEquals(List.of("min", "sub"), avg.inputs().stream().map(Node::name).toList());
  }

  /** The imported graph computes the Keras formulas, layer by layer, on the first conv's output. */
  @Test
  void outputsFollowTheKerasFormulas() throws Exception {
    Model m = load();
    float[] x = new float[28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = (i * 53 % 255) / 255f - 0.3f;
    m.predict(Tensor.of(x, 1, 28, 28, 1));
    float[] conv = m.activation("first_conv").toArray(), avg = m.activation("avg").toArray();
    for (int i = 0; i < conv.length; i++) {
      float c = conv[i];
      float leaky = c > 0 ? c : 0.1f * c, elu = c > 0 ? c : (float) Math.expm1(c);
      float sub = leaky - elu;
      float max = Math.max(Math.max(sub, leaky), elu), min = Math.min(max, c);
      assertEquals((min + sub) * 0.5f, avg[i], 1e-6f, "avg at " + i);
    }
  }

  private static float alpha(Model m, String layer) {
    return ((LeakyReLU) m.node(layer).layer()).alpha();
  }
}
