package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

class LayerRegistryTest {
  /** One non-default instance of every layer type before the sequence layers. */
  static List<Layer> imageSamples() {
    return List.of(
        new Input("in", 8, 8, 3),
        new Dense("d", 7)
            .activation(Activation.RELU6)
            .useBias(false)
            .kernelInitializer(Initializer.heUniform()),
        new ReLU("r"),
        new ReLU6("r6"),
        new HardSwish("hs"),
        new Sigmoid("sg"),
        new Softmax("sm"),
        new Conv2D("c", 16, 3, 5)
            .strides(2, 1)
            .dilation(1, 2)
            .padding(Padding.SAME)
            .useBias(false)
            .activation(Activation.RELU)
            .kernelInitializer(
                new Initializer(
                    0.16, Initializer.Mode.FAN_AVG, Initializer.Distribution.TRUNCATED_NORMAL)),
        new DepthwiseConv2D("dw", 3, 3)
            .depthMultiplier(2)
            .strides(2, 2)
            .dilation(1, 1)
            .padding(Padding.SAME)
            .activation(Activation.RELU6),
        new BatchNormalization("bn").momentum(0.9f).epsilon(1e-5f).freeze(true),
        new MaxPool2D("mp", 3, 3).strides(2, 2).padding(Padding.SAME),
        new AveragePool2D("ap", 2, 3).strides(1, 1),
        new GlobalAveragePooling2D("gap"),
        new GlobalMaxPooling2D("gmp"),
        new Add("add"),
        new Multiply("mul"),
        new Concatenate("cat"),
        new Flatten("fl"),
        new Reshape("rs", 4, -1),
        new ZeroPadding2D("zp", 1, 2, 3, 4),
        new Dropout("dr", 0.3f));
  }

  /**
   * All samples: {@link #imageSamples()}, the sequence layers and issue 14's merge/activation
   * layers.
   */
  static List<Layer> samples() {
    List<Layer> all = new ArrayList<>(imageSamples());
    all.addAll(
        List.of(
            new Embedding("emb", 30, 4),
            new SpatialDropout1D("sd", 0.2f),
            new LSTM("lstm", 5).returnSequences(true).hardSigmoid(true),
            new GRU("gru", 3).resetAfter(false).hardSigmoid(true).returnSequences(true),
            new Subtract("sub"),
            new Maximum("max"),
            new Minimum("min"),
            new Average("avg"),
            new LeakyReLU("lr", 0.1f),
            new PReLU("pr", 1, 2),
            new Tanh("th"),
            new ELU("elu"),
            new Conv2DTranspose("ct", 3, 3, 2).strides(2, 1).padding(Padding.SAME).useBias(false),
            new UpSampling2D("up", 2, 3, true),
            new Permute("pm", 2, 3, 1),
            new Cropping2D("cr", 1, 0, 2, 1),
            new Rescaling("rsc", 1f / 127.5f, -1f),
            new Normalization("nrm", new float[] {0.5f, -1f}, new float[] {4f, 0.25f}),
            new Resizing("rsz", 5, 7, false),
            new Gelu("gelu", true)));
    return all;
  }

  @Test
  void everyLayerRoundTripsThroughItsConfig() {
    Set<String> seen = new HashSet<>();
    for (Layer l : samples()) {
      Layer back = LayerRegistry.create(l.type(), l.name(), l.config());
      assertEquals(l.getClass(), back.getClass(), l.type());
      assertEquals(l.config(), back.config(), l.type());
      assertEquals(l.name(), back.name());
      seen.add(l.type());
    }
    assertEquals(LayerRegistry.types(), seen, "every registered type has a round-trip sample");
  }

  @Test
  void everyLayerCopiesThroughItsTypedFields() {
    Set<String> seen = new HashSet<>();
    for (Layer l : samples()) {
      Layer copy = l.copy();
      assertNotSame(l, copy, l.type());
      assertEquals(l.getClass(), copy.getClass(), l.type());
      assertEquals(l.config(), copy.config(), l.type());
      assertEquals(l.name(), copy.name());
      seen.add(l.type());
    }
    assertEquals(LayerRegistry.types(), seen, "every registered type has a copy sample");
  }

  @Test
  void weightedCopiesChangeOnlyActivationAndBias() {
    for (Layer l : samples()) {
      if (!(l instanceof Weighted w)) continue;
      Layer copy = w.copy(Activation.NONE, !w.hasBias());
      var want = l.config();
      want.addProperty("activation", "NONE");
      want.addProperty("use_bias", !w.hasBias());
      assertEquals(want, copy.config(), l.type());
    }
  }

  @Test
  void aLayerWithoutCopyIsNamed() {
    Layer l =
        new Layer("custom") {
          @Override
          public String type() {
            return "CustomDouble";
          }

          @Override
          public int[] outputShape(int[]... in) {
            return in[0];
          }

          @Override
          public Tensor forward(Tensor[] in, ExecContext ctx) {
            return in[0];
          }

          @Override
          public Tensor[] backward(Tensor g, ExecContext ctx) {
            return new Tensor[] {g};
          }
        };
    var e = assertThrows(UnsupportedOperationException.class, l::copy);
    assertTrue(e.getMessage().contains("'custom' (CustomDouble)"), e.getMessage());
  }

  @Test
  void configsCarryTheSettings() {
    var c = new Conv2D("c", 16, 3, 5).strides(2, 1).padding(Padding.SAME).config();
    assertEquals(16, c.get("filters").getAsInt());
    assertEquals("SAME", c.get("padding").getAsString());
    Conv2D back = (Conv2D) LayerRegistry.create("Conv2D", "c", c);
    assertEquals(2, back.strides()[0]);
    assertEquals(5, back.kernelSize()[1]);
    BatchNormalization bn =
        (BatchNormalization)
            LayerRegistry.create("BatchNormalization", "bn", new BatchNormalization("x").config());
    assertEquals(0.99f, bn.momentum());
  }

  @Test
  void unknownTypeAndBadConfigAreClear() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LayerRegistry.create("Conv3D", "c3", new com.google.gson.JsonObject()));
    assertTrue(e.getMessage().contains("Conv3D") && e.getMessage().contains("c3"), e.getMessage());
    var f =
        assertThrows(
            IllegalArgumentException.class,
            () -> LayerRegistry.create("Conv2D", "cx", new com.google.gson.JsonObject()));
    assertTrue(f.getMessage().contains("kernel_size"), f.getMessage());
  }
}
