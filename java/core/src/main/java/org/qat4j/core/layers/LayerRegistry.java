package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.qat4j.core.Layer;

/**
 * Type name → factory from (name, config JSON), used to load saved models. A new layer type adds
 * one row here (or calls {@link #register} from its own module).
 */
public final class LayerRegistry {
  /** Rebuilds a layer from its saved name and config. */
  @FunctionalInterface
  public interface Factory {
    Layer create(String name, JsonObject config);
  }

  private static final Map<String, Factory> FACTORIES = new ConcurrentHashMap<>();

  static {
    register("Input", Input::fromConfig);
    register("Dense", Dense::fromConfig);
    register("ReLU", (n, c) -> new ReLU(n));
    register("ReLU6", (n, c) -> new ReLU6(n));
    register("HardSwish", (n, c) -> new HardSwish(n));
    register("Sigmoid", (n, c) -> new Sigmoid(n));
    register("Softmax", (n, c) -> new Softmax(n));
    register("Conv2D", Conv2D::fromConfig);
    register("DepthwiseConv2D", DepthwiseConv2D::fromConfig);
    register("BatchNormalization", BatchNormalization::fromConfig);
    register("MaxPool2D", MaxPool2D::fromConfig);
    register("AveragePool2D", AveragePool2D::fromConfig);
    register("GlobalAveragePooling2D", (n, c) -> new GlobalAveragePooling2D(n));
    register("GlobalMaxPooling2D", (n, c) -> new GlobalMaxPooling2D(n));
    register("Add", (n, c) -> new Add(n));
    register("Multiply", (n, c) -> new Multiply(n));
    register("Concatenate", (n, c) -> new Concatenate(n));
    register("Flatten", (n, c) -> new Flatten(n));
    register("Reshape", Reshape::fromConfig);
    register("ZeroPadding2D", ZeroPadding2D::fromConfig);
    register("Dropout", Dropout::fromConfig);
    register("Subtract", (n, c) -> new Subtract(n));
    register("Maximum", (n, c) -> new Maximum(n));
    register("Minimum", (n, c) -> new Minimum(n));
    register("Average", (n, c) -> new Average(n));
    register("LeakyReLU", LeakyReLU::fromConfig);
    register("PReLU", PReLU::fromConfig);
    register("Tanh", (n, c) -> new Tanh(n));
    register("ELU", (n, c) -> new ELU(n));
    register("Embedding", Embedding::fromConfig);
    register("SpatialDropout1D", SpatialDropout1D::fromConfig);
    register("LSTM", LSTM::fromConfig);
    register("GRU", GRU::fromConfig);
    register("Conv2DTranspose", Conv2DTranspose::fromConfig);
    register("UpSampling2D", UpSampling2D::fromConfig);
    register("Permute", Permute::fromConfig);
    register("Cropping2D", Cropping2D::fromConfig);
    register("Rescaling", Rescaling::fromConfig);
    register("Normalization", Normalization::fromConfig);
    register("Resizing", Resizing::fromConfig);
    register("Gelu", Gelu::fromConfig);
  }

  private LayerRegistry() {}

  public static void register(String type, Factory f) {
    FACTORIES.put(type, f);
  }

  public static Layer create(String type, String name, JsonObject config) {
    Factory f = FACTORIES.get(type);
    if (f == null)
      throw new IllegalArgumentException(
          "unknown layer type '"
              + type
              + "' for layer '"
              + name
              + "'; known: "
              + FACTORIES.keySet());
    return f.create(name, config);
  }

  public static Set<String> types() {
    return Set.copyOf(FACTORIES.keySet());
  }
}
